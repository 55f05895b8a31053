//! `desk decide` and `desk whatif`, the real binary on a data folder of its own, against the
//! built-in sandbox: the flow, the policy, the record, and what another policy would change.

use std::path::Path;
use std::process::Command;

use desk_core::Policy;
use serde_json::Value;

const PERSONAL_LOAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../desk-policy/policies/personal-loan.json"
);

fn desk(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_desk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A policy file written here that declines everyone, as GoRules' editor would save it.
fn declines_all(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("declines-all.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "nodes": [
                {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
                {"id": "ex", "type": "expressionNode", "name": "Decide", "position": {"x": 200, "y": 0},
                 "content": {"expressions": [{"id": "e", "key": "decision", "value": "\"decline\""}]}},
                {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 400, "y": 0}}
            ],
            "edges": [
                {"id": "a", "sourceId": "in", "targetId": "ex"},
                {"id": "b", "sourceId": "ex", "targetId": "out"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    path
}

#[test]
fn decide_runs_the_flow_and_prints_the_decision_its_reasons_and_the_policy_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out, err) = desk(
        &data,
        &[
            "decide",
            "--customer",
            "borrower_nsf",
            "--package",
            "lending",
            "--policy",
            PERSONAL_LOAN,
            "--format",
            "json",
        ],
    );
    assert!(ok, "{err}");
    let decided: Value = serde_json::from_str(&out).unwrap();
    let policy = Policy::from_json(&std::fs::read(PERSONAL_LOAN).unwrap()).unwrap();
    assert_eq!(decided["policy_sha256"], policy.sha256());
    let decision = decided["decision"].as_str().unwrap();
    assert!(
        ["pass", "refer", "decline"].contains(&decision),
        "{decided}"
    );
    for reason in decided["reasons"].as_array().unwrap() {
        for key in ["rule", "attribute", "value", "text"] {
            assert!(reason.get(key).is_some(), "{key} in {reason}");
        }
    }
    // The run and its decision are in the desk's history, as the app would show them.
    let (ok, out, _) = desk(&data, &["history", "--format", "json"]);
    assert!(ok);
    let history: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(history[0]["id"], decided["run_id"]);
    assert_eq!(history[0]["decision"]["decision"], decision);
    assert_eq!(history[0]["package"], "lending");
}

#[test]
fn whatif_counts_what_another_policy_would_change_without_a_new_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut decisions = Vec::new();
    for customer in ["borrower_nsf", "salaried_biweekly", "high_income_saver"] {
        let (ok, out, err) = desk(
            &data,
            &[
                "decide",
                "--customer",
                customer,
                "--package",
                "lending",
                "--policy",
                PERSONAL_LOAN,
                "--format",
                "json",
            ],
        );
        assert!(ok, "{err}");
        let decided: Value = serde_json::from_str(&out).unwrap();
        decisions.push(decided["decision"].as_str().unwrap().to_owned());
    }
    let expected = decisions.iter().filter(|d| *d != "decline").count();
    let other = declines_all(dir.path());
    let (ok, out, err) = desk(
        &data,
        &[
            "whatif",
            "--policy",
            other.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(ok, "{err}");
    let what_if: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(what_if["evaluated"], 3);
    assert_eq!(what_if["changed"], expected);
    let (ok, out, _) = desk(&data, &["history", "--format", "json"]);
    assert!(ok);
    let runs: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(runs.len(), 3, "what-if ran nothing");
}

#[test]
fn an_unknown_customer_or_a_broken_policy_is_said_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, _, err) = desk(
        &data,
        &[
            "decide",
            "--customer",
            "Nobody Known",
            "--package",
            "lending",
            "--policy",
            PERSONAL_LOAN,
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("Nobody Known") && err.contains("Pick a customer"),
        "{err}"
    );
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"nodes\": [}").unwrap();
    let (ok, _, err) = desk(
        &data,
        &[
            "decide",
            "--customer",
            "borrower_nsf",
            "--package",
            "lending",
            "--policy",
            broken.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("not JSON") && err.contains("line 1"), "{err}");
    let missing = dir.path().join("missing.json");
    let (ok, _, err) = desk(&data, &["whatif", "--policy", missing.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("missing.json"), "{err}");
    let (_, out, _) = desk(&data, &["history", "--format", "json"]);
    let history: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(history.iter().all(|h| h["decision"].is_null()), "{out}");
}

#[test]
fn statements_are_saved_in_the_folder_named_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out, err) = desk(
        &data,
        &[
            "decide",
            "--customer",
            "salaried_biweekly",
            "--package",
            "income",
            "--policy",
            PERSONAL_LOAN,
            "--format",
            "json",
        ],
    );
    // Income lacks the Lending attributes the policy reads: refused, but the run is kept.
    assert!(!ok && err.contains("is not an attribute"), "{out}{err}");
    let (_, out, _) = desk(&data, &["history", "--format", "json"]);
    let history: Vec<Value> = serde_json::from_str(&out).unwrap();
    let run = history[0]["id"].as_i64().unwrap().to_string();
    let folder = dir.path().join("statements");
    let (ok, out, err) = desk(
        &data,
        &[
            "statements",
            "--run",
            &run,
            "--out",
            folder.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let listed: Vec<&str> = out.lines().collect();
    assert!(!listed.is_empty());
    for line in listed {
        let path = line.split("  ").next().unwrap();
        assert!(std::fs::read(path).unwrap().starts_with(b"%PDF-"), "{line}");
    }
}
