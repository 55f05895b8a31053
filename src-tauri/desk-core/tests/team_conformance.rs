//! One suite, two stores: the desk's SQLite file and the team's PostgreSQL must mean the same
//! thing by push, pull, history and the audit log, since syncing moves records between them.

use desk_core::team::postgres::PgTeamStore;
use desk_core::team::{
    AuditEntry, Batch, DeskId, Desks, ReviewStatus, SharedBalance, SharedCustomer, SharedDecision,
    SharedEnvironment, SharedPolicyVersion, SharedRun, SharedTransaction, SharedValue, TeamFilter,
    TeamStore,
};
use desk_core::Store;
use desk_test_postgres::TestPostgres;

fn desk(n: &str, user: &str) -> DeskId {
    DeskId {
        desk: format!("desk-{n}"),
        user: user.into(),
    }
}

fn run(uid: &str, on: &DeskId, started_at: &str) -> SharedRun {
    let details: Vec<SharedTransaction> = (0..5)
        .map(|i| SharedTransaction {
            account_id: Some("acc-1".into()),
            transaction_id: Some(format!("{uid}-t{i}")),
            date: format!("2026-0{}-1{i}", 1 + i % 3),
            description: Some(format!("PAYROLL {i}")),
            debit: None,
            credit: Some(format!("{}.25", 1000 + i)),
            balance: Some(format!("{}.00", 5000 + 10 * i)),
        })
        .collect();
    SharedRun {
        uid: uid.into(),
        made_on: on.clone(),
        environment: SharedEnvironment {
            key: "builtin".into(),
            name: "Flinks Capital sandbox".into(),
            kind: "builtin".into(),
            api_base_url: "http://127.0.0.1:1/v3".into(),
            customer_id: "sandbox".into(),
            production: false,
        },
        customer: SharedCustomer {
            key: format!("cust-{uid}"),
            label: format!("Customer {uid}"),
            institution: Some("Flinks Capital".into()),
            login_last4: "9f3a".into(),
        },
        package: "lending".into(),
        status: "completed".into(),
        request_id: Some(format!("req-{uid}")),
        started_at: started_at.into(),
        finished_at: Some(started_at.into()),
        duration_ms: Some(1200),
        accounts: Some(1),
        transactions: Some(5),
        error_code: None,
        error_message: None,
        values: vec![
            SharedValue {
                scope: "login".into(),
                name: "SumOfIncome".into(),
                raw: "5010.25".into(),
                number: Some(5010.25),
            },
            SharedValue {
                scope: "login".into(),
                name: "CountNsf".into(),
                raw: "0".into(),
                number: Some(0.0),
            },
        ],
        detail_lists: vec![("SumOfIncome".into(), vec![4, 0, 2])],
        details,
        balances: vec![SharedBalance {
            position: 0,
            account_id: "acc-1".into(),
            title: Some("Chequing".into()),
            last4: Some("1234".into()),
            date: "2026-01-10".into(),
            balance: "5000.00".into(),
        }],
    }
}

fn policy() -> SharedPolicyVersion {
    SharedPolicyVersion {
        policy: "House".into(),
        sha256: "a".repeat(64),
        document: "{\"nodes\":[],\"edges\":[]}".into(),
        note: String::new(),
        saved_at: "2026-12-01T10:00:00.000Z".into(),
    }
}

fn decision(uid: &str, run: &str, by: &DeskId, over: Option<&str>) -> SharedDecision {
    SharedDecision {
        uid: uid.into(),
        run_uid: run.into(),
        made_on: by.clone(),
        policy: "House".into(),
        policy_sha256: "a".repeat(64),
        decision: "refer".into(),
        reasons: "[\"income below the line\"]".into(),
        input: "{}".into(),
        trace: "[]".into(),
        affordability: None,
        override_decision: over.map(str::to_owned),
        override_comment: over.map(|_| "known employer".to_owned()),
        decided_at: "2026-12-01T11:00:00.000Z".into(),
        decided_by: by.user.clone(),
    }
}

fn audit(uid: &str, by: &DeskId) -> AuditEntry {
    AuditEntry {
        uid: uid.into(),
        at: "2026-12-01T11:00:00.000Z".into(),
        made_on: by.clone(),
        action: "decision.made".into(),
        subject: format!("run r1 by {}", by.user),
    }
}

/// The suite: `store` is empty at the start.
async fn suite(store: &dyn TeamStore) {
    let ana = desk("a", "ana");
    let ben = desk("b", "ben");
    let first = Batch {
        runs: vec![
            run("r1", &ana, "2026-12-01T09:00:00.000Z"),
            run("r2", &ana, "2026-12-01T09:30:00.000Z"),
        ],
        policy_versions: vec![policy()],
        decisions: vec![decision("d1", "r1", &ana, None)],
        audit: vec![audit("a1", &ana)],
    };
    let stored = store.push(&first).await.unwrap();
    assert_eq!(
        (
            stored.runs,
            stored.policy_versions,
            stored.decisions,
            stored.audit
        ),
        (2, 1, 1, 1)
    );
    // The same batch again stores nothing: a sync cut off and done again doubles nothing.
    let again = store.push(&first).await.unwrap();
    assert_eq!(
        (
            again.runs,
            again.policy_versions,
            again.decisions,
            again.audit
        ),
        (0, 0, 0, 0)
    );

    // Ben reviews Ana's first run, overrides nothing; then overrides on the second.
    let second = Batch {
        runs: vec![run("r3", &ben, "2026-12-01T10:00:00.000Z")],
        decisions: vec![
            decision("d2", "r1", &ben, None),
            decision("d3", "r2", &ben, Some("pass")),
        ],
        audit: vec![audit("a2", &ben)],
        ..Batch::default()
    };
    store.push(&second).await.unwrap();

    // What Ben pulls is Ana's, in the order it came, and only once with the cursor.
    let for_ben = store.pull(0, Desks::Except(&ben.desk), 100).await.unwrap();
    assert_eq!(
        for_ben
            .batch
            .runs
            .iter()
            .map(|r| r.uid.as_str())
            .collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    assert_eq!(
        for_ben.batch.runs[0], first.runs[0],
        "a run comes back as it went"
    );
    assert_eq!(for_ben.batch.decisions, vec![first.decisions[0].clone()]);
    assert_eq!(for_ben.batch.audit, vec![first.audit[0].clone()]);
    assert!(!for_ben.more);
    let nothing = store
        .pull(for_ben.cursor, Desks::Except(&ben.desk), 100)
        .await
        .unwrap();
    assert!(nothing.batch.is_empty(), "{:?}", nothing.batch);
    let bens = store.pull(0, Desks::Only(&ben.desk), 100).await.unwrap();
    assert_eq!(bens.batch.runs.len(), 1);
    assert_eq!(
        bens.batch
            .decisions
            .iter()
            .map(|d| d.uid.as_str())
            .collect::<Vec<_>>(),
        ["d2", "d3"]
    );
    // Pages: two records at a time, each once, in order.
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.pull(cursor, Desks::All, 2).await.unwrap();
        seen.extend(page.batch.runs.iter().map(|r| r.uid.clone()));
        seen.extend(page.batch.decisions.iter().map(|d| d.uid.clone()));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, ["d1", "d2", "d3", "r1", "r2", "r3"]);

    // History: newest first, with where each run stands.
    let all = store.history(&TeamFilter::default()).await.unwrap();
    let line = |uid: &str| all.iter().find(|r| r.uid == uid).unwrap().clone();
    assert_eq!(
        all.iter().map(|r| r.uid.as_str()).collect::<Vec<_>>(),
        ["r3", "r2", "r1"]
    );
    assert_eq!(line("r1").review, ReviewStatus::Reviewed);
    assert_eq!(line("r1").deciders, ["ana", "ben"]);
    assert_eq!(line("r1").decided_by.as_deref(), Some("ben"));
    assert_eq!(line("r2").review, ReviewStatus::Overridden);
    assert_eq!(line("r2").decision.as_deref(), Some("pass"));
    assert_eq!(line("r3").review, ReviewStatus::Undecided);
    assert_eq!(line("r1").values, 2);
    let of = |underwriter: Option<&str>, review: Option<ReviewStatus>| TeamFilter {
        underwriter: underwriter.map(str::to_owned),
        review,
        limit: None,
    };
    let uids =
        |runs: Vec<desk_core::team::TeamRun>| runs.into_iter().map(|r| r.uid).collect::<Vec<_>>();
    // Ben made r3 and decided r1 and r2; Ana made r1 and r2.
    assert_eq!(
        uids(store.history(&of(Some("ben"), None)).await.unwrap()),
        ["r3", "r2", "r1"]
    );
    assert_eq!(
        uids(store.history(&of(Some("ana"), None)).await.unwrap()),
        ["r2", "r1"]
    );
    assert_eq!(
        uids(
            store
                .history(&of(None, Some(ReviewStatus::Overridden)))
                .await
                .unwrap()
        ),
        ["r2"]
    );
    assert_eq!(
        uids(
            store
                .history(&of(Some("ana"), Some(ReviewStatus::Undecided)))
                .await
                .unwrap()
        ),
        Vec::<String>::new()
    );
    let limited = TeamFilter {
        limit: Some(1),
        ..TeamFilter::default()
    };
    assert_eq!(uids(store.history(&limited).await.unwrap()), ["r3"]);

    let r1 = store.decisions_of("r1").await.unwrap();
    assert_eq!(
        r1.iter().map(|d| d.uid.as_str()).collect::<Vec<_>>(),
        ["d1", "d2"]
    );
    assert_eq!(
        store
            .audit_log()
            .await
            .unwrap()
            .iter()
            .map(|a| a.uid.as_str())
            .collect::<Vec<_>>(),
        ["a1", "a2"]
    );

    // A decision on a run the store does not have is refused, and nothing of its batch stays.
    let orphan = Batch {
        runs: vec![run("r4", &ana, "2026-12-01T12:00:00.000Z")],
        decisions: vec![decision("d4", "no-such-run", &ana, None)],
        ..Batch::default()
    };
    assert!(store.push(&orphan).await.is_err());
    assert!(
        !uids(store.history(&TeamFilter::default()).await.unwrap()).contains(&"r4".to_owned()),
        "a refused batch stores nothing"
    );
}

#[tokio::test]
async fn the_desk_s_sqlite_file_keeps_the_team_s_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.sqlite3")).unwrap();
    suite(&store).await;
}

#[tokio::test]
async fn the_team_s_postgresql_keeps_them_the_same_way() {
    let pg = TestPostgres::shared().unwrap();
    let db = pg.create_database("conformance").unwrap();
    PgTeamStore::setup(&pg.admin_url(&db), "desk_app", "app-secret-1")
        .await
        .unwrap();
    let url = format!(
        "postgres://desk_app:app-secret-1@127.0.0.1:{}/{db}",
        pg.port()
    );
    let store = PgTeamStore::connect(&url).await.unwrap();
    suite(&store).await;
}
