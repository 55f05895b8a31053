//! Two desks, each with its own data folder, sharing one PostgreSQL: each sees the other's runs
//! and decisions, a second decision stands beside the first as a review, and a team store that
//! goes away mid-session loses nothing and doubles nothing when it is back.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::team::postgres::PgTeamStore;
use desk_core::team::{ReviewStatus, TeamFilter};
use desk_core::{BuiltinOptions, Decision, Desk, MemoryStore, Package, Store};
use desk_test_postgres::TestPostgres;

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

/// Opening a store reads the OS user from USER: one opening at a time, so each desk gets its own.
static USER: Mutex<()> = Mutex::new(());

async fn desk_of(dir: &Path, user: &str) -> Desk {
    let store = {
        let _one = USER.lock().unwrap();
        std::env::set_var("USER", user);
        Store::open(&dir.join("desk.sqlite3")).unwrap()
    };
    Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(30),
        },
        store,
        Arc::new(MemoryStore::default()),
    )
    .await
    .unwrap()
}

async fn team_db(pg: &TestPostgres, name: &str) -> String {
    let db = pg.create_database(name).unwrap();
    PgTeamStore::setup(&pg.admin_url(&db), "desk_app", "app-pw-7431")
        .await
        .unwrap();
    format!(
        "postgres://desk_app:app-pw-7431@127.0.0.1:{}/{db}",
        pg.port()
    )
}

async fn lending(desk: &Desk, customer: &str) -> i64 {
    desk.run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id
}

fn all() -> TeamFilter {
    TeamFilter::default()
}

#[tokio::test]
async fn two_desks_on_one_database_see_each_other_s_runs_and_decisions() {
    let pg = TestPostgres::shared().unwrap();
    let url = team_db(pg, "two_desks").await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ana = desk_of(a_dir.path(), "ana").await;
    let ben = desk_of(b_dir.path(), "ben").await;
    for desk in [&ana, &ben] {
        let status = desk.join_team(&url).await.unwrap();
        assert!(status.online, "{status:?}");
        assert!(!status.at.as_deref().unwrap().contains("app-pw-7431"));
    }

    let anas_run = lending(&ana, "borrower_nsf").await;
    let decided = ana
        .decide(anas_run, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    let bens_run = lending(&ben, "gig_worker").await;
    // The run, the policy version, the decision, and the audit lines of the run and decision.
    assert_eq!(ana.team_status().await.unwrap().waiting, 5);

    let pushed = ana.sync_team().await.unwrap();
    assert!(pushed.online && pushed.waiting == 0, "{pushed:?}");
    assert_eq!(pushed.last_report.pushed.runs, 1);
    assert_eq!(pushed.last_report.pushed.decisions, 1);
    let both = ben.sync_team().await.unwrap();
    assert_eq!(both.last_report.pushed.runs, 1);
    assert_eq!(both.last_report.pulled.runs, 1);
    assert_eq!(both.last_report.pulled.decisions, 1);
    ana.sync_team().await.unwrap();

    // Each desk's history has both runs, with who made them and where they stand.
    for desk in [&ana, &ben] {
        let history = desk.history_filtered(&all()).unwrap();
        assert_eq!(history.len(), 2);
        let by = |user: &str| {
            history
                .iter()
                .find(|h| h.run.made_by.as_deref() == Some(user))
                .unwrap_or_else(|| panic!("{user}'s run in {history:#?}"))
        };
        assert_eq!(by("ana").review, ReviewStatus::Decided);
        assert_eq!(
            by("ana").decision.as_ref().unwrap().decision,
            decided.summary.decision
        );
        assert_eq!(by("ben").review, ReviewStatus::Undecided);
        assert!(by("ana").run.values > 0);
    }
    // The values Ben reads are those Ana's desk computed.
    let on_ben = ben.history_filtered(&all()).unwrap();
    let anas_on_ben = on_ben
        .iter()
        .find(|h| h.run.made_by.as_deref() == Some("ana"))
        .unwrap()
        .run
        .id;
    let mine = ana.open_run(anas_run).unwrap();
    let theirs = ben.open_run(anas_on_ben).unwrap();
    assert_eq!(mine.rows.len(), theirs.rows.len());
    assert_eq!(
        serde_json::to_value(&mine.rows).unwrap(),
        serde_json::to_value(&theirs.rows).unwrap()
    );

    // Ben reviews Ana's decision and overrides it: it stands beside hers, hers is kept.
    // Ben reads Ana's run as his own desk would: its credit file is made here.
    let file = ben.credit_file(anas_on_ben).unwrap();
    assert_eq!(file.run_id, anas_on_ben);
    let review = ben
        .decide(anas_on_ben, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    ben.override_decision(review.summary.id, Decision::Pass, "long-standing customer")
        .unwrap();
    ben.sync_team().await.unwrap();
    let back = ana.sync_team().await.unwrap();
    assert_eq!(back.last_report.pulled.decisions, 2);
    let decisions = ana.decisions(anas_run).unwrap();
    assert_eq!(
        decisions.len(),
        3,
        "Ana's decision, Ben's review, Ben's override"
    );
    assert_eq!(decisions[0].summary.id, decided.summary.id);
    let line = ana
        .history_filtered(&TeamFilter {
            review: Some(ReviewStatus::Overridden),
            ..all()
        })
        .unwrap();
    assert_eq!(line.len(), 1);
    assert_eq!(line[0].deciders, ["ana", "ben", "ben"]);
    let bens = ana
        .history_filtered(&TeamFilter {
            underwriter: Some("ben".into()),
            ..all()
        })
        .unwrap();
    assert_eq!(bens.len(), 2, "the run Ben made and the one he reviewed");
    assert!(ana
        .history_filtered(&TeamFilter {
            underwriter: Some("carl".into()),
            ..all()
        })
        .unwrap()
        .is_empty());
    let _ = bens_run;

    // The team store's own history and audit log have it all once.
    let (team, status) = ana.team_store_history(&all()).await.unwrap();
    assert!(status.online);
    assert_eq!(team.len(), 2);
    let store = PgTeamStore::connect(&url).await.unwrap();
    use desk_core::team::TeamStore as _;
    let audit = store.audit_log().await.unwrap();
    let actions: Vec<_> = audit
        .iter()
        .map(|a| (a.made_on.user.as_str(), a.action.as_str()))
        .collect();
    for expected in [
        ("ana", "run.completed"),
        ("ana", "decision.made"),
        ("ben", "run.completed"),
        ("ben", "decision.made"),
        ("ben", "decision.overridden"),
        ("ben", "credit_file.made"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }

    // Every row of every table of the team store, as text: no loginId, no password.
    let db = url.rsplit('/').next().unwrap();
    let tables = pg
        .psql(
            db,
            "SELECT string_agg(table_name, ' ') FROM information_schema.tables
             WHERE table_schema = 'public'",
        )
        .unwrap();
    let mut dump = String::new();
    for table in tables.split_whitespace() {
        dump += &pg
            .psql(
                db,
                &format!("SELECT string_agg(t::text, chr(10)) FROM {table} t"),
            )
            .unwrap();
    }
    assert!(
        dump.contains("borrower_nsf") || dump.contains("Kevin"),
        "the dump has the rows"
    );
    let today = chrono::Utc::now().date_naive();
    for persona in flinks_sandbox::personas::cast(flinks_sandbox::personas::DEFAULT_SEED, today) {
        let login_id = persona.login_id.to_string();
        assert!(
            !dump.contains(&login_id),
            "{}'s loginId is in the team store",
            persona.username
        );
    }
    assert!(!dump.contains("app-pw-7431"));
}

#[tokio::test]
async fn a_team_store_gone_mid_session_loses_nothing_and_doubles_nothing() {
    // Its own server: stopping it must not disturb the other tests.
    let pg = TestPostgres::start().unwrap();
    let url = team_db(&pg, "offline").await;
    let dir = tempfile::tempdir().unwrap();
    let ana = desk_of(dir.path(), "ana").await;
    assert!(ana.join_team(&url).await.unwrap().online);
    let first = lending(&ana, "borrower_nsf").await;
    ana.sync_team().await.unwrap();

    pg.stop().unwrap();
    let second = lending(&ana, "gig_worker").await;
    ana.decide(second, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    let offline = ana.sync_team().await.unwrap();
    assert!(!offline.online);
    assert!(offline.waiting >= 3, "{offline:?}");
    assert!(
        offline
            .message
            .as_deref()
            .unwrap()
            .contains("cannot be reached"),
        "{offline:?}"
    );
    assert!(!offline.message.unwrap().contains("app-pw-7431"));
    // The desk works on: its history has both runs.
    assert_eq!(ana.history_filtered(&all()).unwrap().len(), 2);

    pg.restart().unwrap();
    let back = ana.sync_team().await.unwrap();
    assert!(back.online, "{back:?}");
    assert_eq!(back.waiting, 0);
    assert_eq!(back.last_report.pushed.runs, 1, "only the run made offline");
    assert_eq!(back.last_report.pushed.decisions, 1);
    let again = ana.sync_team().await.unwrap();
    assert_eq!(again.last_report.pushed.runs, 0);

    let db = url.rsplit('/').next().unwrap().to_owned();
    let count = |table: &str| -> i64 {
        pg.psql(&db, &format!("SELECT count(*) FROM {table}"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(count("runs"), 2);
    assert_eq!(count("decisions"), 1);
    let (_, team_status) = ana.team_store_history(&all()).await.unwrap();
    assert!(team_status.online);
    let ben_dir = tempfile::tempdir().unwrap();
    let ben = desk_of(ben_dir.path(), "ben").await;
    let joined = ben.join_team(&url).await.unwrap();
    assert_eq!(joined.last_report.pulled.runs, 2);
    let on_ben = ben.history_filtered(&all()).unwrap();
    assert_eq!(on_ben.len(), 2);
    assert_eq!(
        on_ben
            .iter()
            .filter(|h| h.review == ReviewStatus::Decided)
            .count(),
        1
    );
    let _ = first;
}

#[tokio::test]
async fn a_refused_team_url_is_said_in_the_status_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ana = desk_of(dir.path(), "ana").await;
    let e = ana
        .join_team("postgres://desk_app:pw-in-clear-9@db.example.com/lending")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "input.invalid");
    let status = ana.team_status().await.unwrap();
    assert_eq!(status.at, None, "no team store joined");
    let said = status.message.expect("the status says why");
    assert!(said.contains("TLS"), "{said}");
    assert!(!said.contains("pw-in-clear-9"), "{said}");
}

#[tokio::test]
async fn a_run_shared_from_another_desk_opens_here_but_its_customer_cannot_run_here() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ana = desk_of(a_dir.path(), "ana").await;
    lending(&ana, "borrower_nsf").await;
    // Ana's run as the team store hands it over, for a customer of an instance of her own (the
    // sandbox's cast is on every desk, so it would run anywhere).
    let mut shared = {
        let anas = Store::open(&a_dir.path().join("desk.sqlite3")).unwrap();
        let me = anas.desk_id().desk.clone();
        anas.feed_after(0, desk_core::team::Desks::Only(&me), 10)
            .unwrap()
            .batch
    };
    let run = &mut shared.runs[0];
    run.environment.key = "acme".into();
    run.environment.kind = "private".into();
    run.environment.api_base_url = "https://acme-api.private.fin.ag/v3".into();
    run.customer.key = "kept-on-ana-s-desk".into();
    {
        let bens = Store::open(&b_dir.path().join("desk.sqlite3")).unwrap();
        assert_eq!(bens.store_batch(&shared).unwrap().runs, 1);
    }
    let ben = desk_of(b_dir.path(), "ben").await;
    let history = ben.history_filtered(&all()).unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].run.shared);
    let opened = ben.open_run(history[0].run.id).unwrap();
    assert_eq!(opened.shared_by.as_deref(), Some("ana"));
    assert!(!opened.rows.is_empty(), "its values are readable here");
    assert!(
        ben.customers().iter().all(|c| c.id != "kept-on-ana-s-desk"),
        "not one of Ben's customers"
    );
    let refused = ben
        .run("kept-on-ana-s-desk", Package::Lending, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "customer.shared");
    assert!(refused.to_string().contains("ana"), "{refused}");
    assert!(refused.hint().contains("ask ana"), "{}", refused.hint());
}
