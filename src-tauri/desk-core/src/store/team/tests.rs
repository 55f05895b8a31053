use crate::store::tests::{customer, store, value};
use crate::store::{Completion, StoredDetail};
use crate::team::{Batch, Desks, ReviewStatus, TeamFilter};

fn detail(name: &str, id: &str, credit: &str) -> StoredDetail {
    StoredDetail {
        name: name.into(),
        account_id: Some("acc".into()),
        transaction_id: Some(id.into()),
        date: "2026-11-02".into(),
        description: Some("PAYROLL".into()),
        debit: None,
        credit: Some(credit.into()),
        balance: None,
    }
}

#[test]
fn the_audit_log_refuses_any_change_or_removal() {
    let (_dir, store) = store();
    store.audit("policy.saved", "House 0123456789ab").unwrap();
    let conn = store.conn();
    for sql in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ] {
        let e = conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let kept: (String, String) = conn
        .query_row("SELECT action, os_user FROM audit_log", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(kept.0, "policy.saved");
    assert_eq!(kept.1, store.desk_id().user);
}

#[test]
fn a_run_is_shared_once_it_ended_with_what_explain_shows() {
    let (_dir, store) = store();
    let me = store.desk_id().desk.clone();
    let c = customer(&store);
    let run = store.start_run(c, "income").unwrap();
    let pending = store.feed_after(0, Desks::Only(&me), 10).unwrap();
    assert!(pending.batch.runs.is_empty(), "a running run is not shared");
    let details = [
        detail("SumOfIncome", "t1", "100.10"),
        detail("SumOfIncome", "t2", "200"),
        detail("CountPayroll", "t2", "200"),
    ];
    store
        .complete_run(
            run,
            &Completion {
                request_id: "req",
                duration_ms: 5,
                accounts: 1,
                transactions: 2,
                values: &[value("SumOfIncome", "300.10", Some(300.1))],
                details: &details,
            },
        )
        .unwrap();
    let out = store.feed_after(0, Desks::Only(&me), 10).unwrap();
    assert_eq!(out.batch.runs.len(), 1);
    let shared = &out.batch.runs[0];
    assert_eq!(shared.uid, store.run_uid(run).unwrap());
    assert_eq!(shared.uid.len(), 32);
    assert_eq!(shared.made_on, *store.desk_id());
    assert_eq!(shared.customer.login_last4, "e2fe");
    assert_eq!(shared.details.len(), 2, "each transaction once");
    assert_eq!(
        shared.detail_lists,
        vec![
            ("SumOfIncome".to_owned(), vec![0, 1]),
            ("CountPayroll".to_owned(), vec![1])
        ]
    );
    assert!(store
        .feed_after(0, Desks::Except(&me), 10)
        .unwrap()
        .batch
        .is_empty());

    // Another desk stores it: explain there shows what explain here shows.
    let (_dir2, other) = store_with_builtin();
    let stored = other
        .store_batch(&Batch {
            runs: out.batch.runs.clone(),
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(stored.runs, 1);
    let there = other.history(10).unwrap();
    assert_eq!(there.len(), 1);
    assert!(there[0].shared, "pulled from another desk");
    assert_eq!(
        there[0].made_by.as_deref(),
        Some(store.desk_id().user.as_str())
    );
    assert_eq!(
        other.details(there[0].id, "SumOfIncome").unwrap(),
        store.details(run, "SumOfIncome").unwrap()
    );
    assert_eq!(
        other.values(there[0].id).unwrap(),
        store.values(run).unwrap()
    );
    assert!(
        other.customers().unwrap().is_empty(),
        "another desk's customer is not one of this desk's customers"
    );
    assert_eq!(
        other
            .shared_customer_maker("borrower_nsf")
            .unwrap()
            .as_deref(),
        Some(store.desk_id().user.as_str())
    );
    // Not this desk's to push back.
    let theirs = other
        .feed_after(0, Desks::Only(&other.desk_id().desk), 10)
        .unwrap();
    assert!(theirs.batch.runs.is_empty());
    let history = other.team_history(&TeamFilter::default()).unwrap();
    assert_eq!(history[0].review, ReviewStatus::Undecided);
}

fn store_with_builtin() -> (tempfile::TempDir, crate::store::Store) {
    let (dir, store) = store();
    store
        .upsert_environment(
            "builtin",
            "Sandbox",
            crate::store::EnvironmentKind::Builtin,
            "http://127.0.0.1:2",
            "cid",
            false,
        )
        .unwrap();
    (dir, store)
}

#[test]
fn records_made_before_the_team_get_uids_and_join_the_feed_in_order() {
    let (_dir, store) = store();
    let c = customer(&store);
    let a = store.start_run(c, "income").unwrap();
    let b = store.start_run(c, "income").unwrap();
    store
        .end_run(b, crate::store::RunStatus::Failed, 1, "x", "y")
        .unwrap();
    store
        .end_run(a, crate::store::RunStatus::Cancelled, 1, "", "")
        .unwrap();
    let me = store.desk_id().desk.clone();
    let out = store.feed_after(0, Desks::Only(&me), 10).unwrap();
    // In the order they ended, which is when they became shareable.
    assert_eq!(
        out.batch
            .runs
            .iter()
            .map(|r| r.status.as_str())
            .collect::<Vec<_>>(),
        ["failed", "cancelled"]
    );
    assert_ne!(out.batch.runs[0].uid, out.batch.runs[1].uid);
    let page = store.feed_after(0, Desks::Only(&me), 1).unwrap();
    assert!(page.more);
    let rest = store.feed_after(page.cursor, Desks::Only(&me), 1).unwrap();
    assert_eq!(rest.batch.runs[0].uid, out.batch.runs[1].uid);
}

#[test]
fn a_decision_and_its_policy_version_join_the_feed_after_its_run() {
    let (_dir, store) = store();
    let me = store.desk_id().desk.clone();
    let run = store.start_run(customer(&store), "lending").unwrap();
    store
        .end_run(run, crate::store::RunStatus::Completed, 1, "", "")
        .unwrap();
    let version = store
        .save_policy_version("House", &"c".repeat(64), "{}", "")
        .unwrap();
    store
        .record_decision(&crate::store::NewDecision {
            run_id: run,
            policy_version_id: version.id,
            decision: "pass",
            reasons: "[]",
            input: "{}",
            trace: "[]",
            affordability: None,
            override_decision: None,
            override_comment: None,
            decided_by: "ana",
        })
        .unwrap();
    let out = store.feed_after(0, Desks::Only(&me), 10).unwrap();
    assert_eq!(out.batch.runs.len(), 1);
    assert_eq!(out.batch.policy_versions.len(), 1);
    assert_eq!(out.batch.decisions.len(), 1);
    let d = &out.batch.decisions[0];
    assert_eq!(d.uid.len(), 32);
    assert_eq!(d.run_uid, out.batch.runs[0].uid);
    assert_eq!(
        (d.decided_by.as_str(), d.made_on.desk.as_str()),
        ("ana", me.as_str())
    );
    assert_eq!(store.shared_decisions(&d.run_uid).unwrap(), vec![d.clone()]);
}
