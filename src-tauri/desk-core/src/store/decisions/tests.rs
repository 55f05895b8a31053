use crate::store::tests::{customer, store};
use crate::store::{NewDecision, RunStatus};

fn new<'a>(run_id: i64, version: i64, decision: &'a str) -> NewDecision<'a> {
    NewDecision {
        run_id,
        policy_version_id: version,
        decision,
        reasons: r#"[{"rule":"nsf","attribute":"Count_NSF","value":"4","text":"Payments bounced."}]"#,
        input: r#"{"Count_NSF":4}"#,
        trace: "[]",
        affordability: None,
        override_decision: None,
        override_comment: None,
        decided_by: "underwriter",
    }
}

#[test]
fn versions_are_kept_once_each_and_decisions_only_ever_added() {
    let (_dir, store) = store();
    let run = store.start_run(customer(&store), "credit-risk").unwrap();
    store.end_run(run, RunStatus::Completed, 1, "", "").unwrap();
    let v1 = store
        .save_policy_version("Personal loan", &"a".repeat(64), "{\"v\":1}", "first")
        .unwrap();
    let again = store
        .save_policy_version("Personal loan", &"a".repeat(64), "{\"v\":1}", "same again")
        .unwrap();
    assert_eq!(v1.id, again.id, "the same document is the same version");
    let v2 = store
        .save_policy_version("Personal loan", &"b".repeat(64), "{\"v\":2}", "")
        .unwrap();
    assert_eq!(
        store
            .policy_versions("Personal loan")
            .unwrap()
            .iter()
            .map(|v| v.id)
            .collect::<Vec<_>>(),
        [v2.id, v1.id]
    );
    assert_eq!(store.policy_names().unwrap(), ["Personal loan"]);

    let first = store.record_decision(&new(run, v1.id, "decline")).unwrap();
    let review = store
        .record_decision(&NewDecision {
            override_decision: Some("refer"),
            override_comment: Some(
                "Bounced payments were during a hospital stay; documents asked.",
            ),
            ..new(run, v2.id, "decline")
        })
        .unwrap();
    let all = store.decisions(run).unwrap();
    assert_eq!(
        all.iter().map(|d| d.id).collect::<Vec<_>>(),
        [first, review]
    );
    assert_eq!(all[0].policy_sha256, "a".repeat(64));
    assert_eq!(all[1].override_decision.as_deref(), Some("refer"));
    assert_eq!(store.latest_decisions().unwrap()[&run].id, review);
    // A version a decision was made with cannot be deleted from under it.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    assert!(conn
        .execute("DELETE FROM policy_versions WHERE id = ?1", [v1.id])
        .is_err());
}

#[test]
fn an_override_without_a_comment_or_an_unknown_decision_is_refused() {
    let (_dir, store) = store();
    let run = store.start_run(customer(&store), "income").unwrap();
    let v = store
        .save_policy_version("P", &"c".repeat(64), "{}", "")
        .unwrap();
    for bad in [
        NewDecision {
            override_decision: Some("pass"),
            ..new(run, v.id, "refer")
        },
        NewDecision {
            override_decision: Some("pass"),
            override_comment: Some("   "),
            ..new(run, v.id, "refer")
        },
        new(run, v.id, "maybe"),
    ] {
        assert!(store.record_decision(&bad).is_err(), "{bad:?}");
    }
    assert!(store.decisions(run).unwrap().is_empty());
}
