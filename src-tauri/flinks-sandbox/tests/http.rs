//! The sandbox's wire format, checked with a plain HTTP client against flinks-api.md: these tests
//! know nothing of flinks-client, so a mistake shared by both sides cannot hide here.

use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig, TOOLBOX_CUSTOMER_ID};
use serde_json::{json, Value};

async fn start(pending_ms: u64) -> Sandbox {
    Sandbox::start_local(SandboxConfig {
        pending_for: Duration::from_millis(pending_ms),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn url(s: &Sandbox, path: &str) -> String {
    format!("{}/v3/{TOOLBOX_CUSTOMER_ID}/{path}", s.base_url())
}

async fn post(s: &Sandbox, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url(s, path))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(s: &Sandbox, path: &str) -> (u16, Value) {
    let r = reqwest::get(url(s, path)).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn authorize(s: &Sandbox, persona: usize) -> String {
    let login = s.personas()[persona].login_id.to_string();
    let (status, body) = post(
        s,
        "BankingServices/Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["RequestId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn authorize_answers_the_documented_shape() {
    let s = start(0).await;
    let login = s.personas()[0].login_id.to_string();
    // Keys in another case, as real integrations send them.
    let (status, body) = post(
        &s,
        "BankingServices/Authorize",
        json!({"loginid": login, "mostRecentCached": true, "Tag": "demo"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["HttpStatusCode"], 200);
    assert_eq!(body["Institution"], "FlinksCapital");
    assert_eq!(body["InstitutionId"], 14);
    assert_eq!(body["Login"]["Id"], login.as_str());
    assert_eq!(body["Login"]["Type"], "Personal");
    assert_eq!(body["Tag"], "demo");
    assert!(uuid::Uuid::parse_str(body["RequestId"].as_str().unwrap()).is_ok());
    let last_refresh = body["Login"]["LastRefresh"].as_str().unwrap();
    assert!(
        !last_refresh.ends_with('Z'),
        "Flinks writes UTC without a zone: {last_refresh}"
    );
}

#[tokio::test]
async fn bad_requests_get_flinks_error_bodies() {
    let s = start(0).await;
    let r = reqwest::Client::new()
        .post(url(&s, "BankingServices/Authorize"))
        .header("content-type", "application/json")
        .body("{\"LoginId\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["FlinksCode"], "INVALID_REQUEST");
    assert_eq!(body["HttpStatusCode"], 400);

    let (status, body) = post(
        &s,
        "BankingServices/Authorize",
        json!({"LoginId": "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31", "MostRecentCached": true}),
    )
    .await;
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (401, Some("INVALID_LOGIN"))
    );

    let (status, body) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": "not-a-session"}),
    )
    .await;
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (400, Some("SESSION_NONEXISTENT"))
    );

    let r = reqwest::get(format!(
        "{}/v3/someone-else/BankingServices/GetAccountsDetailAsync/x",
        s.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn accounts_detail_is_pending_then_ready_most_recent_first() {
    let s = start(200).await;
    let request_id = authorize(&s, 0).await;
    let (status, body) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id}),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(body["FlinksCode"], "OPERATION_PENDING");
    assert_eq!(body["Message"], "Your operation is still processing");
    assert_eq!(body["RequestId"], request_id.as_str());

    let (status, _) = get(
        &s,
        &format!("BankingServices/GetAccountsDetailAsync/{request_id}"),
    )
    .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let (status, body) = get(
        &s,
        &format!("BankingServices/GetAccountsDetailAsync/{request_id}"),
    )
    .await;
    assert_eq!(status, 200);
    let account = &body["Accounts"][0];
    let txs = account["Transactions"].as_array().unwrap();
    assert!(!txs.is_empty());
    let dates: Vec<&str> = txs.iter().map(|t| t["Date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "most recent first");
    assert!(dates
        .iter()
        .all(|d| d.len() == 10 && d.as_bytes()[4] == b'-'));
    for t in txs {
        assert!(t["Debit"].is_null() != t["Credit"].is_null(), "{t}");
        assert!(t["Id"].is_string());
    }
    assert_eq!(account["Category"], "Operations");
    assert!(account["Balance"]["Current"].is_number());
}

#[tokio::test]
async fn accounts_detail_options_change_the_reply() {
    let s = start(0).await;
    let request_id = authorize(&s, 0).await;
    let (_, full) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id}),
    )
    .await;
    let (_, short) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id, "DaysOfTransactions": "Days90"}),
    )
    .await;
    let count = |b: &Value| b["Accounts"][0]["Transactions"].as_array().unwrap().len();
    assert!(count(&short) < count(&full));
    let oldest_short = short["Accounts"][0]["Transactions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["Date"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        oldest_short.as_str() > "2025-12-15",
        "Days90 keeps 90 days: {oldest_short}"
    );

    let (_, bare) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id, "WithTransactions": false, "WithAccountIdentity": false, "WithBalance": false}),
    )
    .await;
    let a = &bare["Accounts"][0];
    assert_eq!(a["Transactions"], json!([]));
    assert!(
        a["AccountNumber"].is_null()
            && a["TransitNumber"].is_null()
            && a["InstitutionNumber"].is_null()
    );
    assert!(a["Balance"]["Current"].is_null());
}

#[tokio::test]
async fn credit_risk_attributes_come_in_a_card_with_details() {
    let s = start(0).await;
    let persona = &s.personas()[0];
    let request_id = authorize(&s, 0).await;
    let path = format!(
        "insight/login/{}/attributes/{request_id}/GetCreditRiskAttributes",
        persona.login_id
    );
    let (status, body) = get(&s, &path).await;
    assert_eq!(status, 202, "attributes wait for GetAccountsDetail: {body}");
    post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id}),
    )
    .await;
    let (status, body) = get(&s, &path).await;
    assert_eq!(status, 200, "{body}");
    let card = body["Card"].as_object().unwrap();
    assert_eq!(card["Id"], persona.login_id.to_string().as_str());
    for name in [
        "balance_min",
        "count_nsf_90_days",
        "count_days_negative_balance_90_days",
        "average_monthly_free_cash_flow",
        "employer_name",
        "micro_lender_name",
        "average_monthly_debit",
        "account_age_days",
    ] {
        assert!(card.contains_key(name), "missing {name}");
    }
    let details = card["AttributesDetail"].as_array().unwrap();
    assert!(details
        .iter()
        .all(|d| d["Attribute"].is_string() && d["Transactions"].is_array()));

    let other = s.personas()[1].login_id;
    let (status, _) = get(
        &s,
        &format!("insight/login/{other}/attributes/{request_id}/GetCreditRiskAttributes"),
    )
    .await;
    assert_eq!(status, 401, "a session belongs to its login");
}

#[tokio::test]
async fn the_readme_login_id_is_the_salaried_customer_on_every_machine() {
    // README.md's curl lines paste this loginId; the seed must keep producing it.
    let s = start(0).await;
    let salaried = s
        .personas()
        .iter()
        .find(|p| p.username == "salaried_biweekly")
        .unwrap();
    assert_eq!(
        salaried.login_id.to_string(),
        "18609eb2-ee67-4748-8777-bd45ec2d0baf"
    );
    let readme = include_str!("../../../README.md");
    assert!(readme.contains("L=18609eb2-ee67-4748-8777-bd45ec2d0baf"));
}
