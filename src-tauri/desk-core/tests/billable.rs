//! The request log's billable count is what Flinks bills: the data and attributes it
//! delivered. A production instance that answers 202 before the data, wants an authorize
//! token for each Authorize and fails an attributes call once surrounds each delivery with
//! calls Flinks does not bill; the expected count comes from what the runs got, not from the
//! ledger's own rule.

mod common;

use std::sync::Arc;
use std::time::Duration;

use desk_core::{
    EnvironmentSettings, LoginId, MemoryStore, NewEnvironment, Package, RunEvent, Secret,
};
use flinks_sandbox::{FaultKind, FaultRule, Sandbox, SandboxConfig, Stage};

#[tokio::test]
async fn only_the_data_and_attributes_delivered_are_billable() {
    let instance = Sandbox::start_local(SandboxConfig {
        // With polls every second: a 202 to GetAccountsDetail, and at least one to its Async.
        pending_for: Duration::from_millis(1_500),
        customer_ids: vec!["billing-customer".into()],
        secret_key: "sk-billing".into(),
        api_key: Some("xk-billing".into()),
        require_authorize_token: true,
        card_in_use_for: Duration::ZERO,
        // One attributes call fails, and the run's retry succeeds.
        faults: vec![FaultRule {
            login_id: None,
            stage: Stage::Attributes,
            kind: FaultKind::ServerError,
            times: Some(1),
        }],
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = common::start_desk(
        &dir.path().join("desk.sqlite3"),
        Arc::new(MemoryStore::default()),
    )
    .await;
    let env = desk
        .add_environment(NewEnvironment {
            name: "Billing (production)".into(),
            api_base_url: instance.base_url(),
            customer_id: "billing-customer".into(),
            production: true,
            secret_key: Some(Secret::new("sk-billing")),
            api_key: Some(Secret::new("xk-billing")),
            authorize_tokens: true,
            settings: EnvironmentSettings {
                poll_interval_secs: Some(1),
                ..Default::default()
            },
        })
        .unwrap();
    desk.confirm_production(&env.key).unwrap();
    let mut customers = Vec::new();
    for persona in instance.personas().iter().take(3) {
        let customer = desk
            .add_customer(
                &env.key,
                &persona.username,
                LoginId::new(persona.login_id.to_string()),
            )
            .unwrap();
        customers.push(customer.id);
    }
    // A loginId the instance does not know: its run ends at Authorize, delivered nothing.
    let stranger = desk
        .add_customer(
            &env.key,
            "Stranger",
            LoginId::new("00000000-0000-4000-8000-0000000000ab"),
        )
        .unwrap();

    let waits = std::sync::atomic::AtomicUsize::new(0);
    let progress = |e: RunEvent| {
        if matches!(e, RunEvent::Waiting { .. }) {
            waits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let packages = [Package::Income, Package::CreditRisk, Package::Lending];
    let runs = futures::future::join_all(
        customers
            .iter()
            .zip(packages)
            .map(|(customer, package)| desk.run(customer, package, &progress))
            .chain([desk.run(&stranger.id, Package::Income, &progress)]),
    )
    .await;
    // What was delivered, counted from the runs: each completed run got its accounts detail
    // once and its attributes once.
    let completed: Vec<_> = runs.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(
        completed.len(),
        3,
        "{:?}",
        runs.iter().map(|r| r.as_ref().err()).collect::<Vec<_>>()
    );
    assert!(completed
        .iter()
        .all(|r| !r.rows.is_empty() && r.accounts > 0));
    assert!(runs[3].is_err(), "the stranger's run fails");
    let delivered = 2 * completed.len() as i64;
    assert!(waits.into_inner() >= 3, "every run waited on a 202");
    // A deletion is a call Flinks does not bill either.
    desk.remove_customer(&customers[0]).await.unwrap();

    let lines = desk.ledger(1000, Some(&env.key)).unwrap();
    let has = |endpoint: &str, status: u16| {
        lines
            .iter()
            .any(|l| l.endpoint == endpoint && l.status == Some(status))
    };
    // The calls around the deliveries are all there, answered, and not billed.
    for (endpoint, status) in [
        ("GenerateAuthorizeToken", 200),
        ("Authorize", 200),
        ("Authorize", 401),
        ("GetAccountsDetail", 202),
        ("GetAccountsDetailAsync", 202),
        ("GetAccountsDetailAsync", 200),
        ("AttributeLibrary", 200),
        ("DeleteCard", 200),
    ] {
        assert!(has(endpoint, status), "no {endpoint} {status}: {lines:#?}");
    }
    assert!(
        lines.iter().any(|l| l.status == Some(500)),
        "the failed attributes call is logged"
    );
    let totals = desk
        .ledger_totals()
        .unwrap()
        .into_iter()
        .find(|t| t.environment == env.key)
        .unwrap();
    assert_eq!(totals.billable, delivered, "{lines:#?}");
    assert_eq!(totals.billable_this_month, delivered);
    assert_eq!(
        lines.iter().filter(|l| l.billable).count() as i64,
        delivered
    );
}
