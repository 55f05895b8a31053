//! The big customer a sandbox serves when asked (`Applicants::big`): its transactions are
//! generated from the seed like every customer's, all of them fall in the year a
//! GetAccountsDetail returns, and its attributes are the engine's over exactly those.

mod support;

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, TimeDelta};
use flinks_sandbox::catalog::Package;
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::personas::{self, Applicants, DEFAULT_SEED};
use flinks_sandbox::{SandboxConfig, TOOLBOX_CUSTOMER_ID};
use serde_json::json;
use support::{post, send, session, start};

const N: usize = 3_000;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

#[test]
fn the_big_customer_has_n_transactions_in_its_year_from_the_seed() {
    let p = personas::big(DEFAULT_SEED, as_of(), N);
    assert_eq!(p.username, format!("big_{N}"));
    assert_eq!(p.accounts.len(), 1);
    let txs = &p.accounts[0].transactions;
    assert_eq!(txs.len(), N);
    // GetAccountsDetail (Days365) serves `as_of - 365 < date <= as_of`: none may fall outside.
    let first_served = as_of() - TimeDelta::days(364);
    assert!(txs
        .iter()
        .all(|t| first_served <= t.date && t.date <= as_of()));
    // Spread over the year, not bunched at one end of it.
    let months: HashSet<u32> = txs.iter().map(|t| t.date.month()).collect();
    assert_eq!(months.len(), 12);
    assert_eq!(
        txs.iter().map(|t| t.id).collect::<HashSet<_>>().len(),
        N,
        "ids are distinct"
    );

    assert_eq!(p, personas::big(DEFAULT_SEED, as_of(), N), "the same seed");
    let other = personas::big(DEFAULT_SEED + 1, as_of(), N);
    assert_ne!(other.login_id, p.login_id);
    assert_ne!(other.accounts[0].transactions, *txs, "another seed");
    // Not the bulk customer of the same size: another username, another loginId and year.
    assert_ne!(
        personas::bulk(DEFAULT_SEED, as_of(), N).login_id,
        p.login_id
    );
}

#[tokio::test]
async fn a_sandbox_serves_the_big_customer_and_the_engines_attributes_over_its_transactions() {
    let s = start(SandboxConfig {
        pending_for: std::time::Duration::ZERO,
        applicants: Applicants {
            scripted: 2,
            big: Some(N),
        },
        ..SandboxConfig::default()
    })
    .await;
    let expected = personas::big(DEFAULT_SEED, as_of(), N);
    let names: Vec<&str> = s.personas()[8..]
        .iter()
        .map(|p| p.username.as_str())
        .collect();
    assert_eq!(names, ["salaried_biweekly_1", "borrower_nsf_2", "big_3000"]);
    assert_eq!(s.personas().last(), Some(&expected));

    let request_id = session(&s, "big_3000").await;
    let (status, detail) = post(&s, "GetAccountsDetail", json!({ "RequestId": request_id })).await;
    assert_eq!(status, 200, "{detail}");
    let served = detail["Accounts"][0]["Transactions"].as_array().unwrap();
    assert_eq!(served.len(), N, "every transaction, in the year asked");
    let mut ids: Vec<&str> = served.iter().map(|t| t["Id"].as_str().unwrap()).collect();
    let mut generated: Vec<String> = expected.accounts[0]
        .transactions
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    ids.sort_unstable();
    generated.sort_unstable();
    assert_eq!(ids, generated);

    let login = expected.login_id;
    let url = format!(
        "{}/v3/{TOOLBOX_CUSTOMER_ID}/insight/login/{login}/attributes/{request_id}/GetAllAttributes",
        s.base_url()
    );
    let (status, body) = send(reqwest::Client::new().get(url)).await;
    assert_eq!(status, 200, "{body}");
    let card = body["Card"].as_object().unwrap();
    // What GetAccountsDetail served is the scope: its 365 days.
    let scope = Scope {
        days: Some(365),
        ..Scope::default()
    };
    let computed = engine::package(Package::All, &expected, as_of(), &scope);
    assert!(computed.len() > 600);
    for a in &computed {
        assert_eq!(card[&a.name], a.value.to_json(), "{}", a.name);
    }
    let details = card["AttributesDetail"].as_array().unwrap();
    let listed = |name: &str| -> usize {
        details
            .iter()
            .find(|d| d["Attribute"] == name)
            .map_or(0, |d| d["Transactions"].as_array().map_or(0, Vec::len))
    };
    let behind: usize = computed.iter().map(|a| a.detail.len()).sum();
    assert!(behind > N, "a busy year is behind many values: {behind}");
    for a in &computed {
        assert_eq!(listed(&a.name), a.detail.len(), "{}", a.name);
    }
    s.stop().await;
}
