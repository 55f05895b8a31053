//! sandbox_throughput: requests per second the sandbox serves on loopback, for Authorize and
//! for an attributes call (Credit Risk, the portfolio's package), to show whether it is what
//! limits the other benchmarks.
//!
//! Every call goes the whole HTTP path (routing, fault and key checks, the session lookup, the
//! ~265 KB reply read whole by the client). The attributes load asks one session again and
//! again, and the sandbox keeps a session's card once computed: only the first call computes
//! the attributes and writes the card, every later one answers those bytes again (with `Login`
//! and `RequestId` written afresh). So the req/s figure is what repeated calls cost, not what
//! computing costs; `sandbox_credit_risk_first_call_ms` (no goal) is the median of the first,
//! computing call of fresh sessions, so that cost stays in view.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flinks_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::report::{Figure, Goal};

const CONNECTIONS: usize = 32;
const WARM_UP: Duration = Duration::from_millis(500);
const MEASURE: Duration = Duration::from_secs(3);
/// Ten times what the portfolio bench asks of each endpoint at its ideal pace: 200 flows in
/// ⌈200/32⌉ = 7 s, each with one Authorize and one attributes call: 10 × 200 / 7 ≈ 286.
const GOAL_RPS: f64 = 286.0;
const CUSTOMER: &str = "salaried_biweekly";
/// Fresh sessions whose first attributes call is timed; the median of these is reported.
const FIRST_CALLS: usize = 7;

enum Endpoint {
    Authorize,
    Attributes,
}

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(CONNECTIONS)
            .build()?;
        // A fresh sandbox per endpoint: every call scans the session table, which the
        // Authorize load leaves thousands of sessions long.
        let sandbox = start().await?;
        let (authorize, authorize_body) = authorize_call(&sandbox);
        let authorize_rps = load(&http, Endpoint::Authorize, &authorize, &authorize_body).await?;
        sandbox.stop().await;

        // Fresh sessions, each asked once: the computing call, timed. The last one is then
        // asked for its Credit Risk attributes again and again.
        let sandbox = start().await?;
        let mut first_calls = Vec::new();
        let mut attributes = String::new();
        for _ in 0..FIRST_CALLS {
            attributes = ready_session(&http, &sandbox).await?;
            let started = Instant::now();
            let reply = http.get(&attributes).send().await?;
            let ok = reply.status() == 200 && reply.bytes().await.is_ok();
            first_calls.push(started.elapsed().as_secs_f64() * 1000.0);
            if !ok {
                bail!("the first GetCreditRiskAttributes of a session failed");
            }
        }
        first_calls.sort_by(f64::total_cmp);
        let first_call_ms = first_calls[first_calls.len() / 2];
        let attributes_rps = load(&http, Endpoint::Attributes, &attributes, &Value::Null).await?;
        sandbox.stop().await;
        Ok(vec![
            Figure::new("sandbox_authorize_rps", authorize_rps, "req/s")
                .goal(Goal::AtLeast(GOAL_RPS)),
            Figure::new(
                "sandbox_credit_risk_attributes_rps",
                attributes_rps,
                "req/s",
            )
            .goal(Goal::AtLeast(GOAL_RPS)),
            Figure::new("sandbox_credit_risk_first_call_ms", first_call_ms, "ms"),
        ])
    })
}

/// A new session of the customer whose GetAccountsDetail has answered: its Credit Risk URL.
async fn ready_session(http: &reqwest::Client, sandbox: &Sandbox) -> Result<String> {
    let (authorize, authorize_body) = authorize_call(sandbox);
    let base = format!("{}/v3/{}", sandbox.base_url(), sandbox.customer_id());
    let reply: Value = http
        .post(&authorize)
        .json(&authorize_body)
        .send()
        .await?
        .json()
        .await?;
    let request_id = reply["RequestId"]
        .as_str()
        .context("Authorize gave no RequestId")?;
    let detail = http
        .post(format!("{base}/BankingServices/GetAccountsDetail"))
        .json(&json!({ "RequestId": request_id }))
        .send()
        .await?;
    if detail.status() != 200 {
        bail!("GetAccountsDetail answered {}", detail.status());
    }
    // Read whole, so the connection goes back to the pool before the timed call.
    detail.bytes().await?;
    let login_id = authorize_body["LoginId"].as_str().unwrap_or_default();
    Ok(format!(
        "{base}/insight/login/{login_id}/attributes/{request_id}/GetCreditRiskAttributes"
    ))
}

async fn start() -> Result<Sandbox> {
    Ok(Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await?)
}

/// Authorize's URL and a cached-mode body for the salaried customer.
fn authorize_call(sandbox: &Sandbox) -> (String, Value) {
    let login_id = sandbox
        .personas()
        .iter()
        .find(|p| p.username == CUSTOMER)
        .map(|p| p.login_id.to_string())
        .unwrap_or_default();
    (
        format!(
            "{}/v3/{}/BankingServices/Authorize",
            sandbox.base_url(),
            sandbox.customer_id()
        ),
        json!({ "LoginId": login_id, "MostRecentCached": true }),
    )
}

/// CONNECTIONS keep-alive clients in a loop; counts the 200s of the MEASURE window after a
/// warm-up that opens the connections.
async fn load(http: &reqwest::Client, endpoint: Endpoint, url: &str, body: &Value) -> Result<f64> {
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONNECTIONS {
        let (http, url, body) = (http.clone(), url.to_owned(), body.clone());
        let (counting, stop, done, failed) =
            (counting.clone(), stop.clone(), done.clone(), failed.clone());
        let post = matches!(endpoint, Endpoint::Authorize);
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let request = if post {
                    http.post(&url).json(&body)
                } else {
                    http.get(&url)
                };
                // The body is read whole, as a client would, so the connection can be reused.
                let ok = match request.send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if counting.load(Ordering::Relaxed) {
                    if ok { &done } else { &failed }.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(WARM_UP).await;
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(MEASURE).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await?;
    }
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        let what = match endpoint {
            Endpoint::Authorize => "Authorize",
            Endpoint::Attributes => "GetCreditRiskAttributes",
        };
        bail!("{failed} {what} requests failed");
    }
    Ok(done.load(Ordering::Relaxed) as f64 / elapsed)
}
