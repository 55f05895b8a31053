//! big_customer: one customer with 50,000 transactions through the real code paths — the
//! client's decoder for its GetAccountsDetail (`flinks_client::decode`), the sandbox's engine
//! computing the All package, the desk's store writing the run, the desk's CSV export — timed
//! one by one, with the process's peak RSS against the size of the GetAccountsDetail JSON.
//!
//! The measured part runs in a child process (this binary with `--big-customer-child`), so the
//! parent's memory is not counted and every sample starts from a fresh heap.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use desk_core::store::{Completion, StoredDetail, StoredValue};
use desk_core::{BuiltinOptions, CsvOptions, Desk, MemoryStore, Store};
use flinks_client::{decode, AttributeValue};
use flinks_sandbox::catalog::Package;
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::model::{money_json, Attribute, Cents, Persona, Transaction};
use flinks_sandbox::personas;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::proc;
use crate::report::{median, Figure, Goal};

pub(crate) const TRANSACTIONS: usize = 50_000;
/// Each sample is a fresh process: the first decode into a cold heap is what a desk sees.
const SAMPLES: usize = 3;
/// A fixed day, so the customer (and its payload) is the same on every run and every machine.
pub(crate) const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!("2025-06-30 is a date"),
};

/// What one child process measured.
#[derive(Debug, Serialize, Deserialize)]
struct Sample {
    payload_bytes: u64,
    transactions: usize,
    decode_ms: f64,
    /// The first step of the decoder alone: parse, and fold every key to lower case.
    read_body_ms: f64,
    value_parse_ms: f64,
    compute_ms: f64,
    store_ms: f64,
    export_ms: f64,
    values: usize,
    details: usize,
    csv_rows: usize,
    /// RSS once the inputs (the customer, the desk and its built-in sandbox) are in memory.
    baseline_kb: u64,
    /// The process's peak RSS over the four phases, and after each one (peaks only grow).
    peak_kb: u64,
    peak_after_kb: [u64; 4],
}

pub fn run() -> Result<Vec<Figure>> {
    let exe = std::env::current_exe()?;
    let mut samples = Vec::new();
    for i in 0..SAMPLES {
        eprintln!("big_customer: sample {}/{SAMPLES}", i + 1);
        let out = Command::new(&exe)
            .arg("--big-customer-child")
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .context("cannot start the big_customer child")?;
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
    let med = |f: fn(&Sample) -> f64| median(&mut samples.iter().map(f).collect::<Vec<_>>());
    let first = &samples[0];
    let payload_mb = first.payload_bytes as f64 / 1e6;
    let (decode, parse) = (med(|s| s.decode_ms), med(|s| s.value_parse_ms));
    let (compute, store, export) = (
        med(|s| s.compute_ms),
        med(|s| s.store_ms),
        med(|s| s.export_ms),
    );
    let total_s = med(|s| s.decode_ms + s.compute_ms + s.store_ms + s.export_ms) / 1e3;
    // The worst sample: a peak is a limit, not a typical value.
    let peak_kb = samples.iter().map(|s| s.peak_kb).max().unwrap_or(0);
    let baseline_kb = samples.iter().map(|s| s.baseline_kb).max().unwrap_or(0);
    let kb_to_mb = |kb: u64| kb as f64 * 1024.0 / 1e6;
    eprintln!(
        "big_customer: {} transactions, {} values, {} transactions behind them, {} CSV rows; \
         peak RSS after decode/compute/store/export: {:?} kB",
        first.transactions, first.values, first.details, first.csv_rows, first.peak_after_kb
    );
    Ok(vec![
        Figure::new("big_customer_payload", payload_mb, "MB"),
        Figure::new("big_customer_decode", decode, "ms"),
        // The tree path the client falls back to for bodies its typed reader refuses.
        Figure::new(
            "big_customer_fallback_tree_read",
            med(|s| s.read_body_ms),
            "ms",
        ),
        Figure::new("big_customer_value_parse", parse, "ms"),
        Figure::new(
            "big_customer_decode_over_value_parse",
            decode / parse,
            "ratio",
        ),
        Figure::new("big_customer_compute_all", compute, "ms"),
        Figure::new("big_customer_store", store, "ms"),
        // What the desk hands the store; it keeps each distinct transaction once.
        Figure::new(
            "big_customer_values_and_details",
            (first.values + first.details) as f64,
            "records",
        ),
        Figure::new("big_customer_export", export, "ms"),
        Figure::new("big_customer_total", total_s, "s").goal(Goal::AtMost(0.5)),
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
    ])
}

/// The measured part, in the child process: prints one [`Sample`] as JSON on stdout.
pub fn child() -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("flinks-desk.sqlite3");

    // Inputs, as a desk holds them before a run: the desk with its built-in sandbox, and the
    // customer's data on the sandbox's side. Its GetAccountsDetail reply waits in a file, so the
    // bytes are in this process only from when the client would have received them.
    let desk = rt.block_on(Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(100),
        },
        Store::open(&db)?,
        Arc::new(MemoryStore::default()),
    ))?;
    // The desk owns its connection; the run is written through a second one, as another
    // process would (WAL allows it).
    let store = Store::open(&db)?;
    let builtin = store
        .environments()?
        .into_iter()
        .find(|e| e.kind == desk_core::store::EnvironmentKind::Builtin)
        .context("no built-in environment")?;
    let customer = store
        .customers()?
        .into_iter()
        .find(|c| c.environment_id == builtin.id)
        .context("no built-in customer")?;
    let persona = personas::bulk(personas::DEFAULT_SEED, AS_OF, TRANSACTIONS);
    let payload_path = dir.path().join("accounts-detail.json");
    write_accounts_detail(&persona, &payload_path)?;
    release_free_memory();
    let baseline_kb = proc::status_kb(None, "VmRSS").unwrap_or(0);
    if !proc::reset_peak() {
        bail!("cannot reset the peak RSS (/proc/self/clear_refs): Linux 4.0 or later is needed");
    }
    let peak = || proc::status_kb(None, "VmHWM").unwrap_or(0);
    let mut peak_after_kb = [0; 4];

    // 1. Decode: the body as the client holds it once received, through the client's decoder.
    let body = std::fs::read(&payload_path)?;
    let payload_bytes = body.len() as u64;
    let login_id = persona.login_id.to_string();
    let started = Instant::now();
    let detail =
        decode::accounts_detail(200, &body, &[&login_id])?.context("a 200 decoded as pending")?;
    let decode_ms = ms(started);
    drop(body);
    // The flow keeps only these counts of the accounts detail.
    let (accounts, transactions) = (
        detail.accounts.len(),
        detail
            .accounts
            .iter()
            .map(|a| a.transactions.len())
            .sum::<usize>(),
    );
    let request_id = detail
        .request_id
        .as_ref()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    drop(detail);
    if transactions != TRANSACTIONS {
        bail!("decoded {transactions} transactions, expected {TRANSACTIONS}");
    }
    peak_after_kb[0] = peak();

    // 2. Compute All: the sandbox's engine over every transaction.
    let started = Instant::now();
    let attributes = engine::package(Package::All, &persona, AS_OF, &Scope::default());
    let compute_ms = ms(started);
    peak_after_kb[1] = peak();

    // 3. Store: the values and the transactions behind them, as Desk::run writes a run.
    let started = Instant::now();
    let (values, details) = stored(&persona, &attributes);
    let run_id = store.start_run(customer.id, "all")?;
    store.complete_run(
        run_id,
        &Completion {
            request_id: &request_id,
            duration_ms: 0,
            accounts: accounts as i64,
            transactions: transactions as i64,
            values: &values,
            details: &details,
        },
    )?;
    let store_ms = ms(started);
    let (n_values, n_details) = (values.len(), details.len());
    drop((values, details, attributes));
    peak_after_kb[2] = peak();

    // 4. Export: the desk reads the run back from its store and writes the CSV.
    let started = Instant::now();
    let summary = desk.export_csv(run_id, &dir.path().join("run.csv"), CsvOptions::default())?;
    let export_ms = ms(started);
    peak_after_kb[3] = peak();
    let peak_kb = peak();

    // The baseline, after the peak is read: serde_json's untyped parse of the same bytes.
    let body = std::fs::read(&payload_path)?;
    let started = Instant::now();
    let parsed: Value = serde_json::from_slice(&body)?;
    let value_parse_ms = ms(started);
    drop(parsed);
    let started = Instant::now();
    let folded = decode::reply_body(200, &body, &[])?;
    let read_body_ms = ms(started);
    drop((folded, body));

    let sample = Sample {
        payload_bytes,
        transactions,
        decode_ms,
        read_body_ms,
        value_parse_ms,
        compute_ms,
        store_ms,
        export_ms,
        values: n_values,
        details: n_details,
        csv_rows: summary.rows,
        baseline_kb,
        peak_kb,
        peak_after_kb,
    };
    println!("{}", serde_json::to_string(&sample)?);
    drop(desk);
    Ok(())
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// Hands the heap's free pages back to the kernel, so that what generating the inputs left
/// behind neither counts in the baseline nor hides what the phases allocate.
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

// GetAccountsDetail's 200 as the sandbox writes it (server.rs `detail_reply`), with every
// transaction of the customer. Serialized from borrowed structs: building a `Value` tree of
// 50,000 transactions first would leave tens of MB of freed heap behind.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireDetail<'a> {
    http_status_code: u16,
    accounts: Vec<WireAccount<'a>>,
    institution_name: &'static str,
    login: WireLogin<'a>,
    institution_id: u32,
    institution: &'static str,
    request_id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireLogin<'a> {
    username: &'a str,
    is_scheduled_refresh: bool,
    last_refresh: String,
    #[serde(rename = "Type")]
    kind: &'static str,
    id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireAccount<'a> {
    transactions: Vec<WireTransaction<'a>>,
    transit_number: &'a str,
    institution_number: &'a str,
    overdraft_limit: Value,
    title: &'a str,
    account_number: &'a str,
    last_four_digits: Option<&'a str>,
    balance: WireBalance,
    category: &'a str,
    #[serde(rename = "Type")]
    kind: &'a str,
    currency: &'a str,
    holder: Option<&'a str>,
    account_type: Option<&'a str>,
    id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireBalance {
    available: Value,
    current: Value,
    limit: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WireTransaction<'a> {
    date: String,
    code: Option<&'a str>,
    description: &'a str,
    debit: Option<Value>,
    credit: Option<Value>,
    balance: Value,
    id: Uuid,
}

fn write_accounts_detail(persona: &Persona, path: &Path) -> Result<()> {
    let accounts = persona
        .accounts
        .iter()
        .map(|a| {
            let current = a.transactions.last().map_or(0, |t| t.balance);
            WireAccount {
                // Newest first, as the sandbox (and Flinks) list them.
                transactions: a
                    .transactions
                    .iter()
                    .rev()
                    .map(|t| WireTransaction {
                        date: t.date.format("%Y-%m-%d").to_string(),
                        code: None,
                        description: &t.description,
                        debit: t.debit.map(money_json),
                        credit: t.credit.map(money_json),
                        balance: money_json(t.balance),
                        id: t.id,
                    })
                    .collect(),
                transit_number: &a.transit_number,
                institution_number: &a.institution_number,
                overdraft_limit: money_json(a.overdraft_limit),
                title: &a.title,
                account_number: &a.account_number,
                last_four_digits: None,
                balance: WireBalance {
                    available: money_json(current + a.overdraft_limit),
                    current: money_json(current),
                    limit: if a.overdraft_limit > 0 {
                        money_json(a.overdraft_limit)
                    } else {
                        Value::Null
                    },
                },
                category: &a.category,
                kind: &a.account_type,
                currency: &a.currency,
                holder: None,
                account_type: None,
                id: a.id,
            }
        })
        .collect();
    let detail = WireDetail {
        http_status_code: 200,
        accounts,
        institution_name: flinks_sandbox::INSTITUTION,
        login: WireLogin {
            username: &persona.username,
            is_scheduled_refresh: false,
            last_refresh: format!("{}T06:00:00.000000", AS_OF.format("%Y-%m-%d")),
            kind: "Personal",
            id: persona.login_id,
        },
        institution_id: 14,
        institution: flinks_sandbox::INSTITUTION,
        request_id: Uuid::new_v4(),
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut out, &detail)?;
    out.flush()?;
    Ok(())
}

/// The run's rows as Desk::run makes them from the attributes reply: each value as the client
/// reads it from the JSON, and each transaction behind a value with its amounts as decimal text.
pub(crate) fn stored(
    persona: &Persona,
    attributes: &[Attribute],
) -> (Vec<StoredValue>, Vec<StoredDetail>) {
    let values = attributes
        .iter()
        .map(|a| {
            let (raw, number) = match reply_value(a.value.to_json()) {
                AttributeValue::Number(d) => (d.normalize().to_string(), d.to_f64()),
                AttributeValue::Text(s) => (s, None),
                AttributeValue::Bool(b) => (if b { "YES" } else { "NO" }.to_owned(), None),
                AttributeValue::Null => (String::new(), None),
            };
            StoredValue {
                scope: "login".into(),
                name: a.name.clone(),
                raw,
                number,
            }
        })
        .collect();
    let by_id: HashMap<(Uuid, Uuid), &Transaction> = persona
        .accounts
        .iter()
        .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
        .collect();
    let amount = |c: Cents| Decimal::new(c, 2).normalize().to_string();
    let details = attributes
        .iter()
        .flat_map(|a| {
            a.detail.iter().filter_map(|key| {
                let t = by_id.get(key)?;
                Some(StoredDetail {
                    name: a.name.clone(),
                    account_id: Some(key.0.to_string()),
                    transaction_id: Some(t.id.to_string()),
                    date: t.date.to_string(),
                    description: Some(t.description.clone()),
                    debit: t.debit.map(amount),
                    credit: t.credit.map(amount),
                    balance: Some(amount(t.balance)),
                })
            })
        })
        .collect();
    (values, details)
}

/// An attribute's JSON value as flinks-client reads it (wire.rs `AttributeValue::from_json`).
fn reply_value(v: Value) -> AttributeValue {
    match v {
        Value::Number(n) => n
            .to_string()
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .map_or(AttributeValue::Null, AttributeValue::Number),
        Value::String(s) => AttributeValue::Text(s),
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Null => AttributeValue::Null,
        other => AttributeValue::Text(other.to_string()),
    }
}
