//! What the machine gives the server: its programs, a user namespace when running as root, a free
//! port, a private folder under target/, and the `initdb` and `psql` runs themselves.

use std::fmt::Write as _;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngCore;

use super::{io_error, Error, ADMIN_USER, SETTINGS};

pub(crate) fn init_cluster(
    dir: &Path,
    bin: &Path,
    as_user: &[String],
    password: &str,
) -> Result<(), Error> {
    let pwfile = dir.join("pwfile");
    std::fs::write(&pwfile, password).map_err(io_error("cannot write initdb's password file"))?;
    let mut initdb = match as_user.split_first() {
        Some((unshare, args)) => {
            let mut cmd = Command::new(unshare);
            cmd.args(args).arg(bin.join("initdb"));
            cmd
        }
        None => Command::new(bin.join("initdb")),
    };
    let output = initdb
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-U", ADMIN_USER])
        .arg(format!("--pwfile={}", pwfile.display()))
        .args([
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            // The cluster is thrown away; syncing it costs most of initdb's time on a slow disk.
            "--no-sync",
        ])
        .env_remove("PGDATA")
        .stdin(Stdio::null())
        .output()
        .map_err(io_error("cannot run initdb"))?;
    let _ = std::fs::remove_file(&pwfile);
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if text.is_empty() {
            text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        }
        if text.contains("unshare") {
            text.push_str(
                " (running as root, initdb runs in a user namespace; a container may forbid \
                 them: run the tests as an ordinary user, or allow unshare)",
            );
        }
        return Err(Error::Initdb {
            status: output.status.to_string(),
            output: text,
        });
    }
    let conf = dir.join("data/postgresql.conf");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .map_err(io_error(format!("cannot open {}", conf.display())))?;
    file.write_all(SETTINGS.as_bytes())
        .map_err(io_error(format!("cannot write {}", conf.display())))
}

pub(crate) fn run_psql(
    psql: &Path,
    port: u16,
    password: &str,
    db: &str,
    sql: &str,
) -> Result<String, Error> {
    let mut child = Command::new(psql)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", ADMIN_USER])
        .args(["-d", db, "-f", "-"])
        // The password in the environment, not on a command line every `ps` shows.
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGSSLMODE", "disable")
        .env_remove("PGOPTIONS")
        .env_remove("PGSERVICE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_error(format!("cannot run {}", psql.display())))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written from another thread: a long script and a long answer would otherwise each wait
    // for the other's pipe to drain.
    let output = std::thread::scope(|s| {
        s.spawn(move || {
            // A psql that failed to connect stops reading; its stderr says why.
            let _ = stdin.write_all(sql.as_bytes());
        });
        child.wait_with_output()
    })
    .map_err(io_error("cannot read psql's output"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Error::Sql {
            db: db.to_owned(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// PATH's `initdb` and `postgres` (a custom build, Homebrew), else the newest Debian version.
pub(crate) fn server_programs() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_both(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The psql beside the server first: the same version, and on Debian PATH's psql is pg_wrapper,
/// a Perl script that costs about 40 ms per call before it runs that very program.
pub(crate) fn psql_program(server_bin: &Path) -> Option<PathBuf> {
    let beside = server_bin.join("psql");
    if beside.is_file() {
        return Some(beside);
    }
    which("psql")
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The command prefix that runs initdb and postgres as an ordinary user when we are root:
/// empty otherwise.
pub(crate) fn user_namespace() -> Result<Vec<String>, Error> {
    if !effective_uid_is_root() {
        return Ok(Vec::new());
    }
    let unshare = which("unshare").ok_or(Error::UnshareMissing)?;
    let (uid, gid) = namespace_user();
    Ok(vec![
        unshare.display().to_string(),
        "--user".to_owned(),
        format!("--map-user={uid}"),
        format!("--map-group={gid}"),
    ])
}

fn effective_uid_is_root() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

/// initdb looks its user up by uid, so the namespace's user must exist in /etc/passwd: 1000 (the
/// first user on most machines), else Debian's `postgres`, else `nobody` (slim container images).
fn namespace_user() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let users: Vec<(&str, u32, u32)> = passwd
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let uid = fields.nth(1)?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            Some((name, uid, gid))
        })
        .collect();
    let chosen = users
        .iter()
        .find(|u| u.1 == 1000)
        .or_else(|| users.iter().find(|u| u.0 == "postgres" && u.1 != 0))
        .or_else(|| users.iter().find(|u| u.0 == "nobody" && u.1 != 0));
    chosen.map_or((1000, 1000), |&(_, uid, gid)| (uid, gid))
}

/// Alive and not yet a zombie. Without /proc (not Linux) a server that died is only noticed by
/// the readiness timeout.
pub(crate) fn process_alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold anything.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| !matches!(state, "Z" | "X")),
        Err(_) => false,
    }
}

pub(crate) fn free_port() -> Result<u16, Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_error("cannot find a free port on 127.0.0.1"))?;
    let port = listener
        .local_addr()
        .map_err(io_error("cannot find a free port on 127.0.0.1"))?
        .port();
    Ok(port)
}

/// `CARGO_TARGET_DIR` when set (relative to the workspace, where cargo is run), else the
/// workspace's `target/`: cleaned with the rest by `cargo clean`, and never in /tmp, which
/// may be small or shared.
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    }
}

pub(crate) fn new_folder() -> Result<PathBuf, Error> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let parent = target_dir().join("test-postgres");
    std::fs::create_dir_all(&parent)
        .map_err(io_error(format!("cannot create {}", parent.display())))?;
    let parent = parent
        .canonicalize()
        .map_err(io_error(format!("cannot resolve {}", parent.display())))?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = parent.join(format!("{}-{n}-{}", std::process::id(), random_hex(4)));
    std::fs::create_dir(&dir).map_err(io_error(format!("cannot create {}", dir.display())))?;
    // The password file passes through it; nobody else on the machine needs to look.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(dir)
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    raw.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
