//! What Linux's /proc says about memory and processes.

use std::collections::HashMap;
use std::path::PathBuf;

fn field_kb(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

fn proc_dir(pid: Option<u32>) -> PathBuf {
    match pid {
        Some(pid) => PathBuf::from(format!("/proc/{pid}")),
        None => PathBuf::from("/proc/self"),
    }
}

/// A `kB` line of /proc/<pid>/status (`VmRSS`, `VmHWM`); `None` for this process.
pub fn status_kb(pid: Option<u32>, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(proc_dir(pid).join("status")).ok()?;
    field_kb(&text, key)
}

/// Proportional set size: shared pages split among the processes that map them, so a sum over
/// processes that share WebKit's libraries does not count them once per process.
pub fn pss_kb(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(proc_dir(Some(pid)).join("smaps_rollup")).ok()?;
    field_kb(&text, "Pss")
}

/// CPU time (user + system) this process has used so far, in seconds.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // utime and stime are fields 14 and 15; counting from after the ')' that ends the name,
    // they are the 12th and 13th. Linux reports them in USER_HZ, 100 on every architecture
    // Rust targets.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

pub fn meminfo_kb(key: &str) -> Option<u64> {
    field_kb(&std::fs::read_to_string("/proc/meminfo").ok()?, key)
}

/// Resets this process's VmHWM to its current RSS (Linux ≥ 4.0), so a peak can be read per phase.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Every process's parent, from /proc/<pid>/stat.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return map;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in parentheses may hold spaces and parentheses: read after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok());
        if let Some(ppid) = ppid {
            map.insert(pid, ppid);
        }
    }
    map
}

/// `root` and all its descendants.
pub fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            parents
                .iter()
                .filter(|(_, &pp)| pp == parent)
                .map(|(&pid, _)| pid),
        );
        i += 1;
    }
    out
}

/// The short command name of a process (`comm`).
pub fn name(pid: u32) -> String {
    std::fs::read_to_string(proc_dir(Some(pid)).join("comm"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Processes whose executable is `exe`.
pub fn by_exe(exe: &std::path::Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p.as_path() == exe)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kb_fields() {
        let text = "Name:\tx\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(field_kb(text, "VmHWM"), Some(12345));
        assert_eq!(field_kb(text, "VmRSS"), Some(100));
        assert_eq!(field_kb(text, "Vm"), None);
    }

    #[test]
    fn this_process_is_in_its_own_tree() {
        let me = std::process::id();
        assert!(tree(me).contains(&me));
        assert!(status_kb(None, "VmRSS").is_some_and(|kb| kb > 0));
        assert!(cpu_seconds().is_some_and(|s| s >= 0.0));
    }
}
