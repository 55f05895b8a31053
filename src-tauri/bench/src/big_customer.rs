//! big_customer: one customer with 50,000 transactions through `Desk::run`, as the app runs a
//! package, then the desk's CSV export of that run.
//!
//! A `flinks-sandbox` process (the binary, `--big-customer 50000`) serves the customer over
//! loopback HTTP; its transactions are generated from the seed and its attributes computed by
//! the sandbox's engine, as for every customer. It answers GetAccountsDetail with a 200 at once
//! (`--pending-secs 0`), so no run waits or polls: the pending time, the environment's and
//! Flinks', is left out of every figure by having none.
//!
//! The measured desk is a child process (this binary with `--big-customer-child`), so neither
//! the sandbox's memory nor this parent's counts in its peak RSS, and every sample starts from a
//! fresh heap. It starts a desk, adds the sandbox as a private environment and the customer by
//! its loginId (into the keyring store the desk was given, as the app does), runs All and exports
//! the run; see [`child`] for how each phase is timed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use crate::proc;
use crate::report::{median, Figure, Goal};
use child::{Sample, Target};

mod child;
mod stored;

pub use child::child;
pub(crate) use stored::stored;

pub(crate) const TRANSACTIONS: usize = 50_000;
/// Each sample is a fresh process: the first run into a cold heap is what a desk sees.
const SAMPLES: usize = 3;
/// A fixed day, so the customer (and its payload) is the same on every run and every machine.
pub(crate) const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!("2025-06-30 is a date"),
};

pub fn run() -> Result<Vec<Figure>> {
    let sandbox = SandboxProcess::start(&crate::out_dir().join("big_customer-sandbox.log"))?;
    let exe = std::env::current_exe()?;
    let mut samples = Vec::new();
    for i in 0..SAMPLES {
        eprintln!("big_customer: sample {}/{SAMPLES}", i + 1);
        let mut desk = Command::new(&exe)
            .arg("--big-customer-child")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the big_customer child")?;
        let mut stdin = desk.stdin.take().context("the child's stdin")?;
        serde_json::to_writer(&mut stdin, &sandbox.target)?;
        drop(stdin);
        let out = desk.wait_with_output()?;
        if !out.status.success() {
            bail!("the big_customer child failed ({})", out.status);
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().last().unwrap_or_default();
        samples.push(
            serde_json::from_str::<Sample>(line)
                .with_context(|| format!("the child's answer is not a sample: {line:?}"))?,
        );
    }
    let sandbox_peak_kb = proc::status_kb(Some(sandbox.child.id()), "VmHWM");
    drop(sandbox);
    Ok(figures(&samples, sandbox_peak_kb))
}

fn figures(samples: &[Sample], sandbox_peak_kb: Option<u64>) -> Vec<Figure> {
    let med = |f: fn(&Sample) -> f64| median(&mut samples.iter().map(f).collect::<Vec<_>>());
    let first = &samples[0];
    let payload_mb = first.payload_bytes as f64 / 1e6;
    // The worst sample: a peak is a limit, not a typical value.
    let peak_kb = samples.iter().map(|s| s.peak_kb).max().unwrap_or(0);
    let baseline_kb = samples.iter().map(|s| s.baseline_kb).max().unwrap_or(0);
    let kb_to_mb = |kb: u64| kb as f64 * 1024.0 / 1e6;
    eprintln!(
        "big_customer: {} transactions, {} values, {} transactions behind them, {} CSV rows; \
         peak RSS (kB) at the run's start, after Authorize, GetAccountsDetail, GetAllAttributes, \
         storing, reading back, exporting: {:?}",
        first.transactions, first.values, first.details, first.csv_rows, first.peak_after_kb
    );
    let mut figures = vec![
        Figure::new("big_customer_payload", payload_mb, "MB"),
        Figure::new(
            "big_customer_all_reply",
            first.attributes_bytes as f64 / 1e6,
            "MB",
        ),
        // From the call to the run's Started event: the customer, its loginId, the run's row.
        Figure::new("big_customer_run_start", med(|s| s.before_ms), "ms"),
        Figure::new("big_customer_authorize", med(|s| s.authorize_ms), "ms"),
        // The sandbox writing the reply, the HTTP exchange, the client's decoding, the balances.
        Figure::new("big_customer_accounts_detail", med(|s| s.accounts_ms), "ms"),
        // Of which the sandbox, to its reply's headers, and the client's decoder alone on the
        // same bytes: both timed on a second request after the run.
        Figure::new(
            "big_customer_accounts_detail_sandbox",
            med(|s| s.sandbox_detail_ms),
            "ms",
        ),
        Figure::new("big_customer_decode", med(|s| s.decode_ms), "ms"),
        // The sandbox computing All and writing it, the HTTP exchange, the client's decoding.
        Figure::new("big_customer_all", med(|s| s.all_ms), "ms"),
        Figure::new("big_customer_all_sandbox", med(|s| s.sandbox_all_ms), "ms"),
        Figure::new("big_customer_all_decode", med(|s| s.all_decode_ms), "ms"),
        Figure::new("big_customer_store", med(|s| s.store_ms), "ms"),
        // Desk::run ends by reading the stored run back: what the screen shows.
        Figure::new("big_customer_read_back", med(|s| s.read_back_ms), "ms"),
        Figure::new("big_customer_export", med(|s| s.export_ms), "ms"),
        Figure::new("big_customer_run", med(|s| s.run_ms), "ms"),
        Figure::new("big_customer_total", med(|s| s.total_ms) / 1e3, "s").goal(Goal::AtMost(0.5)),
        // The same less the sandbox's own time (as measured on the second request): what the
        // desk adds, the transfers included.
        Figure::new(
            "big_customer_total_less_sandbox",
            med(|s| s.total_ms - s.sandbox_detail_ms - s.sandbox_all_ms) / 1e3,
            "s",
        ),
        // What the attributes reply names; the store keeps each distinct transaction once.
        Figure::new(
            "big_customer_values_and_details",
            (first.values + first.details) as f64,
            "records",
        ),
        Figure::new("big_customer_peak_rss", kb_to_mb(peak_kb), "MB"),
        Figure::new("big_customer_baseline_rss", kb_to_mb(baseline_kb), "MB"),
        Figure::new(
            "big_customer_peak_rss_over_payload",
            kb_to_mb(peak_kb) / payload_mb,
            "ratio",
        )
        .goal(Goal::AtMost(5.0)),
        Figure::new(
            "big_customer_rss_added_over_payload",
            kb_to_mb(peak_kb.saturating_sub(baseline_kb)) / payload_mb,
            "ratio",
        ),
    ];
    figures.extend(
        sandbox_peak_kb.map(|kb| Figure::new("big_customer_sandbox_peak_rss", kb_to_mb(kb), "MB")),
    );
    figures
}

/// The flinks-sandbox process serving the big customer; stopped when dropped.
struct SandboxProcess {
    child: Child,
    target: Target,
}

impl SandboxProcess {
    fn start(log: &Path) -> Result<SandboxProcess> {
        let exe = crate::sibling("flinks-sandbox", "FLINKS_SANDBOX_BIN")?;
        let child = Command::new(&exe)
            .args(["--port", "0", "--pending-secs", "0", "--as-of"])
            .arg(AS_OF.to_string())
            .args(["--big-customer", &TRANSACTIONS.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        // Owned from here, so an early return stops it.
        let mut sandbox = SandboxProcess {
            child,
            target: Target::default(),
        };
        let stdout = sandbox
            .child
            .stdout
            .take()
            .context("the sandbox's stdout")?;
        let stderr = sandbox
            .child
            .stderr
            .take()
            .context("the sandbox's stderr")?;
        let mut lines = BufReader::new(stdout).lines();
        let username = format!("big_{TRANSACTIONS}");
        // What it prints on starting (sandbox's main.rs), up to its last line.
        for line in lines.by_ref() {
            let line = line?;
            if let Some(url) = line.strip_prefix("Flinks Capital sandbox on ") {
                sandbox.target.base_url = url.trim().to_owned();
            }
            let mut words = line.split_whitespace();
            match (words.next(), words.next()) {
                (Some("customerId"), Some(id)) => sandbox.target.customer_id = id.to_owned(),
                (Some(name), Some(login_id)) if name == username => {
                    sandbox.target.username = username.clone();
                    sandbox.target.login_id = login_id.to_owned();
                }
                _ => {}
            }
            if line.starts_with("Ctrl-C stops it") {
                break;
            }
        }
        let t = &sandbox.target;
        if t.base_url.is_empty() || t.customer_id.is_empty() || t.login_id.is_empty() {
            bail!(
                "the sandbox did not say where it listens, its customerId and {username}'s loginId"
            );
        }
        // Its logs go on to a file: a pipe nobody reads would block it once full.
        let mut out_log = std::fs::File::create(log)?;
        let mut err_log = out_log.try_clone()?;
        std::thread::spawn(move || {
            for line in lines.map_while(|l| l.ok()) {
                let _ = writeln!(out_log, "{line}");
            }
        });
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut BufReader::new(stderr), &mut err_log);
        });
        Ok(sandbox)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
