//! The team store on a real PostgreSQL (desk-test-postgres): each test its own database, set
//! up as the server's admin, then used as the desks' role with a password, as a team would.

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use desk_core::team::postgres::{redacted, PgTeamStore};
use desk_core::team::{
    AuditEntry, Batch, DeskId, Desks, ReviewStatus, SharedBalance, SharedCustomer, SharedDecision,
    SharedEnvironment, SharedPolicyVersion, SharedRun, SharedTransaction, SharedValue, Stored,
    TeamError, TeamFilter, TeamStore,
};
use desk_test_postgres::TestPostgres;
use sha2::{Digest, Sha256};

/// A team database set up, and the desks' role's URL.
struct Team {
    db: String,
    url: String,
    password: String,
}

fn team(pg: &TestPostgres, name: &str) -> Team {
    let db = pg.create_database(name).unwrap();
    Team {
        url: app_url(pg, &db, &format!("{db}_pw")),
        password: format!("{db}_pw"),
        db,
    }
}

fn app_url(pg: &TestPostgres, db: &str, password: &str) -> String {
    format!(
        "postgres://{db}_app:{password}@127.0.0.1:{}/{db}",
        pg.port()
    )
}

async fn set_up(pg: &TestPostgres, name: &str) -> (Team, PgTeamStore) {
    let team = team(pg, name);
    PgTeamStore::setup(
        &pg.admin_url(&team.db),
        &format!("{}_app", team.db),
        &team.password,
    )
    .await
    .unwrap();
    let store = PgTeamStore::connect(&team.url).await.unwrap();
    (team, store)
}

fn rows(pg: &TestPostgres, db: &str, table: &str) -> i64 {
    pg.psql(db, &format!("SELECT count(*) FROM {table}"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn desk(n: u32, user: &str) -> DeskId {
    DeskId {
        desk: format!("desk-{n:04}"),
        user: user.into(),
    }
}

/// Runs of a given size: an ordinary lending run has ~100 values, ~500 distinct transactions
/// behind them, ~100 lists of them and ~300 daily balances over three accounts.
#[derive(Clone, Copy)]
struct Size {
    values: usize,
    transactions: usize,
    lists: usize,
    balances: usize,
}

const REALISTIC: Size = Size {
    values: 100,
    transactions: 500,
    lists: 100,
    balances: 300,
};

const SMALL: Size = Size {
    values: 6,
    transactions: 9,
    lists: 3,
    balances: 6,
};

impl Size {
    fn run(self, uid: &str, on: &DeskId, started_at: &str) -> SharedRun {
        let values = (0..self.values)
            .map(|i| SharedValue {
                scope: if i % 10 == 0 {
                    "account".into()
                } else {
                    "login".into()
                },
                name: format!("Attribute{i:03}"),
                raw: if i % 7 == 0 {
                    "N/A".into()
                } else {
                    format!("{}.{:02}", i * 37, i % 100)
                },
                number: (i % 7 != 0).then(|| (i * 37) as f64 + (i % 100) as f64 / 100.0),
            })
            .collect();
        let details = (0..self.transactions)
            .map(|i| SharedTransaction {
                account_id: Some(format!("acc-{}", i % 3)),
                transaction_id: (i % 11 != 0).then(|| format!("{uid}-t{i:05}")),
                date: day(i % 330),
                description: Some(format!(
                    "PAYMENT {} LTD #{i}",
                    ["ACME", "HYDRO", "PAYROLL"][i % 3]
                )),
                debit: (i % 2 == 0).then(|| format!("{}.{:02}", 10 + i % 900, i % 100)),
                credit: (i % 2 == 1).then(|| format!("{}.50", 1000 + i % 3000)),
                balance: (i % 5 != 0).then(|| format!("{}.00", 5000 + i * 3)),
            })
            .collect();
        let detail_lists = (0..self.lists)
            .map(|i| {
                let n = 1 + i % 40;
                let ids = (0..n)
                    .map(|k| ((i * 7 + k * 13) % self.transactions.max(1)) as u32)
                    .collect();
                (format!("Attribute{i:03}"), ids)
            })
            .collect();
        let per_account = self.balances / 3;
        let balances = (0..self.balances)
            .map(|i| {
                let (account, d) = (i / per_account.max(1), i % per_account.max(1));
                SharedBalance {
                    position: account as i64,
                    account_id: format!("acc-{account}"),
                    title: Some(["Chequing", "Savings", "Visa"][account % 3].into()),
                    last4: (account != 2).then(|| format!("{:04}", 1000 + account)),
                    date: day(d),
                    balance: format!("{}.{:02}", 2000 + d * 11, d % 100),
                }
            })
            .collect();
        SharedRun {
            uid: uid.into(),
            made_on: on.clone(),
            environment: SharedEnvironment {
                key: "toolbox".into(),
                name: "Flinks toolbox".into(),
                kind: "toolbox".into(),
                api_base_url: "https://toolbox-api.private.fin.ag/v3".into(),
                customer_id: "43387ca6-0391-4c82-857d-70d95f087ecb".into(),
                production: false,
            },
            customer: SharedCustomer {
                key: format!("cust-{uid}"),
                label: format!("Customer {uid}"),
                institution: Some("FlinksCapital".into()),
                login_last4: "9f3a".into(),
            },
            package: "Lending".into(),
            status: "completed".into(),
            request_id: Some(format!("req-{uid}")),
            started_at: started_at.into(),
            finished_at: Some(started_at.replace("00.000Z", "09.500Z")),
            duration_ms: Some(9500),
            accounts: Some(3),
            transactions: Some(self.transactions as i64),
            error_code: None,
            error_message: None,
            values,
            details,
            detail_lists,
            balances,
        }
    }
}

/// Day `d` of a year-long statement, as Flinks writes dates.
fn day(d: usize) -> String {
    format!("2025-{:02}-{:02}", 1 + d / 28, 1 + d % 28)
}

fn at(minute: usize) -> String {
    format!(
        "2026-03-{:02}T{:02}:{:02}:00.000Z",
        1 + minute / 1440,
        minute / 60 % 24,
        minute % 60
    )
}

fn version(policy: &str, document: &str) -> SharedPolicyVersion {
    SharedPolicyVersion {
        policy: policy.into(),
        sha256: format!("{:x}", Sha256::digest(document.as_bytes())),
        document: document.into(),
        note: "first cut".into(),
        saved_at: at(0),
    }
}

fn decision(
    uid: &str,
    run: &SharedRun,
    by: &DeskId,
    v: &SharedPolicyVersion,
    word: &str,
    overridden: Option<&str>,
) -> SharedDecision {
    SharedDecision {
        uid: uid.into(),
        run_uid: run.uid.clone(),
        made_on: by.clone(),
        policy: v.policy.clone(),
        policy_sha256: v.sha256.clone(),
        decision: word.into(),
        reasons: r#"["NSF count 0","income steady"]"#.into(),
        input: r#"{"nsf":0,"income":5400.5}"#.into(),
        trace: r#"[{"table":"risk","row":2}]"#.into(),
        affordability: None,
        override_decision: overridden.map(Into::into),
        override_comment: overridden.map(|_| "customer called: bonus income verified".into()),
        decided_at: at(10),
        decided_by: by.user.clone(),
    }
}

fn audit(uid: &str, on: &DeskId, action: &str, subject: &str) -> AuditEntry {
    AuditEntry {
        uid: uid.into(),
        at: at(5),
        made_on: on.clone(),
        action: action.into(),
        subject: subject.into(),
    }
}

/// A desk's typical push: runs, the policy version they were decided with, the decisions, and
/// the audit lines for it all.
fn batch(on: &DeskId, prefix: &str, runs: usize, size: Size) -> Batch {
    let v = version("Standard lending", &format!("policy of {}", on.desk));
    let runs: Vec<SharedRun> = (0..runs)
        .map(|i| size.run(&format!("{prefix}-run-{i}"), on, &at(i)))
        .collect();
    let decisions: Vec<SharedDecision> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| decision(&format!("{prefix}-dec-{i}"), r, on, &v, "pass", None))
        .collect();
    let audit = runs
        .iter()
        .map(|r| {
            audit(
                &format!("{prefix}-aud-{}", r.uid),
                on,
                "run.completed",
                &r.uid,
            )
        })
        .collect();
    Batch {
        runs,
        policy_versions: vec![v],
        decisions,
        audit,
    }
}

#[tokio::test]
async fn a_batch_pushed_twice_is_stored_once() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "push_twice").await;
    let anna = desk(1, "anna");
    let b = batch(&anna, "a", 3, REALISTIC);
    let first = store.push(&b).await.unwrap();
    assert_eq!(
        first,
        Stored {
            runs: 3,
            policy_versions: 1,
            decisions: 3,
            audit: 3
        }
    );
    assert_eq!(store.push(&b).await.unwrap(), Stored::default());
    // A batch of old and new: only the new is counted, and gets its rows.
    let mut more = batch(&anna, "a", 4, SMALL);
    more.runs.drain(..3);
    more.decisions.drain(..3);
    more.audit.drain(..3);
    more.runs.push(b.runs[0].clone());
    let stored = store.push(&more).await.unwrap();
    assert_eq!((stored.runs, stored.decisions, stored.audit), (1, 1, 1));
    assert_eq!(stored.policy_versions, 0);

    let db = &team.db;
    assert_eq!(rows(pg, db, "runs"), 4);
    assert_eq!(rows(pg, db, "attribute_values"), 3 * 100 + 6);
    assert_eq!(rows(pg, db, "run_transactions"), 3 * 500 + 9);
    assert_eq!(rows(pg, db, "attribute_detail_lists"), 3 * 100 + 3);
    assert_eq!(rows(pg, db, "account_balances"), 3 * 300 + 6);
    assert_eq!(rows(pg, db, "policy_versions"), 1);
    assert_eq!(rows(pg, db, "decisions"), 4);
    assert_eq!(rows(pg, db, "audit_log"), 4);
    assert_eq!(rows(pg, db, "team_feed"), 4 + 1 + 4 + 4);
    // What came back is what went up, to the last transaction.
    let pulled = store.pull(0, Desks::All, 100).await.unwrap();
    assert_eq!(pulled.batch.runs[..3], b.runs[..]);
    assert_eq!(pulled.batch.runs[3], more.runs[0]);
    assert_eq!(pulled.batch.policy_versions, b.policy_versions);
}

#[tokio::test]
async fn a_decision_on_a_missing_policy_version_refuses_the_whole_batch() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "missing_version").await;
    let anna = desk(1, "anna");
    let mut b = batch(&anna, "a", 2, SMALL);
    let stray = version("Standard lending", "a version nobody pushed");
    b.decisions[1] = decision("a-dec-1", &b.runs[1], &anna, &stray, "refer", None);
    match store.push(&b).await {
        Err(TeamError::Database(why)) => {
            assert!(
                why.contains("a-dec-1") && why.contains("Standard lending"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    for table in [
        "runs",
        "attribute_values",
        "policy_versions",
        "decisions",
        "audit_log",
        "team_feed",
    ] {
        assert_eq!(rows(pg, &team.db, table), 0, "{table}");
    }
    // A decision on a run the store does not have is refused the same way.
    let mut b = batch(&anna, "b", 1, SMALL);
    b.runs.clear();
    match store.push(&b).await {
        Err(TeamError::Database(why)) => assert!(why.contains("b-run-0"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(rows(pg, &team.db, "team_feed"), 0);
    // The same batch with its version goes in whole.
    let b = batch(&anna, "a", 2, SMALL);
    assert_eq!(store.push(&b).await.unwrap().decisions, 2);
}

#[tokio::test]
async fn pulls_return_each_record_once_in_feed_order_by_desk() {
    let pg = TestPostgres::shared().unwrap();
    let (_team, store) = set_up(pg, "pull_pages").await;
    let (anna, ben) = (desk(1, "anna"), desk(2, "ben"));
    let a1 = batch(&anna, "a1", 2, SMALL);
    let b1 = batch(&ben, "b1", 3, SMALL);
    let mut a2 = batch(&anna, "a2", 1, SMALL);
    // Decided with the version a1 brought.
    a2.policy_versions.clear();
    for b in [&a1, &b1, &a2] {
        store.push(b).await.unwrap();
    }
    // The feed: runs, the version, decisions, audit, push after push.
    let expected = |from: &[&Batch]| {
        let mut order = Vec::new();
        for b in from {
            order.extend(b.runs.iter().map(|r| format!("run {}", r.uid)));
            order.extend(
                b.policy_versions
                    .iter()
                    .map(|v| format!("policy {}", v.sha256)),
            );
            order.extend(b.decisions.iter().map(|d| format!("decision {}", d.uid)));
            order.extend(b.audit.iter().map(|a| format!("audit {}", a.uid)));
        }
        order
    };
    for (from, want, expected_batches) in [
        (Desks::All, expected(&[&a1, &b1, &a2]), vec![&a1, &b1, &a2]),
        (Desks::Except("desk-0001"), expected(&[&b1]), vec![&b1]),
        (
            Desks::Only("desk-0001"),
            expected(&[&a1, &a2]),
            vec![&a1, &a2],
        ),
        (
            Desks::Except("desk-0002"),
            expected(&[&a1, &a2]),
            vec![&a1, &a2],
        ),
    ] {
        for page in [1, 2, 3, 7, 100] {
            let (mut cursor, mut got, mut pulled_runs) = (0, Vec::new(), Vec::new());
            loop {
                let p = store.pull(cursor, from, page).await.unwrap();
                let n = p.batch.runs.len()
                    + p.batch.policy_versions.len()
                    + p.batch.decisions.len()
                    + p.batch.audit.len();
                assert!(n <= page);
                assert_eq!(p.more, n == page, "{from:?} page {page}");
                // Within a page, each kind in feed order; kinds in the order a push stores them.
                got.extend(p.batch.runs.iter().map(|r| format!("run {}", r.uid)));
                got.extend(
                    p.batch
                        .policy_versions
                        .iter()
                        .map(|v| format!("policy {}", v.sha256)),
                );
                got.extend(
                    p.batch
                        .decisions
                        .iter()
                        .map(|d| format!("decision {}", d.uid)),
                );
                got.extend(p.batch.audit.iter().map(|a| format!("audit {}", a.uid)));
                pulled_runs.extend(p.batch.runs);
                assert!(p.cursor >= cursor);
                if n == 0 {
                    assert_eq!(p.cursor, cursor, "an empty pull keeps the cursor");
                }
                cursor = p.cursor;
                if !p.more {
                    break;
                }
            }
            // A page holds each kind in its own list: with one record a page the order is the
            // feed's exactly; with more, each kind keeps the feed's order.
            if page == 1 {
                assert_eq!(got, want, "{from:?} page {page}");
            }
            assert_eq!(got.len(), want.len(), "{from:?} page {page}: each once");
            for kind in ["run ", "policy ", "decision ", "audit "] {
                let of = |all: &[String]| {
                    all.iter()
                        .filter(|r| r.starts_with(kind))
                        .cloned()
                        .collect::<Vec<_>>()
                };
                assert_eq!(of(&got), of(&want), "{from:?} page {page}");
            }
            let want_runs: Vec<&SharedRun> =
                expected_batches.iter().flat_map(|b| &b.runs).collect();
            assert_eq!(pulled_runs.iter().collect::<Vec<_>>(), want_runs);
        }
    }
    // After the end, nothing, and the same cursor.
    let end = store.pull(0, Desks::All, 1000).await.unwrap().cursor;
    let after = store.pull(end, Desks::All, 10).await.unwrap();
    assert!(after.batch.is_empty() && !after.more && after.cursor == end);
    // Records pushed later come after the cursor, once.
    let b2 = batch(&ben, "b2", 1, SMALL);
    store.push(&b2).await.unwrap();
    let later = store
        .pull(end, Desks::Except("desk-0001"), 100)
        .await
        .unwrap();
    assert_eq!(later.batch.runs, b2.runs);
    assert_eq!(later.batch.decisions, b2.decisions);
    assert_eq!(later.batch.audit, b2.audit);
}

#[tokio::test]
async fn history_says_who_decided_what_and_filters_by_it() {
    let pg = TestPostgres::shared().unwrap();
    let (_team, store) = set_up(pg, "history").await;
    let (anna, ben, cleo) = (desk(1, "anna"), desk(2, "ben"), desk(3, "cleo"));
    let v = version("Standard lending", "rules");
    let r = |n: usize, on: &DeskId| SMALL.run(&format!("run-{n}"), on, &at(n));
    // run-0 undecided (anna's), run-1 decided by ben, run-2 reviewed (ben then cleo),
    // run-3 overridden by cleo on review of anna's pass, run-4 anna's and decided by her.
    let runs = vec![
        r(0, &anna),
        r(1, &anna),
        r(2, &ben),
        r(3, &ben),
        r(4, &anna),
    ];
    let decisions = vec![
        decision("d1", &runs[1], &ben, &v, "decline", None),
        decision("d2", &runs[2], &ben, &v, "refer", None),
        decision("d3", &runs[3], &anna, &v, "pass", None),
        decision("d4", &runs[2], &cleo, &v, "pass", None),
        decision("d5", &runs[3], &cleo, &v, "pass", Some("decline")),
        decision("d6", &runs[4], &anna, &v, "pass", None),
    ];
    let b = Batch {
        runs: runs.clone(),
        policy_versions: vec![v.clone()],
        decisions,
        audit: Vec::new(),
    };
    store.push(&b).await.unwrap();

    let all = store.history(&TeamFilter::default()).await.unwrap();
    let uids: Vec<&str> = all.iter().map(|t| t.uid.as_str()).collect();
    assert_eq!(
        uids,
        ["run-4", "run-3", "run-2", "run-1", "run-0"],
        "newest first"
    );
    let by_uid = |uid: &str| all.iter().find(|t| t.uid == uid).unwrap();
    let run0 = by_uid("run-0");
    assert_eq!(run0.review, ReviewStatus::Undecided);
    assert_eq!(
        (run0.decision.as_deref(), run0.decided_by.as_deref()),
        (None, None)
    );
    assert!(run0.deciders.is_empty());
    assert_eq!(run0.values, 6);
    assert_eq!(run0.made_on, anna);
    assert_eq!(run0.environment, "Flinks toolbox");
    assert_eq!(run0.customer_label, "Customer run-0");
    let run1 = by_uid("run-1");
    assert_eq!(run1.review, ReviewStatus::Decided);
    assert_eq!(run1.decision.as_deref(), Some("decline"));
    let run2 = by_uid("run-2");
    assert_eq!(run2.review, ReviewStatus::Reviewed);
    assert_eq!(
        (run2.decision.as_deref(), run2.decided_by.as_deref()),
        (Some("pass"), Some("cleo"))
    );
    assert_eq!(run2.deciders, ["ben", "cleo"]);
    let run3 = by_uid("run-3");
    assert_eq!(run3.review, ReviewStatus::Overridden);
    assert_eq!(
        run3.decision.as_deref(),
        Some("decline"),
        "the override's word"
    );
    assert_eq!(run3.decided_by.as_deref(), Some("cleo"));
    assert_eq!(run3.deciders, ["anna", "cleo"]);

    let listed = |filter: TeamFilter| {
        let store = &store;
        async move {
            let runs = store.history(&filter).await.unwrap();
            runs.into_iter().map(|t| t.uid).collect::<Vec<_>>()
        }
    };
    let who = |u: &str| TeamFilter {
        underwriter: Some(u.into()),
        ..TeamFilter::default()
    };
    // Made by anna, or decided by her.
    assert_eq!(
        listed(who("anna")).await,
        ["run-4", "run-3", "run-1", "run-0"]
    );
    assert_eq!(listed(who("ben")).await, ["run-3", "run-2", "run-1"]);
    assert_eq!(listed(who("cleo")).await, ["run-3", "run-2"]);
    assert!(listed(who("dan")).await.is_empty());
    let status = |s: ReviewStatus| TeamFilter {
        review: Some(s),
        ..TeamFilter::default()
    };
    assert_eq!(
        listed(status(ReviewStatus::Decided)).await,
        ["run-4", "run-1"]
    );
    assert_eq!(listed(status(ReviewStatus::Reviewed)).await, ["run-2"]);
    assert_eq!(listed(status(ReviewStatus::Overridden)).await, ["run-3"]);
    assert_eq!(listed(status(ReviewStatus::Undecided)).await, ["run-0"]);
    let both = TeamFilter {
        underwriter: Some("anna".into()),
        review: Some(ReviewStatus::Decided),
        limit: Some(1),
    };
    assert_eq!(listed(both).await, ["run-4"]);
    let two = TeamFilter {
        limit: Some(2),
        ..TeamFilter::default()
    };
    assert_eq!(listed(two).await, ["run-4", "run-3"]);

    let of3 = store.decisions_of("run-3").await.unwrap();
    assert_eq!(of3, [b.decisions[2].clone(), b.decisions[4].clone()]);
    assert!(store.decisions_of("run-0").await.unwrap().is_empty());
}

/// The SQLSTATE of running `sql` as the desks' role.
async fn as_app(url: &str, sql: &str) -> Result<u64, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.execute(sql, &[]).await.map_err(|e| {
        e.code()
            .map(|c| c.code().to_owned())
            .unwrap_or_else(|| e.to_string())
    })
}

#[tokio::test]
async fn the_desks_role_can_only_add_and_read() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "grants").await;
    let anna = desk(1, "anna");
    store.push(&batch(&anna, "a", 1, SMALL)).await.unwrap();
    let url = &team.url;
    for sql in [
        "UPDATE audit_log SET subject = 'nothing happened'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE runs SET status = 'failed'",
        "DELETE FROM runs",
        "UPDATE decisions SET decision = 'pass'",
        "DELETE FROM team_feed",
        "UPDATE attribute_values SET raw = '0'",
        "DROP TABLE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
        "CREATE TABLE mine (x int)",
    ] {
        let refused = as_app(url, sql).await;
        assert_eq!(refused, Err("42501".into()), "{sql}");
    }
    assert_eq!(
        as_app(
            url,
            "INSERT INTO audit_log (uid, at, desk_id, os_user, action, subject)
                      VALUES ('by-hand', 'now', 'd', 'u', 'a', 's')"
        )
        .await,
        Ok(1)
    );
    assert_eq!(as_app(url, "SELECT * FROM audit_log").await, Ok(2));
    assert_eq!(rows(pg, &team.db, "audit_log"), 2);
    // Even the owner cannot change or empty the audit log without dropping its triggers first.
    for sql in [
        "UPDATE audit_log SET subject = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = pg.psql(&team.db, sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(rows(pg, &team.db, "audit_log"), 2);
}

#[tokio::test]
async fn setup_again_migrates_nothing_and_changes_the_password() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "setup_again").await;
    store
        .push(&batch(&desk(1, "anna"), "a", 2, SMALL))
        .await
        .unwrap();
    let role = format!("{}_app", team.db);
    PgTeamStore::setup(&pg.admin_url(&team.db), &role, "a new one")
        .await
        .unwrap();
    assert_eq!(rows(pg, &team.db, "team_schema"), 1);
    assert_eq!(rows(pg, &team.db, "runs"), 2);
    assert!(matches!(
        PgTeamStore::connect(&team.url).await,
        Err(TeamError::Refused { .. })
    ));
    let store = PgTeamStore::connect(&app_url(pg, &team.db, "a%20new%20one"))
        .await
        .unwrap();
    assert_eq!(
        store.history(&TeamFilter::default()).await.unwrap().len(),
        2
    );
    // The server keeps a SCRAM verifier, never the password.
    let kept = pg
        .psql(
            "postgres",
            &format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'"),
        )
        .unwrap();
    assert!(
        kept.starts_with("SCRAM-SHA-256$") && !kept.contains("new one"),
        "{kept}"
    );
}

#[tokio::test]
async fn a_database_not_set_up_or_newer_is_said_so() {
    let pg = TestPostgres::shared().unwrap();
    let db = pg.create_database("not_set_up").unwrap();
    match PgTeamStore::connect(&pg.admin_url(&db)).await {
        Err(TeamError::NotSetUp) => {}
        other => panic!("{other:?}"),
    }
    let (team, _store) = set_up(pg, "too_new").await;
    pg.psql(&team.db, "INSERT INTO team_schema (version) VALUES (2)")
        .unwrap();
    match PgTeamStore::connect(&team.url).await {
        Err(TeamError::TooNew { found: 2, known: 1 }) => {}
        other => panic!("{other:?}"),
    }
    match PgTeamStore::setup(&pg.admin_url(&team.db), "someone", "pw").await {
        Err(TeamError::TooNew { found: 2, known: 1 }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_being_shown() {
    let pg = TestPostgres::shared().unwrap();
    let (team, _store) = set_up(pg, "wrong_password").await;
    let wrong = "Wr0ng-Pa55word-4711";
    let url = app_url(pg, &team.db, wrong);
    let err = PgTeamStore::connect(&url).await.unwrap_err();
    assert!(matches!(err, TeamError::Refused { .. }), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(wrong) && !text.contains(&team.password),
            "{text}"
        );
        assert!(
            text.contains(&format!("{}_app@127.0.0.1", team.db)),
            "{text}"
        );
    }
    assert_eq!(redacted(&url), url.replace(&format!(":{wrong}"), ""));
    // A store's Debug never holds its password either.
    let store = PgTeamStore::connect(&team.url).await.unwrap();
    let debug = format!("{store:?}");
    assert!(
        !debug.contains(&team.password) && debug.contains("127.0.0.1"),
        "{debug}"
    );
}

/// This machine's address on its network (not loopback), if it has one.
fn own_address() -> Option<std::net::IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    // No packet is sent: connecting a UDP socket only picks the route.
    socket.connect("10.255.255.1:9").ok()?;
    Some(socket.local_addr().ok()?.ip()).filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

#[tokio::test]
async fn another_host_without_tls_is_refused_before_connecting() {
    // A listener on every address of this machine: a desk that tried to connect to its
    // network address would be seen here.
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let host = own_address().map_or_else(|| "db.example.com".to_owned(), |ip| ip.to_string());
    for url in [
        format!("postgres://desk:s3cret-pw@{host}:{port}/team"),
        format!("postgres://desk:s3cret-pw@{host}:{port}/team?sslmode=prefer"),
        format!("postgres://desk:s3cret-pw@{host}:{port}/team?sslmode=disable"),
    ] {
        let started = Instant::now();
        let err = PgTeamStore::connect(&url).await.unwrap_err();
        assert!(matches!(err, TeamError::NeedsTls { .. }), "{err:?}");
        assert!(!err.to_string().contains("s3cret-pw"), "{err}");
        assert!(started.elapsed() < Duration::from_millis(500));
        let err = PgTeamStore::setup(&url, "app", "pw").await.unwrap_err();
        assert!(matches!(err, TeamError::NeedsTls { .. }), "{err:?}");
    }
    assert_eq!(
        listener.accept().map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "nothing connected"
    );
    // With TLS asked for, it does try (and gets no TLS from this listener, which never answers).
    let url = format!("postgres://desk:s3cret-pw@{host}:{port}/team?sslmode=require");
    if host != "db.example.com" {
        let err = PgTeamStore::connect(&url).await.unwrap_err();
        assert!(matches!(err, TeamError::Unreachable { .. }), "{err:?}");
        assert!(!format!("{err:?}").contains("s3cret-pw"));
        assert!(listener.accept().is_ok(), "it connected to ask for TLS");
    }
}

/// A CA of the test's own, and a certificate it signed for 127.0.0.1 and localhost as the
/// server's (`server.crt` and `server.key` in `data`); the CA's file.
fn certificates(data: &Path) -> PathBuf {
    std::fs::write(
        data.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    for args in [
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=TeamTestCA -keyout ca.key -out ca.crt",
        "req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr",
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
         -extfile san.ext -out server.crt",
    ] {
        let out = Command::new("openssl")
            .args(args.split_whitespace())
            .current_dir(data)
            .output()
            .expect("openssl (Debian's openssl package)");
        let why = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "openssl {args}: {why}");
    }
    data.join("ca.crt")
}

#[tokio::test]
async fn tls_when_asked_for_with_the_server_s_certificate_checked() {
    // The shared server has no TLS: asked for, it is not dropped for clear text.
    let pg = TestPostgres::shared().unwrap();
    let (team, _store) = set_up(pg, "no_tls").await;
    let err = PgTeamStore::connect(&format!("{}?sslmode=require", team.url))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TeamError::Unreachable { ref reason, .. } if reason.contains("TLS")),
        "{err:?}"
    );

    // A server of its own with TLS on.
    let pg = TestPostgres::start().unwrap();
    let (team, _store) = set_up(&pg, "tls").await;
    let ca = certificates(&pg.dir().join("data"));
    pg.psql(&team.db, "ALTER SYSTEM SET ssl = on").unwrap();
    pg.psql(&team.db, "SELECT pg_reload_conf()").unwrap();
    let trusted = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        team.url,
        ca.display()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let store = loop {
        match PgTeamStore::connect(&trusted).await {
            Ok(store) => break store,
            // Until the server has read its new setting.
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e:?}"),
        }
    };
    let pushed = store
        .push(&batch(&desk(1, "anna"), "a", 2, SMALL))
        .await
        .unwrap();
    assert_eq!(pushed.runs, 2);
    let over_tls = pg
        .psql(
            &team.db,
            &format!(
                "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.usename = '{}_app' AND s.ssl AND s.version LIKE 'TLSv1._'",
                team.db
            ),
        )
        .unwrap();
    assert_eq!(over_tls.trim(), "1", "the desk's connection is TLS");
    // The public roots do not know this CA: the server is not trusted.
    let err = PgTeamStore::connect(&format!("{}?sslmode=require", team.url))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TeamError::Unreachable { ref reason, .. } if reason.contains("certificate")),
        "{err:?}"
    );
    // By name too: localhost is in the certificate.
    let by_name = trusted.replace("@127.0.0.1:", "@localhost:");
    assert_eq!(
        PgTeamStore::connect(&by_name)
            .await
            .unwrap()
            .history(&TeamFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_server_gone_is_unreachable_and_back_loses_nothing() {
    // A server of its own: stopping the shared one would fail the other tests.
    let pg = TestPostgres::start().unwrap();
    let (team, store) = set_up(&pg, "outage").await;
    let (anna, ben) = (desk(1, "anna"), desk(2, "ben"));
    let before = batch(&anna, "a", 2, SMALL);
    store.push(&before).await.unwrap();

    pg.stop().unwrap();
    let started = Instant::now();
    let err = store.push(&batch(&ben, "b", 1, SMALL)).await.unwrap_err();
    assert!(matches!(err, TeamError::Unreachable { .. }), "{err:?}");
    assert!(!err.to_string().contains(&team.password), "{err}");
    let err = store.pull(0, Desks::All, 10).await.unwrap_err();
    assert!(matches!(err, TeamError::Unreachable { .. }), "{err:?}");
    let err = store.history(&TeamFilter::default()).await.unwrap_err();
    assert!(matches!(err, TeamError::Unreachable { .. }), "{err:?}");
    let err = PgTeamStore::connect(&team.url).await.unwrap_err();
    assert!(matches!(err, TeamError::Unreachable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    pg.restart().unwrap();
    let after = batch(&ben, "b", 1, SMALL);
    assert_eq!(store.push(&after).await.unwrap().runs, 1);
    let all = store.pull(0, Desks::All, 100).await.unwrap();
    let runs: Vec<&str> = all.batch.runs.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(runs, ["a-run-0", "a-run-1", "b-run-0"]);
    assert_eq!(all.batch.runs[..2], before.runs[..]);
    assert_eq!(store.audit_log().await.unwrap().len(), 3);
}

#[tokio::test]
async fn nothing_listening_is_unreachable_quickly() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://desk:pw@127.0.0.1:{port}/team");
    let err = PgTeamStore::connect(&url).await.unwrap_err();
    match err {
        TeamError::Unreachable { at, reason } => {
            assert_eq!(at, format!("postgres://desk@127.0.0.1:{port}/team"));
            assert!(!reason.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pushes_at_once_keep_the_feed_in_commit_order() {
    let pg = TestPostgres::shared().unwrap();
    let (_team, store) = set_up(pg, "concurrent").await;
    let store = std::sync::Arc::new(store);
    // Eight desks push at once while one desk pulls: it must see every record exactly once.
    let pushes: Vec<_> = (0..8u32)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let on = desk(10 + n, "u");
                for round in 0..3 {
                    let b = batch(&on, &format!("d{n}r{round}"), 2, SMALL);
                    store.push(&b).await.unwrap();
                }
            })
        })
        .collect();
    let (mut cursor, mut seen) = (0, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < 8 * 3 * 2 && Instant::now() < deadline {
        let p = store.pull(cursor, Desks::All, 5).await.unwrap();
        seen.extend(p.batch.runs.into_iter().map(|r| r.uid));
        cursor = p.cursor;
    }
    for p in pushes {
        p.await.unwrap();
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (48, 48));
}

#[tokio::test]
async fn a_push_waits_for_the_push_before_it_to_commit() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "push_lock").await;
    // Another push in the middle of its transaction, holding the push lock ("deskpush").
    let (other, connection) = tokio_postgres::connect(&team.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    other
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(x'6465736b70757368'::bigint)")
        .await
        .unwrap();
    let store = std::sync::Arc::new(store);
    let pushing = {
        let store = store.clone();
        tokio::spawn(async move { store.push(&batch(&desk(1, "anna"), "a", 1, SMALL)).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !pushing.is_finished(),
        "a push drew feed seqs beside another"
    );
    assert_eq!(rows(pg, &team.db, "team_feed"), 0);
    other.batch_execute("COMMIT").await.unwrap();
    assert_eq!(pushing.await.unwrap().unwrap().runs, 1);
}

/// `cargo test -p desk-core --test team_postgres -- --ignored --nocapture bench`
#[tokio::test]
#[ignore = "a benchmark: about a minute"]
async fn bench_push_1000_runs_and_history_of_10000() {
    let pg = TestPostgres::shared().unwrap();
    let (team, store) = set_up(pg, "bench").await;
    let anna = desk(1, "anna");
    let one = batch(&anna, "one", 1000, REALISTIC);
    let started = Instant::now();
    let stored = store.push(&one).await.unwrap();
    let whole = started.elapsed();
    assert_eq!(stored.runs, 1000);
    println!("push of 1,000 runs in one batch: {whole:.2?}");

    // As a sync sends them: pages of 200 records.
    let mut paged = batch(&anna, "paged", 1000, REALISTIC);
    let (mut total, mut pages) = (Duration::ZERO, 0);
    for chunk in paged.runs.chunks(200) {
        let b = Batch {
            runs: chunk.to_vec(),
            ..Batch::default()
        };
        let started = Instant::now();
        store.push(&b).await.unwrap();
        total += started.elapsed();
        pages += 1;
    }
    paged.runs.clear();
    store.push(&paged).await.unwrap();
    println!("push of 1,000 runs in {pages} pages of 200: {total:.2?}");

    let started = Instant::now();
    let pulled = store.pull(0, Desks::All, 200).await.unwrap();
    println!("pull of 200 runs: {:.2?}", started.elapsed());
    assert_eq!(pulled.batch.runs[..], one.runs[..200]);
    drop((one, pulled));

    // History: 10,000 runs (2,000 above and 8,000 small ones), most decided, some reviewed.
    let v = version("Standard lending", "rules");
    store
        .push(&Batch {
            policy_versions: vec![v.clone()],
            ..Batch::default()
        })
        .await
        .unwrap();
    let users = ["anna", "ben", "cleo", "dan"];
    for chunk in 0..8 {
        let runs: Vec<SharedRun> = (0..1000)
            .map(|i| {
                let n = chunk * 1000 + i;
                SMALL.run(&format!("h-{n}"), &desk(n as u32 % 7, users[n % 4]), &at(n))
            })
            .collect();
        let mut decisions = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            if i % 5 != 0 {
                let by = desk(1, users[(i + 1) % 4]);
                decisions.push(decision(&format!("{}-d1", r.uid), r, &by, &v, "pass", None));
            }
            if i % 3 == 0 {
                let by = desk(2, users[(i + 2) % 4]);
                let overridden = (i % 9 == 0).then_some("refer");
                decisions.push(decision(
                    &format!("{}-d2", r.uid),
                    r,
                    &by,
                    &v,
                    "pass",
                    overridden,
                ));
            }
        }
        store
            .push(&Batch {
                runs,
                decisions,
                ..Batch::default()
            })
            .await
            .unwrap();
    }
    pg.psql(&team.db, "VACUUM ANALYZE").unwrap();
    assert_eq!(rows(pg, &team.db, "runs"), 10_000);
    for (what, filter) in [
        ("all", TeamFilter::default()),
        (
            "ben's",
            TeamFilter {
                underwriter: Some("ben".into()),
                ..TeamFilter::default()
            },
        ),
        (
            "overridden",
            TeamFilter {
                review: Some(ReviewStatus::Overridden),
                ..TeamFilter::default()
            },
        ),
        (
            "newest 100",
            TeamFilter {
                limit: Some(100),
                ..TeamFilter::default()
            },
        ),
    ] {
        let _ = store.history(&filter).await.unwrap();
        let started = Instant::now();
        let listed = store.history(&filter).await.unwrap();
        let took = started.elapsed();
        println!("history, {what}: {} runs in {took:.2?}", listed.len());
        assert!(took < Duration::from_millis(300), "{what}: {took:?}");
    }
    assert!(whole < Duration::from_secs(5), "{whole:?}");
}
