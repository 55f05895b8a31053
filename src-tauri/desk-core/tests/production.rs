//! Production is enforced by the core, not only asked by the page: against a second sandbox
//! standing in for a private production instance, over real HTTP, nothing billable leaves the
//! desk before the person confirms, and a portfolio's confirmation must state its exact cost.

mod common;

use std::sync::Arc;
use std::time::Duration;

use desk_core::{
    Desk, DeskError, LiveSignIn, LoginId, MemoryStore, NewEnvironment, Package, PortfolioCost,
};
use flinks_sandbox::{Sandbox, SandboxConfig};

struct Setup {
    desk: Desk,
    instance: Sandbox,
    env: String,
    customer: String,
    _dir: tempfile::TempDir,
}

async fn production() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let desk = common::start_desk(
        &dir.path().join("desk.sqlite3"),
        Arc::new(MemoryStore::default()),
    )
    .await;
    let instance = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["prod-customer-id".into()],
        secret_key: "sk-prod".into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let env = desk
        .add_environment(NewEnvironment {
            name: "Acme production".into(),
            api_base_url: instance.base_url(),
            customer_id: "prod-customer-id".into(),
            production: true,
            secret_key: Some("sk-prod".into()),
            api_key: None,
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    let login = instance.personas()[0].login_id.to_string();
    let customer = desk
        .add_customer(&env.key, "Kevin (prod)", LoginId::new(&login))
        .unwrap();
    Setup {
        desk,
        instance,
        env: env.key,
        customer: customer.id,
        _dir: dir,
    }
}

fn unconfirmed(e: &DeskError) -> bool {
    e.code() == "production.unconfirmed"
}

/// Calls the desk made to the production environment, from its own request log.
fn calls_to(desk: &Desk, env: &str) -> usize {
    desk.ledger(1000, Some(env)).unwrap().len()
}

#[tokio::test]
async fn nothing_billable_reaches_production_before_the_person_confirms() {
    let s = production().await;
    let refused = s
        .desk
        .run(&s.customer, Package::CreditRisk, &|_| {})
        .await
        .unwrap_err();
    assert!(unconfirmed(&refused), "{refused}");
    assert!(
        refused.to_string().contains("Acme production")
            && refused.to_string().contains("Credit Risk"),
        "{refused}"
    );
    assert!(unconfirmed(
        &s.desk
            .run_custom(&s.customer, &["Count_NSF".into()], &|_| {})
            .await
            .unwrap_err()
    ));
    assert!(unconfirmed(
        &s.desk.check_environment(&s.env).await.unwrap_err()
    ));
    assert!(unconfirmed(&s.desk.connect_url(&s.env).await.unwrap_err()));
    let sign_in: LiveSignIn = serde_json::from_value(serde_json::json!({
        "environment": s.env, "institution": "FlinksCapital",
        "username": "Greatday", "password": "Everyday"
    }))
    .unwrap();
    assert!(unconfirmed(
        &s.desk.sign_in_live(sign_in).await.unwrap_err()
    ));
    assert_eq!(calls_to(&s.desk, &s.env), 0, "not one call went out");
    // The history has no failed run either: nothing was attempted.
    assert!(s.desk.history(10).unwrap().is_empty());

    s.desk.confirm_production(&s.env).unwrap();
    let run = s
        .desk
        .run(&s.customer, Package::CreditRisk, &|_| {})
        .await
        .unwrap();
    assert!(!run.rows.is_empty());
    assert!(calls_to(&s.desk, &s.env) > 0);
    assert!(s.desk.confirm_production("atlantis").is_err());
}

#[tokio::test]
async fn connect_on_production_shows_real_banks_not_the_demo_institution() {
    let s = production().await;
    s.desk.confirm_production(&s.env).unwrap();
    let url = s.desk.connect_url(&s.env).await.unwrap();
    let demo = url
        .query_pairs()
        .find(|(k, _)| k == "demo")
        .map(|(_, v)| v.into_owned());
    assert_eq!(demo.as_deref(), Some("false"), "{}", url.path());
    let sandbox = s.desk.connect_url("builtin").await.unwrap();
    assert!(sandbox
        .query_pairs()
        .any(|(k, v)| k == "demo" && v == "true"));
    drop(s.instance);
}

#[tokio::test]
async fn a_portfolio_on_production_runs_only_with_its_exact_cost_confirmed() {
    let s = production().await;
    // Confirming the environment for single runs is not a yes to a whole portfolio.
    s.desk.confirm_production(&s.env).unwrap();
    let ids = vec![
        s.customer.clone(),
        "salaried_biweekly".to_owned(),
        "gig_worker".to_owned(),
    ];
    let cost = s.desk.portfolio_cost(&ids, Package::Income).unwrap();
    // Counted here from what the test set up: one production customer among three, and Flinks
    // bills its accounts detail and its attributes.
    assert_eq!(
        cost,
        PortfolioCost {
            customers: 1,
            calls: 2
        }
    );
    let before = calls_to(&s.desk, &s.env);
    for wrong in [
        None,
        Some(PortfolioCost {
            customers: 1,
            calls: 1,
        }),
    ] {
        let refused = s
            .desk
            .run_portfolio(&ids, Package::Income, 2, wrong, &|_| {})
            .await
            .unwrap_err();
        assert!(unconfirmed(&refused), "{refused}");
        assert!(
            refused
                .to_string()
                .contains("1 customer (2 billable calls)"),
            "{refused}"
        );
    }
    assert_eq!(calls_to(&s.desk, &s.env), before);
    let ran = s
        .desk
        .run_portfolio(&ids, Package::Income, 2, Some(cost), &|_| {})
        .await
        .unwrap();
    assert_eq!(ran.completed, 3, "{:?}", ran.entries);
    // Customers off production need no confirmation at all.
    let sandbox_only = vec!["gig_worker".to_owned()];
    assert_eq!(
        s.desk
            .portfolio_cost(&sandbox_only, Package::Income)
            .unwrap(),
        PortfolioCost {
            customers: 0,
            calls: 0
        }
    );
    s.desk
        .run_portfolio(&sandbox_only, Package::Income, 1, None, &|_| {})
        .await
        .unwrap();
}
