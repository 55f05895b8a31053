//! `flinks-bench`: Flinks Desk's benchmarks. `cargo desk bench [names…]` builds it in release
//! with what it measures (the `flinks` CLI, the app) and runs it.
//!
//! Each figure is printed as `bench <name> <value> <unit>`, with its goal when it has one, and
//! all of them go to target/bench/results.json with the machine they were measured on. Ratios
//! measured within one run are the figures that count; absolute times are context, since they
//! depend on the machine. A missed goal is reported, never a failure: only a benchmark that
//! cannot run makes the exit code non-zero.

mod app_start;
mod big_customer;
mod flow_vs_curl;
mod policy_replay;
mod portfolio;
mod proc;
mod report;
mod report_all;
mod team_sync;
mod temp_desk;
mod throughput;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use anyhow::Result;
use clap::Parser;

use report::Figure;

type Bench = fn() -> Result<Vec<Figure>>;

const BENCHES: &[(&str, Bench)] = &[
    ("flow_vs_curl", flow_vs_curl::run),
    ("portfolio", portfolio::run),
    ("big_customer", big_customer::run),
    ("app_start", app_start::run),
    ("sandbox_throughput", throughput::run),
    ("policy_replay", policy_replay::run),
    ("report_all", report_all::run),
    ("team_sync", team_sync::run),
];

#[derive(Parser)]
#[command(name = "flinks-bench", about = "Flinks Desk's benchmarks")]
struct Cli {
    /// Benchmarks to run (all when none): flow_vs_curl, portfolio, big_customer, app_start,
    /// sandbox_throughput, policy_replay, report_all, team_sync.
    names: Vec<String>,
    /// Where the figures go as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The measured part of big_customer, run in a child process so that the parent's memory
    /// does not count in its peak RSS.
    #[arg(long, hide = true)]
    big_customer_child: bool,
}

/// The folder of results.json, where benchmarks leave their logs too.
static OUT_DIR: OnceLock<PathBuf> = OnceLock::new();

pub fn out_dir() -> &'static Path {
    OUT_DIR.get_or_init(std::env::temp_dir)
}

fn default_out() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("bench/results.json")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.big_customer_child {
        return match big_customer::child() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("big_customer child: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let unknown: Vec<&String> = cli
        .names
        .iter()
        .filter(|n| !BENCHES.iter().any(|(name, _)| name == n))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = BENCHES.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "flinks-bench: unknown benchmark {unknown:?}; known: {}",
            known.join(", ")
        );
        return ExitCode::from(2);
    }
    let out = cli.out.unwrap_or_else(default_out);
    let _ = OUT_DIR.set(
        out.parent()
            .map_or_else(std::env::temp_dir, Path::to_path_buf),
    );
    let mut figures = Vec::new();
    let mut errors = Vec::new();
    for (name, bench) in BENCHES {
        if !cli.names.is_empty() && !cli.names.iter().any(|n| n == name) {
            continue;
        }
        eprintln!("\n--> {name}");
        match bench() {
            Ok(found) => {
                for f in &found {
                    println!("{}", f.line());
                }
                figures.extend(found);
            }
            Err(e) => {
                eprintln!("bench {name} could not run: {e:#}");
                errors.push((name.to_string(), format!("{e:#}")));
            }
        }
    }
    if let Err(e) = report::write_json(&out, &figures, &errors) {
        eprintln!("flinks-bench: {e:#}");
        return ExitCode::FAILURE;
    }
    eprintln!("\nfigures written to {}", out.display());
    let missed: Vec<&str> = figures
        .iter()
        .filter(|f| f.met() == Some(false))
        .map(|f| f.name.as_str())
        .collect();
    if !missed.is_empty() {
        eprintln!("goals missed: {}", missed.join(", "));
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A binary built beside this one (`target/release/flinks`, `target/release/flinks-desk`),
/// unless the environment names another.
pub fn sibling(name: &str, env: &str) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .map(|dir| dir.join(name))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{name} is not beside {} (set {env}, or run `cargo desk bench`, which builds it)",
                exe.display()
            )
        })?;
    Ok(path)
}
