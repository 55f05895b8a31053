//! flow_vs_curl: `flinks flow` for one customer against the documented curl sequence
//! (flow_vs_curl.sh), both against the same in-process sandbox, which answers
//! `OPERATION_PENDING` for [`PENDING`] after each Authorize, and both polling
//! GetAccountsDetailAsync every [`POLL`] (the CLI's `--poll-interval-ms`, the script's sleep
//! after each 202). Both make the same calls: Authorize, GetAccountsDetail (202),
//! GetAccountsDetailAsync until it answers 200 (⌈PENDING / POLL⌉ calls, the last one 200), the
//! Credit Risk attributes. The check before the timed runs makes sure both sides returned the
//! attributes and both saw the same number of 202s.
//!
//! The wait both share is subtracted from both sides alike: it is the time each side spends
//! asleep between polls, one [`POLL`] after each 202, ⌈PENDING / POLL⌉ × POLL in all (2 s
//! here). Nothing else is subtracted: the calls made while the data is pending, the process
//! starts and the parsing all count. `flow_vs_curl_median_ratio` (goal ≤ 0.5) is the flow's
//! median time less that wait over the curl sequence's median time less that wait; with no
//! pending wait it is the plain ratio of the medians, as it was when this benchmark ran with
//! none. The process starts of each side are reported apart: the median of `flinks --version`
//! for the flow's one process, and for the curl side's sh, its curls and its sleeps the
//! medians of `sh -c :`, `curl --version` and `sleep 0` times how many it starts.
//!
//! Runs alternate between the two sides, so that a slow moment of the machine hits both.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use flinks_sandbox::catalog::{self, Package};
use flinks_sandbox::{Sandbox, SandboxConfig};

use crate::report::{median, Figure, Goal};

/// Odd, so the median is one run; enough that a busy moment of a shared machine moves it little.
const RUNS: usize = 31;
const WARM_UP: usize = 2;
const CUSTOMER: &str = "salaried_biweekly";
/// How long GetAccountsDetail answers 202 after an Authorize.
const PENDING: Duration = Duration::from_secs(2);
/// How long both sides wait after a 202 before asking GetAccountsDetailAsync.
const POLL: Duration = Duration::from_secs(1);
/// What each side's stderr says once per 202 (the CLI adds the check's number and times).
const STILL_PROCESSING: &str = "still processing";

pub fn run() -> Result<Vec<Figure>> {
    let flinks = crate::sibling("flinks", "FLINKS_BENCH_CLI")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("flow_vs_curl.sh");
    let rt = tokio::runtime::Runtime::new()?;
    let sandbox = rt.block_on(Sandbox::start_local(SandboxConfig {
        pending_for: PENDING,
        ..SandboxConfig::default()
    }))?;
    let login_id = sandbox
        .personas()
        .iter()
        .find(|p| p.username == CUSTOMER)
        .context("the sandbox has no salaried_biweekly")?
        .login_id
        .to_string();
    let poll_ms = POLL.as_millis().to_string();
    let poll_s = POLL.as_secs_f64().to_string();

    let flow = || {
        let mut cmd = Command::new(&flinks);
        cmd.env("FLINKS_API_BASE_URL", sandbox.base_url())
            .env("FLINKS_CUSTOMER_ID", sandbox.customer_id())
            .env("FLINKS_LOGIN_ID", &login_id)
            // Keys from the caller's shell would make the CLI buy authorize tokens first.
            .env_remove("FLINKS_SECRET_KEY")
            .env_remove("FLINKS_X_API_KEY")
            .args(["flow", "--package", "credit-risk", "--format", "json"])
            .args(["--poll-interval-ms", &poll_ms]);
        cmd
    };
    let curl = || {
        let mut cmd = Command::new("sh");
        cmd.arg(&script)
            .arg(sandbox.base_url())
            .arg(sandbox.customer_id())
            .arg(&login_id)
            .arg(&poll_s);
        cmd
    };

    // 202s until the first poll at or after PENDING: GetAccountsDetail's, then every Async
    // call's but the last.
    let pending_answers = PENDING.as_nanos().div_ceil(POLL.as_nanos()) as usize;
    // Both sides must fetch the attributes after the same wait, or the race means nothing.
    let expected = &catalog::catalog()
        .package(Package::CreditRisk)
        .last()
        .context("Credit Risk has no attributes")?
        .name;
    for (side, mut cmd) in [("flinks flow", flow()), ("curl sequence", curl())] {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot start the {side}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || !text.contains(expected.as_str()) {
            bail!(
                "the {side} did not return Credit Risk attributes ({}): {}",
                out.status,
                stderr.trim()
            );
        }
        let waits = stderr
            .lines()
            .filter(|l| l.starts_with(STILL_PROCESSING))
            .count();
        ensure!(
            waits == pending_answers,
            "the {side} was told to wait {waits} times, not {pending_answers}: {}",
            stderr.trim()
        );
    }

    // Process starts, spawn to exit, timed between the runs so that they see the same moments
    // of the machine.
    let starters: [(&Path, &[&str]); 4] = [
        (flinks.as_path(), &["--version"]),
        (Path::new("curl"), &["--version"]),
        (Path::new("sh"), &["-c", ":"]),
        (Path::new("sleep"), &["0"]),
    ];
    let mut starts: [Vec<f64>; 4] = Default::default();
    let (mut flow_ms, mut curl_ms) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + RUNS {
        // Alternate which side goes first.
        let order = if i % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_flow in order {
            let ms = time(if is_flow { flow() } else { curl() })?;
            if i >= WARM_UP {
                if is_flow {
                    flow_ms.push(ms)
                } else {
                    curl_ms.push(ms)
                }
            }
        }
        for k in 0..starters.len() {
            // A different one first each time.
            let k = (k + i) % starters.len();
            let (program, args) = starters[k];
            let mut cmd = Command::new(program);
            cmd.args(args);
            let ms = time(cmd)?;
            if i >= WARM_UP {
                starts[k].push(ms);
            }
        }
    }
    rt.block_on(sandbox.stop());

    let [flinks_start, curl_start, sh_start, sleep_start] = starts.map(|mut v| median(&mut v));
    // sh; Authorize, GetAccountsDetail, the Async calls, the attributes; a sleep per 202.
    let curls = 3 + pending_answers;
    let curl_side_starts =
        sh_start + curls as f64 * curl_start + pending_answers as f64 * sleep_start;

    let wait = pending_answers as f64 * POLL.as_secs_f64() * 1e3;
    let (flow, curl) = (median(&mut flow_ms), median(&mut curl_ms));
    let (flow_work, curl_work) = (flow - wait, curl - wait);
    Ok(vec![
        Figure::new("flow_vs_curl_median_ratio", flow_work / curl_work, "ratio")
            .goal(Goal::AtMost(0.5)),
        Figure::new("flow_vs_curl_flow_median", flow, "ms"),
        Figure::new("flow_vs_curl_curl_median", curl, "ms"),
        Figure::new("flow_vs_curl_shared_wait", wait, "ms"),
        Figure::new("flow_vs_curl_flow_besides_wait", flow_work, "ms"),
        Figure::new("flow_vs_curl_curl_besides_wait", curl_work, "ms"),
        Figure::new("flow_vs_curl_flinks_start", flinks_start, "ms"),
        Figure::new("flow_vs_curl_curl_start", curl_start, "ms"),
        Figure::new(
            "flow_vs_curl_curl_processes",
            (1 + curls + pending_answers) as f64,
            "processes",
        ),
        Figure::new("flow_vs_curl_curl_side_starts", curl_side_starts, "ms"),
    ])
}

/// Milliseconds from spawn to exit; output is discarded, as a script's caller would.
fn time(mut cmd: Command) -> Result<f64> {
    let started = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if !status.success() {
        bail!("{:?} failed ({status})", cmd.get_program());
    }
    Ok(ms)
}
