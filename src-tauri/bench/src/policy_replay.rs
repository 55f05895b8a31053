//! policy_replay: a 20-row policy replayed over 10,000 stored decisions through the desk's
//! what-if (`Desk::what_if`), against reading the same rows from the store alone.
//!
//! The store is built as a desk would have filled it: the built-in sandbox's customers are run
//! through `Desk::run` (Lending), and each run's stored values are copied, with every number
//! varied, into more runs until there are 10,000 (one applicant each), written through the
//! store's own `complete_run`. Every run is then decided through `Desk::decide` with a 20-row
//! policy, so each decision's input snapshot is what the desk builds from those values.
//!
//! Measured, alternately, several rounds each (medians):
//! - reading: the store query what-if reads the decisions with (`Store::replay_inputs`: each
//!   run's latest decision, its input snapshot and reasons, the run's package and customer), the
//!   same rows and columns, with nothing done to them;
//! - replay: `Desk::what_if` with a changed version of the policy (some limits moved), which
//!   reads those rows and evaluates each input.
//!
//! The replay's time is also taken apart (decoding the input snapshots' JSON for the keys the
//! policy reads, as what-if does; deciding, untraced, as what-if does), so a missed goal says
//! where the time goes.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use desk_core::store::{Completion, EnvironmentKind, StoredValue};
use desk_core::{snapshot, Desk, Package, Policy, Store};
use serde_json::{json, Value};

use crate::report::{median, Figure, Goal};
use crate::temp_desk::TempDesk;

const RUNS: usize = 10_000;
const ROUNDS: usize = 5;
const POLICY: &str = "Bench personal loan";

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    let temp = rt.block_on(TempDesk::start(Duration::from_millis(30)))?;
    let desk = &temp.desk;
    let store = temp.store()?;

    let started = Instant::now();
    let run_ids = rt.block_on(fill(desk, &store))?;
    let filled = started.elapsed().as_secs_f64();
    let v1 = policy(false);
    let v2 = policy(true);
    let started = Instant::now();
    let mut decided = [0usize; 3];
    for &run_id in &run_ids {
        let d = desk.decide(run_id, POLICY, &v1, None)?;
        decided[match d.summary.decision.as_str() {
            "pass" => 0,
            "refer" => 1,
            _ => 2,
        }] += 1;
    }
    let decide_ms = started.elapsed().as_secs_f64() * 1e3 / RUNS as f64;
    eprintln!(
        "{RUNS} runs stored in {filled:.1} s, decided in {:.1} s: {} pass, {} refer, {} decline",
        decide_ms * RUNS as f64 / 1e3,
        decided[0],
        decided[1],
        decided[2]
    );

    let mut read = Vec::new();
    let mut replay = Vec::new();
    let mut decode = Vec::new();
    let mut evaluate = Vec::new();
    let mut changed = 0;
    let policy_v2 = Policy::from_json(&v2)?;
    // What-if decodes only the keys the policy reads; the breakdown does the same.
    let keys = policy_v2
        .input_keys()
        .context("the bench policy reads named fields")?;
    for round in 0..=ROUNDS {
        // Both sides alternate, so neither is always the one after a warm cache.
        let started = Instant::now();
        let rows = store.replay_inputs(Some(Package::Lending.slug()))?;
        let r = started.elapsed().as_secs_f64();
        ensure!(
            rows.len() == RUNS,
            "{} of {RUNS} decisions read",
            rows.len()
        );

        let started = Instant::now();
        let what_if = desk.what_if(&v2, Some(Package::Lending))?;
        let w = started.elapsed().as_secs_f64();
        ensure!(
            what_if.evaluated == RUNS,
            "what-if evaluated {} of {RUNS} decisions",
            what_if.evaluated
        );
        changed = what_if.changed;

        // The replay taken apart, over the rows just read.
        let started = Instant::now();
        let inputs: Vec<Value> = rows
            .iter()
            .map(|d| snapshot::decode_keys(&d.input, &keys))
            .collect::<Result<_, _>>()?;
        let p = started.elapsed().as_secs_f64();
        let started = Instant::now();
        for input in &inputs {
            policy_v2.decide(input)?;
        }
        let e = started.elapsed().as_secs_f64();
        // Round 0 warms the caches and is left out.
        if round > 0 {
            read.push(r);
            replay.push(w);
            decode.push(p);
            evaluate.push(e);
        }
    }
    let read = median(&mut read);
    let replay = median(&mut replay);
    let decode = median(&mut decode);
    let evaluate = median(&mut evaluate);
    eprintln!(
        "what-if over {RUNS} decisions: {changed} would change; read {:.0} ms, replay {:.0} ms \
         (decoding the inputs {:.0} ms, evaluating {:.0} ms)",
        read * 1e3,
        replay * 1e3,
        decode * 1e3,
        evaluate * 1e3
    );
    Ok(vec![
        Figure::new("policy_replay_total", replay, "s").goal(Goal::AtMost(1.0)),
        Figure::new("policy_replay_over_read", replay / read, "ratio").goal(Goal::AtMost(2.0)),
        Figure::new("policy_replay_read", read, "s"),
        Figure::new("policy_replay_decode_inputs", decode, "s"),
        Figure::new("policy_replay_evaluate", evaluate, "s"),
        Figure::new(
            "policy_replay_evaluate_per_decision",
            evaluate * 1e6 / RUNS as f64,
            "us",
        ),
        Figure::new("policy_replay_decide_per_run", decide_ms, "ms"),
        Figure::new("policy_replay_changed", changed as f64, "decisions"),
    ])
}

/// The sandbox's customers run once through the desk, then their values copied, varied, into
/// runs of new applicants up to [`RUNS`]. Returns every run's id.
async fn fill(desk: &Desk, store: &Store) -> Result<Vec<i64>> {
    let cast: Vec<String> = desk
        .customers()
        .into_iter()
        .filter(|c| c.environment == "builtin")
        .map(|c| c.id)
        .collect();
    if cast.is_empty() {
        bail!("the built-in sandbox has no customers");
    }
    let mut run_ids = Vec::with_capacity(RUNS);
    let mut personas = Vec::new();
    for id in &cast {
        let run = desk
            .run(id, Package::Lending, &|_| {})
            .await
            .with_context(|| format!("running {id}"))?;
        personas.push(store.values(run.run_id)?);
        run_ids.push(run.run_id);
    }
    let environment = store
        .environments()?
        .into_iter()
        .find(|e| e.kind == EnvironmentKind::Builtin)
        .context("no built-in environment in the store")?;
    let mut rng = XorShift(0x5eed_f11c_5eed_f11c);
    let mut values = Vec::new();
    for i in run_ids.len()..RUNS {
        let customer = store.upsert_customer(
            environment.id,
            &format!("bench-applicant-{i:05}"),
            &format!("Applicant {i:05}"),
            "Flinks Capital",
            &format!("{:04}", i % 10_000),
        )?;
        values.clear();
        values.extend(
            personas[i % personas.len()]
                .iter()
                .map(|v| varied(v, &mut rng)),
        );
        let run_id = store.start_run(customer, Package::Lending.slug())?;
        store.complete_run(
            run_id,
            &Completion {
                request_id: &uuid::Uuid::new_v4().to_string(),
                duration_ms: 400 + (rng.next() % 600) as i64,
                accounts: 2,
                transactions: 300 + (rng.next() % 400) as i64,
                values: &values,
                details: &[],
            },
        )?;
        run_ids.push(run_id);
    }
    Ok(run_ids)
}

/// A value as another applicant might have it: numbers scaled by 0.5 to 1.5 (counts rounded,
/// and now and then one to three more), income trends now and then another.
fn varied(v: &StoredValue, rng: &mut XorShift) -> StoredValue {
    let mut out = v.clone();
    if let (Some(n), Ok(_)) = (v.number, v.raw.parse::<f64>()) {
        let factor = 0.5 + rng.unit();
        let (raw, number) = if v.raw.contains('.') {
            let x = (n * factor * 100.0).round() / 100.0;
            (format!("{x:.2}"), x)
        } else {
            let bump = if rng.unit() < 0.1 {
                1 + rng.next() % 3
            } else {
                0
            };
            let x = ((n * factor).round() as i64 + bump as i64).max(0);
            (x.to_string(), x as f64)
        };
        out.raw = raw;
        out.number = Some(number);
    } else if ["INCREASING", "DECREASING", "STABLE"].contains(&v.raw.as_str()) && rng.unit() < 0.3 {
        out.raw = ["INCREASING", "DECREASING", "STABLE"][(rng.next() % 3) as usize].to_owned();
    }
    out
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A row of the policy: rule, outcome, its cells by column, text.
type Row = (
    &'static str,
    &'static str,
    Vec<(usize, &'static str)>,
    &'static str,
);

/// The attributes the policy reads, one input column each.
const COLUMNS: [&str; 10] = [
    "count_nsf_90_days",
    "count_days_negative_balance_90_days",
    "count_distinct_micro_lenders",
    "account_age",
    "average_monthly_total_income_complex",
    "average_monthly_loan_payments_complex",
    "count_distinct_employers",
    "average_monthly_government_income",
    "employer_income_trend_simple",
    "average_monthly_free_cash_flow",
];

/// A 20-row policy in the shape of the shipped ones, as GoRules' editor saves it: input → a
/// `collect` decision table (output path `reasons`, pass-through), one or two unary cells a
/// row, each row writing `rule`, `outcome`, `attribute` and `text` → an expression node
/// deciding decline if any reason declines, else refer if any refers, else pass → output.
/// `stricter` is the changed version what-if tries: some limits moved.
fn policy(stricter: bool) -> Vec<u8> {
    let s = |loose: &'static str, strict: &'static str| if stricter { strict } else { loose };
    let rows: Vec<Row> = vec![
        (
            "nsf_returns",
            "decline",
            vec![(0, s(">= 3", ">= 2"))],
            "Repeated NSF returns.",
        ),
        (
            "nsf_return",
            "refer",
            vec![(0, s("[1..2]", "1"))],
            "An NSF return.",
        ),
        (
            "overdrawn_often",
            "decline",
            vec![(1, s("> 10", "> 5"))],
            "Often overdrawn.",
        ),
        (
            "overdrawn_some",
            "refer",
            vec![(1, s("[3..10]", "[1..5]"))],
            "Sometimes overdrawn.",
        ),
        (
            "micro_lenders",
            "decline",
            vec![(2, ">= 3")],
            "Several micro lenders.",
        ),
        (
            "micro_lender",
            "refer",
            vec![(2, "[1..2]")],
            "A micro lender.",
        ),
        (
            "new_account",
            "decline",
            vec![(3, "< 60")],
            "An account under two months old.",
        ),
        (
            "short_history",
            "refer",
            vec![(3, s("[60..180)", "[60..365)"))],
            "A short history.",
        ),
        (
            "very_low_income",
            "decline",
            vec![(4, "< 800")],
            "Income under $800 a month.",
        ),
        (
            "low_income",
            "refer",
            vec![(4, s("[800..1500)", "[800..2000)"))],
            "Low income.",
        ),
        (
            "high_income",
            "refer",
            vec![(4, "> 25000")],
            "Income to verify.",
        ),
        (
            "loan_payments",
            "refer",
            vec![(5, s("> 1500", "> 1000"))],
            "High loan payments.",
        ),
        (
            "loan_payments_heavy",
            "decline",
            vec![(5, "> 4000")],
            "Very high loan payments.",
        ),
        (
            "no_steady_income",
            "refer",
            vec![(6, "0"), (7, s("< 100", "< 300"))],
            "No employer and little government income.",
        ),
        (
            "many_employers",
            "refer",
            vec![(6, "> 4")],
            "Many employers.",
        ),
        (
            "falling_pay",
            "refer",
            vec![(8, "\"DECREASING\"")],
            "Pay is falling.",
        ),
        (
            "spending_over_income",
            "refer",
            vec![(9, s("[-1000..-250)", "[-1000..0)"))],
            "Spending above income.",
        ),
        (
            "deep_deficit",
            "decline",
            vec![(9, "< -1000")],
            "Spending far above income.",
        ),
        (
            "government_income",
            "pass",
            vec![(7, ">= 1000"), (0, "0")],
            "Steady government income.",
        ),
        (
            "strong_cash_flow",
            "pass",
            vec![(9, "> 1000"), (1, "0")],
            "Strong cash flow.",
        ),
    ];
    assert_eq!(rows.len(), 20, "a 20-row policy");
    let inputs: Vec<Value> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, field)| json!({"id": format!("in{i}"), "name": field, "field": field}))
        .collect();
    let outputs: Vec<Value> = ["rule", "outcome", "attribute", "text"]
        .iter()
        .map(|f| json!({"id": format!("out-{f}"), "name": f, "field": f}))
        .collect();
    let rules: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(n, (rule, outcome, cells, text))| {
            let mut row = serde_json::Map::new();
            row.insert("_id".into(), json!(format!("row{n}")));
            for i in 0..COLUMNS.len() {
                let cell = cells.iter().find(|(c, _)| *c == i).map_or("", |(_, v)| *v);
                row.insert(format!("in{i}"), json!(cell));
            }
            row.insert("out-rule".into(), json!(format!("\"{rule}\"")));
            row.insert("out-outcome".into(), json!(format!("\"{outcome}\"")));
            row.insert(
                "out-attribute".into(),
                json!(format!("\"{}\"", COLUMNS[cells[0].0])),
            );
            row.insert("out-text".into(), json!(format!("\"{text}\"")));
            Value::Object(row)
        })
        .collect();
    serde_json::to_vec_pretty(&json!({
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "input", "type": "inputNode", "name": "Lending attributes",
             "position": {"x": 80, "y": 260}, "content": {"schema": ""}},
            {"id": "table", "type": "decisionTableNode", "name": "Reasons",
             "position": {"x": 360, "y": 260},
             "content": {"hitPolicy": "collect", "inputs": inputs, "outputs": outputs,
                         "rules": rules, "passThrough": true, "inputField": null,
                         "outputPath": "reasons", "executionMode": "single"}},
            {"id": "decide", "type": "expressionNode", "name": "Decision",
             "position": {"x": 680, "y": 260},
             "content": {"expressions": [
                 {"id": "e1", "key": "decision",
                  "value": "some(reasons, #.outcome == \"decline\") ? \"decline\" : some(reasons, #.outcome == \"refer\") ? \"refer\" : \"pass\""},
                 {"id": "e2", "key": "reasons", "value": "reasons"}
             ], "passThrough": false, "inputField": null, "outputPath": null,
                "executionMode": "single"}},
            {"id": "output", "type": "outputNode", "name": "Decision out",
             "position": {"x": 1000, "y": 260}, "content": {"schema": ""}}
        ],
        "edges": [
            {"id": "e-in", "sourceId": "input", "targetId": "table", "type": "edge"},
            {"id": "e-table", "sourceId": "table", "targetId": "decide", "type": "edge"},
            {"id": "e-out", "sourceId": "decide", "targetId": "output", "type": "edge"}
        ]
    }))
    .expect("JSON serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_are_valid_20_row_policies_that_differ() {
        let v1 = Policy::from_json(&policy(false)).unwrap();
        let v2 = Policy::from_json(&policy(true)).unwrap();
        assert_ne!(v1.sha256(), v2.sha256());
        assert_eq!(v1.attributes_used().len(), COLUMNS.len());
    }
}
