//! Who is at the desk: the OS user, as decisions and credit files name them.

/// USER, LOGNAME or USERNAME; else, on Unix, the name /etc/passwd gives this process's user (a
/// service or container often sets none of the variables); else "unknown".
pub(crate) fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .or_else(from_passwd)
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(target_os = "linux")]
fn from_passwd() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    user_of(&std::fs::read_to_string("/etc/passwd").ok()?, &uid)
}

#[cfg(not(target_os = "linux"))]
fn from_passwd() -> Option<String> {
    None
}

/// The name of `uid` in a passwd file's text (`name:x:uid:gid:…`).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn user_of(passwd: &str, uid: &str) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::user_of;

    #[test]
    fn the_name_of_a_uid_is_read_from_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000:Ana:/home/ana:/bin/sh\n";
        assert_eq!(user_of(passwd, "1000").as_deref(), Some("ana"));
        assert_eq!(user_of(passwd, "0").as_deref(), Some("root"));
        assert_eq!(user_of(passwd, "42"), None);
    }
}
