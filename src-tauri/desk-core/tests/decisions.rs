//! Deciding runs with a policy, end to end through the desk and its real store: the record keeps
//! the policy version, the input and the trace, reproduces after the policy changes and the desk
//! restarts, takes an override only with a comment, and what-if counts what another policy
//! would change without calling Flinks.

mod common;

use std::path::Path;
use std::sync::Arc;

use desk_core::{Decision, Desk, DeskError, LoanRequest, MemoryStore, Package, Policy};
use rust_decimal::Decimal;
use serde_json::json;

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

async fn start(dir: &Path) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), Arc::new(MemoryStore::default())).await
}

async fn lending(desk: &Desk, customer: &str) -> i64 {
    desk.run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id
}

/// A policy written here, as GoRules' editor would save it: one expression node that decides
/// the same for everyone, or reads one field.
fn one_expression(decision_expr: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {"id": "ex", "type": "expressionNode", "name": "Decide", "position": {"x": 200, "y": 0},
             "content": {"expressions": [
                 {"id": "e1", "key": "decision", "value": decision_expr}
             ]}},
            {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 400, "y": 0}}
        ],
        "edges": [
            {"id": "a", "sourceId": "in", "targetId": "ex", "type": "edge"},
            {"id": "b", "sourceId": "ex", "targetId": "out", "type": "edge"}
        ]
    }))
    .unwrap()
}

fn code(e: &DeskError) -> String {
    e.code().to_string()
}

#[tokio::test]
async fn a_decision_reproduces_after_the_policy_changes_and_the_desk_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let run = lending(&desk, "borrower_nsf").await;
    let first = desk
        .decide(run, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    let policy = Policy::from_json(PERSONAL_LOAN).unwrap();
    assert_eq!(first.summary.policy_sha256, policy.sha256());
    // The snapshot is the run's own values.
    let shown = desk.open_run(run).unwrap();
    let nsf = shown
        .rows
        .iter()
        .find(|r| r.name == "count_nsf_90_days")
        .expect("Lending has the NSF count");
    assert_eq!(
        first.input["count_nsf_90_days"].as_f64(),
        nsf.number,
        "the run's own value"
    );
    assert!(
        first.input["count_nsf_90_days"].is_i64(),
        "a count reads as a whole number"
    );
    assert!(
        !first.trace.nodes.is_empty(),
        "the trace names the nodes run"
    );
    if first.summary.decision != "pass" {
        assert!(!first.reasons.is_empty(), "a refusal says why");
    }

    // A new version that declines everyone, decided on the same run.
    let declines_all = one_expression("\"decline\"");
    let second = desk
        .decide(run, "Personal loan", &declines_all, None)
        .unwrap();
    assert_eq!(second.summary.decision, "decline");
    assert_ne!(second.summary.policy_sha256, first.summary.policy_sha256);
    drop(desk);

    let desk = start(dir.path()).await;
    let decisions = desk.decisions(run).unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0].summary, first.summary, "shown as it was made");
    assert_eq!(decisions[0].reasons, first.reasons);
    let again = desk.reproduce(first.summary.id).unwrap();
    assert_eq!(again.decision.as_str(), first.summary.decision);
    assert_eq!(again.reasons, first.reasons);
    let history = desk.history_with_decisions(10).unwrap();
    let line = history.iter().find(|h| h.run.id == run).unwrap();
    assert_eq!(line.decision.as_ref().unwrap().id, second.summary.id);
}

#[tokio::test]
async fn a_policy_that_cannot_read_the_run_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    // Income has no debt-to-income or free cash flow: the Lending policy cannot read it.
    let income = desk
        .run("salaried_biweekly", Package::Income, &|_| {})
        .await
        .unwrap()
        .run_id;
    let refused = desk
        .decide(income, "Personal loan", PERSONAL_LOAN, None)
        .unwrap_err();
    assert_eq!(code(&refused), "policy.invalid", "{refused}");
    let said = refused.to_string();
    assert!(
        said.contains("node \"") && said.contains("row 1") && said.contains("is not an attribute"),
        "names the node, the row and the attribute: {said}"
    );
    let not_json = desk
        .decide(income, "Broken", b"{ nodes: ", None)
        .unwrap_err();
    assert_eq!(code(&not_json), "policy.invalid");
    let bad_cell = desk
        .decide(income, "Broken", &one_expression("decision ==== 1"), None)
        .unwrap_err();
    assert_eq!(code(&bad_cell), "policy.invalid", "{bad_cell}");
    assert!(desk.decisions(income).unwrap().is_empty());
    assert!(desk
        .history_with_decisions(10)
        .unwrap()
        .iter()
        .all(|h| h.decision.is_none()));
}

#[tokio::test]
async fn an_override_needs_a_comment_and_stands_beside_the_policy_s_decision() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let run = lending(&desk, "borrower_nsf").await;
    let decided = desk
        .decide(run, "Declines all", &one_expression("\"decline\""), None)
        .unwrap();
    let blank = desk
        .override_decision(decided.summary.id, Decision::Refer, "  ")
        .unwrap_err();
    assert_eq!(code(&blank), "input.invalid");
    let overridden = desk
        .override_decision(
            decided.summary.id,
            Decision::Refer,
            "NSF returns during a documented hospital stay; asked for two statements.",
        )
        .unwrap();
    assert_eq!(
        overridden.summary.decision, "decline",
        "the policy's word is kept"
    );
    assert_eq!(overridden.summary.final_decision, "refer");
    assert!(overridden.summary.overridden);
    assert_eq!(
        desk.decisions(run).unwrap().len(),
        2,
        "added, not rewritten"
    );
    assert_eq!(
        desk.decision_view(decided.summary.id)
            .unwrap()
            .summary
            .final_decision,
        "decline"
    );
}

#[tokio::test]
async fn affordability_figures_are_read_by_the_policy_and_kept_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let run = lending(&desk, "salaried_biweekly").await;
    let loan = LoanRequest::personal(Decimal::from(15_000), Decimal::new(899, 2), 5);
    let tds_rule = one_expression("affordability.tds > 44 ? \"decline\" : \"pass\"");
    let decided = desk
        .decide(run, "TDS only", &tds_rule, Some(&loan))
        .unwrap();
    let tds = decided.input["affordability"]["tds"]
        .as_f64()
        .expect("TDS in the input");
    let expected = if tds > 44.0 { "decline" } else { "pass" };
    assert_eq!(decided.summary.decision, expected, "TDS {tds}");
    let figures = decided
        .affordability
        .as_ref()
        .expect("kept with the record");
    assert!(figures.to_string().contains("TDS"), "{figures}");
    // Without a loan the policy has no TDS to read: refused, not guessed.
    let refused = desk.decide(run, "TDS only", &tds_rule, None).unwrap_err();
    assert_eq!(code(&refused), "policy.invalid", "{refused}");
}

#[tokio::test]
async fn what_if_counts_the_past_decisions_another_policy_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let mut decided = Vec::new();
    for customer in [
        "borrower_nsf",
        "salaried_biweekly",
        "gig_worker",
        "high_income_saver",
    ] {
        let run = lending(&desk, customer).await;
        decided.push(
            desk.decide(run, "Personal loan", PERSONAL_LOAN, None)
                .unwrap(),
        );
    }
    // Counted here from the decisions made: a policy that declines everyone changes every one
    // that was not already a decline.
    let expected = decided
        .iter()
        .filter(|d| d.summary.decision != "decline")
        .count();
    let ledger_before = desk.ledger(10_000, None).unwrap().len();
    let what_if = desk
        .what_if(&one_expression("\"decline\""), Some(Package::Lending))
        .unwrap();
    assert_eq!(what_if.evaluated, decided.len());
    assert_eq!(what_if.changed, expected);
    assert!(what_if
        .changes
        .iter()
        .all(|c| c.after == "decline" && c.before != "decline"));
    assert_eq!(
        desk.ledger(10_000, None).unwrap().len(),
        ledger_before,
        "no call to Flinks"
    );
    // The same policy changes nothing.
    let same = desk.what_if(PERSONAL_LOAN, None).unwrap();
    assert_eq!((same.evaluated, same.changed), (decided.len(), 0));
    // Another package's files are left out.
    let income_only = desk.what_if(PERSONAL_LOAN, Some(Package::Income)).unwrap();
    assert_eq!(income_only.evaluated, 0);
}

/// A policy whose only reason names `account_age`, an attribute no cell reads.
fn reason_on_an_unread_attribute(outcome: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request"},
            {"id": "ex", "type": "expressionNode", "name": "Decide", "content": {"expressions": [
                {"id": "e1", "key": "decision",
                 "value": format!("count_nsf_90_days >= 0 ? \"{outcome}\" : \"pass\"")},
                {"id": "e2", "key": "reasons",
                 "value": "[{rule: 'age', attribute: 'account_age', text: 'The account age.'}]"}
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

#[tokio::test]
async fn what_if_reads_only_what_the_policy_reads_and_reasons_as_the_whole_input_would() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let mut runs = Vec::new();
    for customer in ["borrower_nsf", "gig_worker", "salaried_biweekly"] {
        let run = lending(&desk, customer).await;
        desk.decide(run, "Personal loan", PERSONAL_LOAN, None)
            .unwrap();
        runs.push(run);
    }
    // A stricter version, evaluated by hand over each decision's whole stored input.
    let stricter = String::from_utf8(PERSONAL_LOAN.to_vec())
        .unwrap()
        .replace("\"< 1500\"", "\"< 50000\"");
    assert_ne!(stricter.as_bytes(), PERSONAL_LOAN, "the income limit moved");
    let policy = Policy::from_json(stricter.as_bytes()).unwrap();
    let what_if = desk.what_if(stricter.as_bytes(), None).unwrap();
    assert!(
        what_if.changed > 0,
        "raising the income limit changes a decision"
    );
    for change in &what_if.changes {
        let stored = desk.decisions(change.run_id).unwrap().pop().unwrap();
        let whole = policy.evaluate(&stored.input).unwrap();
        assert_eq!(change.after, whole.decision.as_str());
        assert_eq!(change.after_reasons, whole.reasons, "run {}", change.run_id);
    }
    // A reason on an attribute no cell reads still carries the applicant's value.
    let what_if = desk
        .what_if(&reason_on_an_unread_attribute("decline"), None)
        .unwrap();
    assert_eq!(what_if.evaluated, runs.len());
    for change in &what_if.changes {
        let stored = desk.decisions(change.run_id).unwrap().pop().unwrap();
        assert_eq!(change.after_reasons.len(), 1);
        assert_eq!(change.after_reasons[0].value, stored.input["account_age"]);
        assert!(!change.after_reasons[0].value.is_null());
    }
}

#[tokio::test]
async fn affordability_limits_are_settings_kept_by_the_desk_and_read_by_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let cmhc = desk.affordability_settings().unwrap();
    assert_eq!(
        (cmhc.gds_limit, cmhc.tds_limit),
        (Decimal::from(39), Decimal::from(44)),
        "CMHC's limits by default"
    );
    let run = lending(&desk, "salaried_biweekly").await;
    let loan = LoanRequest::personal(Decimal::from(15_000), Decimal::new(899, 2), 5);
    let within = one_expression("affordability.tdsWithinLimit ? \"pass\" : \"refer\"");
    let before = desk.decide(run, "TDS limit", &within, Some(&loan)).unwrap();
    let tds = before.input["affordability"]["tds"].as_f64().unwrap();
    assert!(tds > 1.0, "TDS {tds}");
    // A limit just under this file's TDS: the same file no longer fits.
    let tighter = desk_core::AffordabilitySettings {
        tds_limit: Decimal::from_f64_retain(tds - 1.0).unwrap().round_dp(2),
        ..cmhc.clone()
    };
    desk.set_affordability_settings(&tighter).unwrap();
    let after = desk.decide(run, "TDS limit", &within, Some(&loan)).unwrap();
    assert_eq!(after.input["affordability"]["tdsWithinLimit"], json!(false));
    assert_eq!(after.summary.decision, "refer");
    // A limit out of range is refused and the one in force stays.
    let absurd = desk_core::AffordabilitySettings {
        tds_limit: Decimal::from(250),
        ..cmhc.clone()
    };
    assert_eq!(
        code(&desk.set_affordability_settings(&absurd).unwrap_err()),
        "affordability.invalid"
    );
    drop(desk);
    let desk = start(dir.path()).await;
    assert_eq!(
        desk.affordability_settings().unwrap(),
        tighter,
        "kept across a restart"
    );
}
