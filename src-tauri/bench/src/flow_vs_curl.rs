//! flow_vs_curl: `flinks flow` for one customer against the documented curl sequence
//! (flow_vs_curl.sh), against the same in-process sandbox answering at once (pending 0).
//! Runs alternate between the two sides, so that a slow moment of the machine hits both.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flinks_sandbox::catalog::{self, Package};
use flinks_sandbox::{Sandbox, SandboxConfig};

use crate::report::{median, Figure, Goal};

/// Odd, so the median is one run; enough that a busy moment of a shared machine moves it little.
const RUNS: usize = 31;
const WARM_UP: usize = 2;
const CUSTOMER: &str = "salaried_biweekly";

pub fn run() -> Result<Vec<Figure>> {
    let flinks = crate::sibling("flinks", "FLINKS_BENCH_CLI")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("flow_vs_curl.sh");
    let rt = tokio::runtime::Runtime::new()?;
    let sandbox = rt.block_on(Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        ..SandboxConfig::default()
    }))?;
    let login_id = sandbox
        .personas()
        .iter()
        .find(|p| p.username == CUSTOMER)
        .context("the sandbox has no salaried_biweekly")?
        .login_id
        .to_string();

    let flow = || {
        let mut cmd = Command::new(&flinks);
        cmd.env("FLINKS_API_BASE_URL", sandbox.base_url())
            .env("FLINKS_CUSTOMER_ID", sandbox.customer_id())
            .env("FLINKS_LOGIN_ID", &login_id)
            // Keys from the caller's shell would make the CLI buy authorize tokens first.
            .env_remove("FLINKS_SECRET_KEY")
            .env_remove("FLINKS_X_API_KEY")
            .args(["flow", "--package", "credit-risk", "--format", "json"]);
        cmd
    };
    let curl = || {
        let mut cmd = Command::new("sh");
        cmd.arg(&script)
            .arg(sandbox.base_url())
            .arg(sandbox.customer_id())
            .arg(&login_id);
        cmd
    };

    // Both sides must fetch the attributes, or the race means nothing.
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
        if !out.status.success() || !text.contains(expected.as_str()) {
            bail!(
                "the {side} did not return Credit Risk attributes ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }

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
    }
    rt.block_on(sandbox.stop());
    let (flow, curl) = (median(&mut flow_ms), median(&mut curl_ms));
    Ok(vec![
        Figure::new("flow_vs_curl_median_ratio", flow / curl, "ratio").goal(Goal::AtMost(0.5)),
        Figure::new("flow_vs_curl_flow_median", flow, "ms"),
        Figure::new("flow_vs_curl_curl_median", curl, "ms"),
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
