//! `cargo desk fuzz`: each cargo-fuzz target of src-tauri/fuzz for a bounded time, then a
//! summary. Not part of `cargo desk test`: fuzzing needs nightly and minutes, and what it finds
//! is not reproducible from one run to the next, so it is a tool to run, not a gate.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{cargo, cargo_home_bin, step, which};

/// The targets, in the order they run.
pub const TARGETS: [&str; 5] = [
    "decode_authorize",
    "decode_accounts_detail",
    "decode_attributes",
    "parse_connect_redirect",
    "csv_export",
];

const FUZZ_DIR: &str = "src-tauri/fuzz";
/// Under target/: the sanitizer flags make every crate a rebuild, so the fuzz build keeps its
/// own folder, and the corpus a run grows stays out of the committed seeds.
const TARGET_DIR: &str = "target/fuzz";
/// An input that takes longer than this is a hang, and a hang is a finding.
const PER_INPUT_TIMEOUT_SECS: u64 = 10;

struct Outcome {
    target: &'static str,
    /// From libFuzzer's start, the build left out.
    seconds: f64,
    execs: Option<u64>,
    /// The crash, hang or leak libFuzzer wrote down, if any.
    artifact: Option<String>,
    failed: bool,
}

pub fn fuzz(seconds: u64, targets: Vec<String>) -> Result<()> {
    let targets: Vec<&'static str> = if targets.is_empty() {
        TARGETS.to_vec()
    } else {
        // clap has checked the names against TARGETS; keep the order asked.
        targets
            .iter()
            .filter_map(|t| TARGETS.iter().copied().find(|known| known == t))
            .collect()
    };
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let mut outcomes = Vec::new();
    for target in targets {
        outcomes.push(run(target, seconds)?);
    }

    eprintln!("\n==> fuzzing summary ({seconds} s a target)");
    for o in &outcomes {
        let execs = o.execs.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let verdict = match (&o.artifact, o.failed) {
            (Some(a), _) => format!("CRASHED: {a}"),
            (None, true) => "FAILED (see the output above)".to_owned(),
            (None, false) => "ok".to_owned(),
        };
        eprintln!(
            "    {:<24} {:>12} execs in {:>4.0} s  {verdict}",
            o.target, execs, o.seconds
        );
    }
    let failed = outcomes.iter().filter(|o| o.failed).count();
    if failed > 0 {
        bail!(
            "{failed} target(s) failed. Reproduce one with `cargo +nightly fuzz run --fuzz-dir {FUZZ_DIR} <target> <artifact>`; \
             once fixed, copy the artifact to {FUZZ_DIR}/regressions/<target>/, where the tests replay it"
        );
    }
    Ok(())
}

fn ensure_nightly() -> Result<()> {
    let has_nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_nightly {
        return Ok(());
    }
    step(
        "installing the nightly toolchain (cargo-fuzz builds with -Zsanitizer, a nightly flag)",
        Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]),
    )
}

fn ensure_cargo_fuzz() -> Result<()> {
    if which("cargo-fuzz")
        .or_else(|| cargo_home_bin("cargo-fuzz"))
        .is_some()
    {
        return Ok(());
    }
    step(
        "installing cargo-fuzz (it builds the fuzz targets and runs libFuzzer)",
        cargo().args(["install", "cargo-fuzz", "--locked"]),
    )
}

/// `cargo +nightly fuzz run <target> -- -max_total_time=<seconds>`, its output passed through
/// and read for the number of runs and the artifact of a crash.
fn run(target: &'static str, seconds: u64) -> Result<Outcome> {
    eprintln!("\n==> fuzzing {target} for {seconds} s");
    let grown = Path::new(TARGET_DIR).join("corpus").join(target);
    std::fs::create_dir_all(&grown)
        .with_context(|| format!("cannot create {}", grown.display()))?;
    let fuzz_dir = PathBuf::from(FUZZ_DIR);
    let mut started = Instant::now();
    // `+nightly` needs rustup's cargo, not the toolchain's own binary that $CARGO names.
    let mut child = Command::new("cargo")
        .args(["+nightly", "fuzz", "run", "--fuzz-dir", FUZZ_DIR])
        .args(["--target-dir", TARGET_DIR, target])
        // libFuzzer writes what it finds to the first folder only: the committed seeds and
        // regressions are read, never grown. The regressions come in too, so an old crash that
        // is back stops the run at once.
        .arg(&grown)
        .arg(fuzz_dir.join("corpus").join(target))
        .arg(fuzz_dir.join("regressions").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={PER_INPUT_TIMEOUT_SECS}"))
        .arg("-print_final_stats=1")
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start `cargo +nightly fuzz` (is rustup's cargo on PATH?)")?;

    let mut execs = None;
    let mut artifact = None;
    let stderr = child.stderr.take().context("no stderr")?;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap_or_default();
        eprintln!("{line}");
        // cargo's last line before libFuzzer takes over.
        if line.trim_start().starts_with("Running `") {
            started = Instant::now();
        }
        if let Some(n) = runs_in(&line) {
            execs = Some(n);
        }
        if let Some((_, path)) = line.split_once("Test unit written to ") {
            artifact = Some(path.trim().to_owned());
        }
    }
    let status = child.wait()?;
    Ok(Outcome {
        target,
        seconds: started.elapsed().as_secs_f64(),
        execs,
        failed: !status.success() || artifact.is_some(),
        artifact,
    })
}

/// The number of inputs run so far, from libFuzzer's `#12345\tpulse …`, `Done 12345 runs in …`
/// and `stat::number_of_executed_units: 12345` lines.
fn runs_in(line: &str) -> Option<u64> {
    if let Some(rest) = line.strip_prefix("Done ") {
        return rest.split_whitespace().next()?.parse().ok();
    }
    if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
        return rest.trim().parse().ok();
    }
    let rest = line.strip_prefix('#')?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::runs_in;

    #[test]
    fn run_counts_are_read_from_libfuzzer_lines() {
        assert_eq!(
            runs_in("#65536\tpulse  cov: 1834 ft: 6012 corp: 410/51Kb exec/s: 21845 rss: 80Mb"),
            Some(65536)
        );
        assert_eq!(runs_in("Done 1282071 runs in 61 second(s)"), Some(1282071));
        assert_eq!(
            runs_in("stat::number_of_executed_units: 1282071"),
            Some(1282071)
        );
        assert_eq!(runs_in("INFO: Seed: 1234"), None);
    }
}
