//! The measured part of big_customer, in its own process: a desk runs All for the sandbox's
//! big customer and exports the run; one [`Sample`] is printed as JSON on stdout.
//!
//! `Desk::run` is timed whole, and taken apart with what the desk already reports, so no desk
//! code is repeated here: the run's progress events (Authorizing, RequestingAccounts,
//! FetchingAttributes) and two tracing events, the client's `flinks call` (logged once a reply
//! is read and decoded, with its endpoint) and the desk's `run finished` (logged once the run is
//! stored, before it is read back for the screen). The peak RSS is read at each of them too.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use desk_core::{CsvOptions, EnvironmentSettings, LoginId, NewEnvironment, Package, RunEvent};
use flinks_client::decode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use crate::proc;
use crate::temp_desk::TempDesk;

/// Where the big customer is: what the parent hands the child on its stdin.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Target {
    pub base_url: String,
    pub customer_id: String,
    pub username: String,
    pub login_id: String,
}

/// What one child process measured.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Sample {
    /// The GetAccountsDetail reply's JSON, as the sandbox sent it.
    pub payload_bytes: u64,
    /// The GetAllAttributes reply's JSON.
    pub attributes_bytes: u64,
    pub transactions: usize,
    pub values: usize,
    /// The transactions behind the values, as the reply lists them (one per value they are behind).
    pub details: usize,
    pub csv_rows: usize,
    /// From `Desk::run` being called to its Started event: the customer, its loginId from the
    /// keyring store, the run's row.
    pub before_ms: f64,
    pub authorize_ms: f64,
    /// GetAccountsDetail, from the request to the decoded reply and the balances kept of it.
    pub accounts_ms: f64,
    /// The client's decoder alone over the same reply, after the run.
    pub decode_ms: f64,
    /// The sandbox's part of it: from the request to the reply's headers (written whole before
    /// they are sent), on a second request after the run.
    pub sandbox_detail_ms: f64,
    /// GetAllAttributes, from the request to the decoded reply.
    pub all_ms: f64,
    pub all_decode_ms: f64,
    /// The sandbox computing All and writing the reply, measured as for GetAccountsDetail.
    pub sandbox_all_ms: f64,
    /// From the decoded attributes to the run stored.
    pub store_ms: f64,
    /// From the run stored to `Desk::run` returning it, read back from the store.
    pub read_back_ms: f64,
    pub export_ms: f64,
    /// `Desk::run`, call to return.
    pub run_ms: f64,
    /// `Desk::run` and the export.
    pub total_ms: f64,
    /// RSS with the desk started, the environment and customer added, before the run.
    pub baseline_kb: u64,
    /// The peak over the run and the export.
    pub peak_kb: u64,
    /// The peak so far at the run's start, after Authorize, GetAccountsDetail,
    /// GetAllAttributes, storing, reading back and exporting (peaks only grow).
    pub peak_after_kb: [u64; 7],
}

/// What happened during the run, and when.
#[derive(Debug, Clone, PartialEq)]
enum What {
    Event(&'static str),
    /// A reply read and decoded, by endpoint.
    Call(String),
    RunFinished,
}

#[derive(Default)]
struct Timeline(Mutex<Vec<(What, Instant, u64)>>);

impl Timeline {
    fn mark(&self, what: What) {
        let at = Instant::now();
        let peak = peak_kb();
        self.0.lock().expect("timeline").push((what, at, peak));
    }

    fn clear(&self) {
        self.0.lock().expect("timeline").clear();
    }

    fn find(&self, what: &What) -> Result<(Instant, u64)> {
        self.0
            .lock()
            .expect("timeline")
            .iter()
            .find(|(w, ..)| w == what)
            .map(|&(_, at, peak)| (at, peak))
            .with_context(|| format!("the run never reported {what:?}"))
    }

    fn count(&self, what: &What) -> usize {
        let marks = self.0.lock().expect("timeline");
        marks.iter().filter(|(w, ..)| w == what).count()
    }
}

fn event_name(e: &RunEvent) -> &'static str {
    match e {
        RunEvent::Started { .. } => "started",
        RunEvent::Authorizing => "authorizing",
        RunEvent::RequestingAccounts { .. } => "requestingAccounts",
        RunEvent::Waiting { .. } => "waiting",
        RunEvent::FetchingAttributes { .. } => "fetchingAttributes",
        RunEvent::Retrying { .. } => "retrying",
        RunEvent::Reauthorizing => "reauthorizing",
    }
}

/// Marks the client's `flinks call` and the desk's `run finished` events.
struct Marks(Arc<Timeline>);

#[derive(Default)]
struct Fields {
    message: String,
    endpoint: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "endpoint" {
            value.clone_into(&mut self.endpoint);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Marks {
    fn on_event(&self, event: &tracing::Event<'_>, _: LayerContext<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        match fields.message.as_str() {
            "flinks call" => self.0.mark(What::Call(fields.endpoint)),
            "run finished" => self.0.mark(What::RunFinished),
            _ => {}
        }
    }
}

fn peak_kb() -> u64 {
    proc::status_kb(None, "VmHWM").unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The measured part: reads a [`Target`] on stdin, prints a [`Sample`] on stdout.
pub fn child() -> Result<()> {
    let target: Target = serde_json::from_reader(std::io::stdin().lock())
        .context("the parent sends where the big customer is")?;
    let timeline = Arc::new(Timeline::default());
    // Only the two events the phases are cut at, and the few others of their level.
    let wanted = Targets::new()
        .with_target("flinks_client", LevelFilter::DEBUG)
        .with_target("desk_core", LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(Marks(timeline.clone()).with_filter(wanted))
        .try_init()?;
    let rt = tokio::runtime::Runtime::new()?;
    let temp = rt.block_on(TempDesk::start(Duration::from_millis(100)))?;
    let (desk, dir) = (&temp.desk, &temp.dir);
    // As a person adds an instance of their own and pastes a customer's loginId.
    let env = desk.add_environment(NewEnvironment {
        name: "Big customer".into(),
        api_base_url: target.base_url.clone(),
        customer_id: target.customer_id.clone(),
        production: false,
        secret_key: None,
        api_key: None,
        authorize_tokens: false,
        settings: EnvironmentSettings {
            poll_interval_secs: Some(1),
            ..Default::default()
        },
    })?;
    let customer = desk.add_customer(
        &env.key,
        &target.username,
        LoginId::new(target.login_id.clone()),
    )?;
    // The attribute library is read once per environment and session, not per run: read before,
    // as a desk that has run anything on this environment has.
    rt.block_on(desk.attribute_choices(&env.key))?;

    release_free_memory();
    let baseline_kb = proc::status_kb(None, "VmRSS").unwrap_or(0);
    if !proc::reset_peak() {
        bail!("cannot reset the peak RSS (/proc/self/clear_refs): Linux 4.0 or later is needed");
    }
    timeline.clear();
    let progress = |e: RunEvent| timeline.mark(What::Event(event_name(&e)));
    let started = Instant::now();
    let run = rt.block_on(desk.run(&customer.id, Package::All, &progress))?;
    let run_end = Instant::now();
    let peak_run = peak_kb();
    let summary = desk.export_csv(
        run.run_id,
        &dir.path().join("run.csv"),
        CsvOptions::default(),
    )?;
    let export_end = Instant::now();
    let peak = peak_kb();

    for what in ["waiting", "retrying", "reauthorizing"] {
        let n = timeline.count(&What::Event(what));
        ensure!(n == 0, "the run was {what} {n} times: not the run measured");
    }
    let at = |what: What| timeline.find(&what);
    let (run_started, peak_start) = at(What::Event("started"))?;
    let (authorizing, _) = at(What::Event("authorizing"))?;
    let (requesting, peak_authorize) = at(What::Event("requestingAccounts"))?;
    let (fetching, peak_accounts) = at(What::Event("fetchingAttributes"))?;
    let (all_read, peak_all) = at(What::Call(Package::All.endpoint().into()))?;
    let (stored, peak_store) = at(What::RunFinished)?;
    ensure!(
        timeline.count(&What::Call("GetAccountsDetailAsync".into())) == 0,
        "the run polled: not the run measured"
    );

    // After the peak is read: the two replies as the sandbox sends them, for their sizes and
    // the client's decoders alone over them.
    let replies = rt.block_on(replies(&target))?;
    let (detail_body, attributes_body) = (&replies.detail.1, &replies.attributes.1);
    let secrets = [target.login_id.as_str()];
    let timer = Instant::now();
    let detail =
        decode::accounts_detail(200, detail_body, &secrets)?.context("a 200 decoded as pending")?;
    let decode_ms = ms(timer.elapsed());
    let transactions: usize = detail.accounts.iter().map(|a| a.transactions.len()).sum();
    drop(detail);
    ensure!(
        transactions == run.transactions,
        "the reply fetched again has {transactions} transactions, the run {}",
        run.transactions
    );
    let timer = Instant::now();
    let attributes = decode::attributes(200, attributes_body, &secrets)?;
    let all_decode_ms = ms(timer.elapsed());
    let details = attributes
        .details
        .iter()
        .map(|d| d.transactions.len())
        .sum();
    drop(attributes);

    let run_ms = ms(run_end - started);
    let export_ms = ms(export_end - run_end);
    let sample = Sample {
        payload_bytes: detail_body.len() as u64,
        attributes_bytes: attributes_body.len() as u64,
        transactions,
        values: run.rows.len(),
        details,
        csv_rows: summary.rows,
        before_ms: ms(run_started - started),
        authorize_ms: ms(requesting - authorizing),
        accounts_ms: ms(fetching - requesting),
        decode_ms,
        sandbox_detail_ms: replies.detail.0,
        all_ms: ms(all_read - fetching),
        all_decode_ms,
        sandbox_all_ms: replies.attributes.0,
        store_ms: ms(stored - all_read),
        read_back_ms: ms(run_end - stored),
        export_ms,
        run_ms,
        total_ms: run_ms + export_ms,
        baseline_kb,
        peak_kb: peak,
        peak_after_kb: [
            peak_start,
            peak_authorize,
            peak_accounts,
            peak_all,
            peak_store,
            peak_run,
            peak,
        ],
    };
    println!("{}", serde_json::to_string(&sample)?);
    drop(temp);
    Ok(())
}

/// A second session's replies, as the sandbox sends them: each with the milliseconds from the
/// request to its headers, and its body.
struct Replies {
    detail: (f64, Vec<u8>),
    attributes: (f64, Vec<u8>),
}

/// GetAccountsDetail and GetAllAttributes for a new session of the customer, asked as the
/// desk's client asks them.
async fn replies(target: &Target) -> Result<Replies> {
    let http = reqwest::Client::new();
    let base = format!("{}/v3/{}", target.base_url, target.customer_id);
    let authorized: Value = http
        .post(format!("{base}/BankingServices/Authorize"))
        .json(&json!({ "LoginId": target.login_id, "MostRecentCached": true }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let request_id = authorized["RequestId"]
        .as_str()
        .context("Authorize gave no RequestId")?;
    let detail = http
        .post(format!("{base}/BankingServices/GetAccountsDetail"))
        .json(&json!({
            "RequestId": request_id,
            "WithAccountIdentity": true,
            "WithTransactions": true,
            "WithBalance": true,
            "WithKYC": false,
            "DaysOfTransactions": "Days365",
        }));
    let detail = timed(detail).await?;
    let attributes = http.get(format!(
        "{base}/insight/login/{}/attributes/{request_id}/{}",
        target.login_id,
        Package::All.endpoint()
    ));
    let attributes = timed(attributes).await?;
    Ok(Replies { detail, attributes })
}

/// A 200's time to its headers, in milliseconds, and its body.
async fn timed(request: reqwest::RequestBuilder) -> Result<(f64, Vec<u8>)> {
    let started = Instant::now();
    let reply = request.send().await?;
    let to_headers = ms(started.elapsed());
    ensure!(
        reply.status() == 200,
        "the sandbox answered {}",
        reply.status()
    );
    Ok((to_headers, reply.bytes().await?.to_vec()))
}

/// Hands the heap's free pages back to the kernel, so that what starting the desk left behind
/// neither counts in the baseline nor hides what the run allocates.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only returns free memory to the kernel; it takes the
        // allocator's own locks and touches no live allocation.
        unsafe {
            malloc_trim(0);
        }
    }
}
