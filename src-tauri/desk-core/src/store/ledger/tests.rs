use rusqlite::params;

use crate::store::tests::store;
use crate::store::{EnvironmentKind, LedgerTotals, Store};

#[test]
fn the_ledger_keeps_each_call() {
    let (_dir, store) = store();
    let env = store
        .upsert_environment(
            "builtin",
            "Sandbox",
            EnvironmentKind::Builtin,
            "http://x",
            "cid",
            false,
        )
        .unwrap();
    store
        .record_request(env, "Authorize", Some(200), None, 3, false)
        .unwrap();
    store
        .record_request(
            env,
            "GetAccountsDetail",
            Some(202),
            Some("OPERATION_PENDING"),
            2,
            false,
        )
        .unwrap();
    let ledger = store.ledger(10, None).unwrap();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0].endpoint, "GetAccountsDetail");
    assert_eq!(ledger[0].flinks_code.as_deref(), Some("OPERATION_PENDING"));
    assert_eq!(
        (
            ledger[0].environment.as_str(),
            ledger[0].environment_name.as_str()
        ),
        ("builtin", "Sandbox")
    );
}

/// A ledger line with its time given, as a call made then would have left it.
fn request_at(store: &Store, env: i64, status: Option<u16>, billable: bool, at: &str) {
    store
        .conn()
        .execute(
            "INSERT INTO requests (environment_id, endpoint, status, duration_ms, billable, at)
             VALUES (?1, 'Authorize', ?2, 1, ?3, ?4)",
            params![env, status, billable, at],
        )
        .unwrap();
}

#[test]
fn the_ledger_filters_by_environment_before_it_limits() {
    let (_dir, store) = store();
    let a = store
        .upsert_environment("a", "A", EnvironmentKind::Private, "http://a", "cid", false)
        .unwrap();
    let b = store
        .upsert_environment("b", "B", EnvironmentKind::Private, "http://b", "cid", false)
        .unwrap();
    store
        .record_request(a, "Authorize", Some(200), None, 1, false)
        .unwrap();
    for _ in 0..3 {
        store
            .record_request(b, "GetAccountsDetail", Some(200), None, 1, false)
            .unwrap();
    }
    // A's one line is older than B's three: a limit applied before the filter loses it.
    let only_a = store.ledger(2, Some("a")).unwrap();
    assert_eq!(only_a.len(), 1);
    assert_eq!(
        (only_a[0].environment.as_str(), only_a[0].endpoint.as_str()),
        ("a", "Authorize")
    );
    assert_eq!(store.ledger(10, Some("b")).unwrap().len(), 3);
    assert_eq!(store.ledger(10, None).unwrap().len(), 4);
    assert!(store.ledger(10, Some("nowhere")).unwrap().is_empty());
}

#[test]
fn ledger_totals_count_by_environment_and_by_utc_calendar_month() {
    let (_dir, store) = store();
    let zeta = store
        .upsert_environment(
            "z",
            "Zeta (prod)",
            EnvironmentKind::Private,
            "http://z",
            "cid",
            true,
        )
        .unwrap();
    let acme = store
        .upsert_environment(
            "a",
            "acme",
            EnvironmentKind::Private,
            "http://a",
            "cid",
            false,
        )
        .unwrap();
    let builtin = store
        .upsert_environment(
            "builtin",
            "Sandbox",
            EnvironmentKind::Builtin,
            "http://s",
            "cid",
            false,
        )
        .unwrap();
    store
        .upsert_environment(
            "idle",
            "Idle",
            EnvironmentKind::Private,
            "http://i",
            "cid",
            false,
        )
        .unwrap();
    // The edges of March 2026 in UTC: its first and last millisecond count, the last
    // millisecond of February, the first of April and March of a year before do not.
    request_at(&store, zeta, Some(200), true, "2026-03-01T00:00:00.000Z");
    request_at(&store, zeta, Some(201), true, "2026-03-31T23:59:59.999Z");
    request_at(&store, zeta, Some(200), true, "2026-02-28T23:59:59.999Z");
    request_at(&store, zeta, Some(200), true, "2026-04-01T00:00:00.000Z");
    request_at(&store, zeta, Some(200), true, "2025-03-15T12:00:00.000Z");
    request_at(&store, zeta, Some(399), false, "2026-03-02T00:00:00.000Z");
    request_at(&store, zeta, Some(400), false, "2026-03-02T00:00:00.000Z");
    request_at(&store, zeta, Some(503), false, "2026-03-02T00:00:00.000Z");
    request_at(&store, zeta, None, false, "2026-03-02T00:00:00.000Z");
    request_at(&store, acme, Some(200), false, "2026-03-02T00:00:00.000Z");
    request_at(
        &store,
        builtin,
        Some(202),
        false,
        "2026-03-02T00:00:00.000Z",
    );

    let now = "2026-03-15T08:00:00Z".parse().unwrap();
    let totals = store.ledger_totals_at(now).unwrap();
    let order: Vec<&str> = totals.iter().map(|t| t.environment.as_str()).collect();
    // Names sort without regard to case; an environment with no call is not listed.
    assert_eq!(order, ["builtin", "a", "z"]);
    assert_eq!(
        totals[2],
        LedgerTotals {
            environment: "z".into(),
            environment_name: "Zeta (prod)".into(),
            production: true,
            requests: 9,
            billable: 5,
            billable_this_month: 2,
            failed: 3,
        }
    );
    assert_eq!(
        (totals[1].requests, totals[1].billable, totals[1].failed),
        (1, 0, 0)
    );
    assert_eq!((totals[0].requests, totals[0].failed), (1, 0));

    let april = "2026-04-30T23:59:59Z".parse().unwrap();
    let z = &store.ledger_totals_at(april).unwrap()[2];
    assert_eq!(z.billable_this_month, 1);
}
