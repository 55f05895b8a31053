//! What-if over more past decisions than one batch of its reader: the changes come back in run
//! order and counted as deciding each file alone would, and a policy failing half-way ends
//! what-if with its error instead of leaving the reader blocked.

mod common;

use std::sync::Arc;

use desk_core::store::{Completion, EnvironmentKind};
use desk_core::{Desk, MemoryStore, Package, Store};
use serde_json::json;

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");
/// More than the reader's batches (128 rows) times the channel's room and the deciders.
const RUNS: usize = 1_000;
/// Files marked for the failing policy: early enough that most rows are still unread (the
/// reader waiting on a full channel), late enough that deciding is under way.
const MARKED: std::ops::Range<usize> = 200..210;
const MARK: f64 = 987_654_321.0;

/// A pass and a decline under the personal-loan policy, copied into `RUNS` runs of their own
/// applicants (through the store, as a desk's past would be), each decided.
async fn many_decided(dir: &std::path::Path) -> (Desk, Vec<(i64, String)>, String) {
    let db = dir.join("desk.sqlite3");
    let desk = common::start_desk(&db, Arc::new(MemoryStore::default())).await;
    let store = Store::open(&db).unwrap();
    let mut personas = Vec::new();
    for customer in ["high_income_saver", "borrower_nsf"] {
        let run = desk.run(customer, Package::Lending, &|_| {}).await.unwrap();
        personas.push(store.values(run.run_id).unwrap());
    }
    let environment = store
        .environments()
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EnvironmentKind::Builtin)
        .unwrap();
    // A number both personas have, for the failing policy to read.
    let marked = personas[0]
        .iter()
        .position(|v| {
            v.number.is_some()
                && v.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .unwrap();
    let name = personas[0][marked].name.clone();
    assert_eq!(personas[1][marked].name, name);
    let mut decided = Vec::new();
    for i in 0..RUNS {
        let customer = store
            .upsert_customer(
                environment.id,
                &format!("applicant-{i:04}"),
                &format!("Applicant {i:04}"),
                "Flinks Capital",
                &format!("{i:04}"),
            )
            .unwrap();
        let run_id = store.start_run(customer, Package::Lending.slug()).unwrap();
        let mut values = personas[i % 2].clone();
        if MARKED.contains(&i) {
            values[marked].raw = MARK.to_string();
            values[marked].number = Some(MARK);
        }
        let values = &values;
        store
            .complete_run(
                run_id,
                &Completion {
                    request_id: &format!("request-{i}"),
                    duration_ms: 1,
                    accounts: 1,
                    transactions: 1,
                    values,
                    details: &[],
                },
            )
            .unwrap();
        let d = desk
            .decide(run_id, "Personal loan", PERSONAL_LOAN, None)
            .unwrap();
        decided.push((run_id, d.summary.decision));
    }
    (desk, decided, name)
}

fn one_expression(decision: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request"},
            {"id": "ex", "type": "expressionNode", "name": "Decide", "content": {"expressions": [
                {"id": "e1", "key": "decision", "value": decision}
            ]}},
            {"id": "out", "type": "outputNode", "name": "Response"}
        ],
        "edges": [
            {"id": "a", "sourceId": "in", "targetId": "ex"},
            {"id": "b", "sourceId": "ex", "targetId": "out"}
        ]
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn many_files_come_back_in_run_order_and_a_failing_policy_ends_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, decided, marked) = many_decided(dir.path()).await;
    let kinds: std::collections::BTreeSet<_> = decided.iter().map(|(_, d)| d.as_str()).collect();
    assert!(kinds.len() > 1, "both outcomes among the files: {kinds:?}");

    // Declining everyone changes exactly the files that were not declined, in run order.
    let what_if = desk
        .what_if(&one_expression("\"decline\""), Some(Package::Lending))
        .unwrap();
    let expected: Vec<i64> = decided
        .iter()
        .filter(|(_, d)| d != "decline")
        .map(|(run, _)| *run)
        .collect();
    assert_eq!(what_if.evaluated, RUNS);
    let changed: Vec<i64> = what_if.changes.iter().map(|c| c.run_id).collect();
    assert_eq!(changed, expected);

    // `upper` of a number fails when it runs: on the marked files, with hundreds still unread.
    let failing = one_expression(&format!("{marked} == {MARK} ? upper(1) : \"decline\""));
    let failing = desk.what_if(&failing, Some(Package::Lending));
    let error = failing.expect_err("a policy that fails on a file fails what-if");
    assert_eq!(error.code().to_string(), "policy.invalid", "{error}");
}
