//! `desk history` against a data folder where the desk ran packages and one run was decided:
//! the real binary, the real store.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use desk_core::store::NewDecision;
use desk_core::{BuiltinOptions, Desk, MemoryStore, Package, Store};
use serde_json::Value;

async fn desk_in(dir: &Path) -> Desk {
    let options = BuiltinOptions {
        pending_for: Duration::ZERO,
        poll_interval: Duration::from_millis(20),
        ..BuiltinOptions::default()
    };
    let store = Store::open(&dir.join("flinks-desk.sqlite3")).unwrap();
    Desk::start(options, store, Arc::new(MemoryStore::default()))
        .await
        .unwrap()
}

fn desk(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_desk"))
        .args(args)
        // Whatever keyring the machine has, a run of the built-in sandbox needs none.
        .env_remove("FLINKS_DESK_DATA_DIR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn history_lists_the_runs_newest_first_with_their_latest_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = {
        let desk = desk_in(dir.path()).await;
        let first = desk
            .run("borrower_nsf", Package::CreditRisk, &|_| {})
            .await
            .unwrap();
        let second = desk
            .run("salaried_biweekly", Package::Income, &|_| {})
            .await
            .unwrap();
        (first.run_id, second.run_id)
    };
    {
        // A decision as the desk records it, written here through the store alone.
        let store = Store::open(&dir.path().join("flinks-desk.sqlite3")).unwrap();
        let v = store
            .save_policy_version("Personal loan", &"d".repeat(64), "{}", "")
            .unwrap();
        store
            .record_decision(&NewDecision {
                run_id: first,
                policy_version_id: v.id,
                decision: "decline",
                reasons: "[]",
                input: "{}",
                trace: "[]",
                affordability: None,
                override_decision: Some("refer"),
                override_comment: Some("Asked for the last two statements."),
                decided_by: "test",
            })
            .unwrap();
    }
    let data_dir = dir.path().to_str().unwrap();
    let (ok, out, err) = desk(&["--data-dir", data_dir, "history", "--format", "json"]);
    assert!(ok, "{err}");
    let history: Vec<Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<i64> = history.iter().map(|h| h["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [second, first], "newest first");
    assert!(history[0]["decision"].is_null());
    let decided = &history[1]["decision"];
    assert_eq!(decided["decision"], "decline");
    assert_eq!(decided["finalDecision"], "refer");
    assert_eq!(decided["overridden"], true);
    assert_eq!(decided["policySha256"], "d".repeat(64));
    assert_eq!(history[1]["package"], "credit-risk");

    let (ok, table, _) = desk(&["--data-dir", data_dir, "history"]);
    assert!(ok);
    assert!(
        table
            .lines()
            .any(|l| l.contains("credit-risk") && l.contains("refer")),
        "{table}"
    );
}

#[test]
fn a_data_folder_that_is_not_a_desk_database_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flinks-desk.sqlite3");
    std::fs::write(&db, b"not a database, but someone's file").unwrap();
    let (ok, _, err) = desk(&["--data-dir", dir.path().to_str().unwrap(), "history"]);
    assert!(!ok);
    assert!(
        err.contains("damaged") || err.contains("not a Flinks Desk database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"not a database, but someone's file",
        "the file is as it was"
    );
}
