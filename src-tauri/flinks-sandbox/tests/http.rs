//! The sandbox's wire format, checked with a plain HTTP client against flinks-api.md: these tests
//! know nothing of flinks-client, so a mistake shared by both sides cannot hide here.

use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig, TOOLBOX_CUSTOMER_ID};
use serde_json::{json, Value};

async fn start(pending_ms: u64) -> Sandbox {
    let pending_for = Duration::from_millis(pending_ms);
    start_config(SandboxConfig {
        pending_for,
        ..SandboxConfig::default()
    })
    .await
}

/// `config` on the tests' day.
async fn start_config(config: SandboxConfig) -> Sandbox {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    Sandbox::start_local(SandboxConfig { as_of, ..config })
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

/// The status of a GET under another customerId.
async fn status_for_customer(s: &Sandbox, customer_id: &str, path: &str) -> u16 {
    let r = reqwest::get(format!("{}/v3/{customer_id}/{path}", s.base_url()))
        .await
        .unwrap();
    r.status().as_u16()
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

    assert_eq!(
        status_for_customer(
            &s,
            "someone-else",
            "BankingServices/GetAccountsDetailAsync/x"
        )
        .await,
        401
    );
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

// ---- attributes: packages, the custom request, the library ----

use flinks_sandbox::catalog::{catalog, Package};
use flinks_sandbox::model::Persona;

fn persona<'s>(s: &'s Sandbox, username: &str) -> &'s Persona {
    s.personas()
        .iter()
        .find(|p| p.username == username)
        .unwrap_or_else(|| panic!("no persona {username}"))
}

/// Authorizes the persona and runs GetAccountsDetail with the extra options; returns the
/// loginId and the requestId.
async fn session(s: &Sandbox, username: &str, options: Value) -> (String, String) {
    session_and_accounts(s, username, options).await.0
}

/// Like [`session`], with GetAccountsDetail's reply.
async fn session_and_accounts(
    s: &Sandbox,
    username: &str,
    options: Value,
) -> ((String, String), Value) {
    let index = s
        .personas()
        .iter()
        .position(|p| p.username == username)
        .unwrap_or_else(|| panic!("no persona {username}"));
    let request_id = authorize(s, index).await;
    let mut detail = json!({"RequestId": request_id});
    for (k, v) in options.as_object().unwrap() {
        detail[k] = v.clone();
    }
    let (status, body) = post(s, "BankingServices/GetAccountsDetail", detail).await;
    assert_eq!(status, 200, "{body}");
    let login = s.personas()[index].login_id.to_string();
    ((login, request_id), body)
}

async fn send(request: reqwest::RequestBuilder, headers: &[(&str, &str)]) -> (u16, Value) {
    let request = headers
        .iter()
        .fold(request, |r, (name, value)| r.header(*name, *value));
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn package(
    s: &Sandbox,
    (login, request_id): &(String, String),
    endpoint: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let path = format!("insight/login/{login}/attributes/{request_id}/{endpoint}");
    send(reqwest::Client::new().get(url(s, &path)), headers).await
}

async fn custom(
    s: &Sandbox,
    (login, request_id): &(String, String),
    body: Value,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let path = format!("insight/login/{login}/attributes/{request_id}");
    send(
        reqwest::Client::new().post(url(s, &path)).json(&body),
        headers,
    )
    .await
}

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or(0.0) * 100.0).round() as i64
}

/// Each detailed sum adds up to its value, each count counts its transactions, and every row
/// has the documented fields.
fn assert_details_add_up(card: &Value) {
    for d in card["AttributesDetail"].as_array().unwrap() {
        let name = d["Attribute"].as_str().unwrap();
        let rows = d["Transactions"].as_array().unwrap();
        for t in rows {
            for field in ["TransactionId", "AccountId", "Description", "Balance"] {
                assert!(!t[field].is_null(), "{name}: {t}");
            }
            let date = t["Date"].as_str().unwrap();
            assert!(
                chrono::NaiveDate::parse_from_str(date, "%Y/%m/%d").is_ok(),
                "{date}"
            );
            assert!(t["Debit"].is_null() != t["Credit"].is_null(), "{t}");
        }
        let total: i64 = rows
            .iter()
            .map(|t| cents(&t["Credit"]) + cents(&t["Debit"]))
            .sum();
        if name.starts_with("sum_") {
            assert_eq!(total, cents(&card[name]), "{name}");
        } else if name.starts_with("count_") && !name.contains("days_negative") {
            assert_eq!(rows.len() as i64, card[name].as_i64().unwrap(), "{name}");
        }
    }
}

#[tokio::test]
async fn every_package_endpoint_answers_a_card() {
    let s = start(0).await;
    for (username, endpoint, package_) in [
        ("salaried_biweekly", "GetIncomeAttributes", Package::Income),
        ("borrower_nsf", "GetLendingAttributes", Package::Lending),
        ("gig_worker", "GetCreditRiskAttributes", Package::CreditRisk),
        (
            "multiple_employers",
            "GetUserAnalysisAttributes",
            Package::UserAnalysis,
        ),
        (
            "government_income",
            "GetUserAnalysisAtributes",
            Package::UserAnalysis,
        ),
        (
            "small_business",
            "GetBusinessAnalysisAttributes",
            Package::BusinessAnalysis,
        ),
        ("high_income_saver", "GetAllAttributes", Package::All),
    ] {
        let sess = session(&s, username, json!({})).await;
        let (status, body) = package(&s, &sess, endpoint, &[]).await;
        assert_eq!(status, 200, "{endpoint}: {body}");
        assert_eq!(body["HttpStatusCode"], 200);
        assert_eq!(body["RequestId"], sess.1.as_str());
        assert_eq!(body["Login"]["Username"], username);
        let card = body["Card"].as_object().unwrap();
        assert_eq!(card["Id"], sess.0.as_str());
        let expected: Vec<&str> = catalog()
            .package(package_)
            .map(|s| s.name.as_str())
            .collect();
        let keys: Vec<&str> = card.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), expected.len() + 2, "{endpoint}");
        assert_eq!(
            keys[1..keys.len() - 1],
            expected[..],
            "{endpoint}: in the package's order"
        );
        assert_eq!(*keys.last().unwrap(), "AttributesDetail");
        assert!(!card["AttributesDetail"].as_array().unwrap().is_empty());
        assert_details_add_up(&body["Card"]);
    }
    let all = session(&s, "small_business", json!({})).await;
    let (_, body) = package(&s, &all, "GetAllAttributes", &[]).await;
    assert!(body["Card"].as_object().unwrap().len() >= 302);
    assert!(
        body["Card"]["sum_merchant_service_provider_deposits_365_days_biz"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let (status, body) = package(&s, &all, "GetScoreAttributes", &[]).await;
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (404, Some("INVALID_REQUEST"))
    );
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("GetLendingAttributes"));
}

#[tokio::test]
async fn custom_attributes_answer_the_names_asked_with_the_details_asked() {
    let s = start(0).await;
    let sess = session(&s, "borrower_nsf", json!({})).await;
    let (status, body) = custom(
        &s,
        &sess,
        json!({
            "Attributes": {"Card": ["count_nsf_90_days", "Balance_Min", "nbr_nsf", "sum_loan_payments_90_days", "count_nsf_90_days"]},
            "AttributesDetail": ["count_nsf_90_days"],
            "Options": {"AttributesDetail": ["sum_loan_payments_90_days"]},
        }),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let card = body["Card"].as_object().unwrap();
    let keys: Vec<&str> = card.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "Id",
            "count_nsf_90_days",
            "balance_min",
            "nbr_nsf",
            "sum_loan_payments_90_days",
            "AttributesDetail"
        ]
    );
    assert!(card["nbr_nsf"].is_null(), "unknown names come back null");
    assert!(card["count_nsf_90_days"].as_i64().unwrap() > 0);
    let detailed: Vec<&str> = card["AttributesDetail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["Attribute"].as_str().unwrap())
        .collect();
    assert_eq!(detailed, ["count_nsf_90_days", "sum_loan_payments_90_days"]);
    assert_details_add_up(&body["Card"]);
    // Keys in any case, nested ones too; without AttributesDetail, no details.
    let (status, body) = custom(
        &s,
        &sess,
        json!({"attributes": {"card": ["balance_min"]}, "filters": {"accountCategory": ["Operations"]}}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Card"]["AttributesDetail"], json!([]));
    assert_eq!(body["Card"]["balance_min"], card["balance_min"]);
}

#[tokio::test]
async fn custom_filters_choose_the_accounts() {
    let s = start(0).await;
    let sess = session(&s, "high_income_saver", json!({})).await;
    let saver = persona(&s, "high_income_saver");
    let savings = saver
        .accounts
        .iter()
        .find(|a| a.account_type == "Savings")
        .unwrap();
    let names = json!({"Card": ["employer_name", "average_monthly_debit", "sum_total_income_previous_month"]});
    let (_, everything) = custom(&s, &sess, json!({"Attributes": names}), &[]).await;
    assert_eq!(everything["Card"]["employer_name"], "Shopify");
    let (status, card_only) = custom(
        &s,
        &sess,
        json!({"Attributes": names, "Filters": {"AccountCategory": ["Credits"]}}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{card_only}");
    assert_eq!(card_only["Card"]["employer_name"], "NONE_DETECTED");
    assert_ne!(
        card_only["Card"]["average_monthly_debit"],
        everything["Card"]["average_monthly_debit"]
    );
    let (status, savings_only) = custom(
        &s,
        &sess,
        json!({"Attributes": names, "AccountFilter": [savings.id.to_string()]}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{savings_only}");
    assert_eq!(savings_only["Card"]["employer_name"], "NONE_DETECTED");
    // Interest only.
    let interest = cents(&savings_only["Card"]["sum_total_income_previous_month"]);
    assert!((3_500..=6_500).contains(&interest), "{interest}");
}

#[tokio::test]
async fn limit_days_in_the_body_or_a_header_limits_the_window() {
    let s = start(0).await;
    let sess = session(&s, "salaried_biweekly", json!({})).await;
    let names = json!({"Card": ["sum_employer_income_365_days", "sum_employer_income_30_days"]});
    let (_, full) = custom(&s, &sess, json!({"Attributes": names}), &[]).await;
    let year = cents(&full["Card"]["sum_employer_income_365_days"]);
    let month = cents(&full["Card"]["sum_employer_income_30_days"]);
    assert!(month > 0 && year > 4 * month);
    for (body, headers) in [
        (json!({"Attributes": names, "limitDays": 30}), vec![]),
        (json!({"Attributes": names, "LimitDays": "30"}), vec![]),
        (json!({"Attributes": names}), vec![("limitDays", "30")]),
        (
            json!({"Attributes": names, "limitDays": 200}),
            vec![("LIMITDAYS", "30")],
        ),
    ] {
        let (status, limited) = custom(&s, &sess, body, &headers).await;
        assert_eq!(status, 200, "{limited}");
        assert_eq!(
            cents(&limited["Card"]["sum_employer_income_365_days"]),
            month
        );
    }
    // The package endpoints take the header too.
    let (status, limited) =
        package(&s, &sess, "GetLendingAttributes", &[("limitDays", "30")]).await;
    assert_eq!(status, 200);
    assert_eq!(
        cents(&limited["Card"]["sum_employer_income_365_days"]),
        month
    );
}

#[tokio::test]
async fn bad_custom_requests_are_invalid_with_a_reason() {
    let s = start(0).await;
    let sess = session(&s, "gig_worker", json!({})).await;
    let stranger = persona(&s, "salaried_biweekly").accounts[0].id.to_string();
    let card = json!({"Card": ["balance_min"]});
    for (body, says) in [
        (json!({"Attributes": card, "limitDays": 0}), "limitDays"),
        (json!({"Attributes": card, "limitDays": 366}), "limitDays"),
        (
            json!({"Attributes": card, "limitDays": "soon"}),
            "limitDays",
        ),
        (json!({"Attributes": card, "limitDays": 12.5}), "limitDays"),
        (json!({}), "Attributes.Card"),
        (json!({"Attributes": ["balance_min"]}), "Attributes"),
        (
            json!({"Attributes": {"Card": "balance_min"}}),
            "Attributes.Card",
        ),
        (json!({"Attributes": {"Card": [1, 2]}}), "Attributes.Card"),
        (json!({"Attributes": {"Card": []}}), "Attributes.Card"),
        (
            json!({"Attributes": card, "Filters": {"AccountCategory": "Operations"}}),
            "Filters.AccountCategory",
        ),
        (
            json!({"Attributes": card, "Filters": ["Operations"]}),
            "Filters",
        ),
        (
            json!({"Attributes": card, "AccountFilter": ["not-an-id"]}),
            "AccountFilter",
        ),
        (
            json!({"Attributes": card, "AccountFilter": [stranger]}),
            "AccountFilter",
        ),
        (
            json!({"Attributes": card, "AttributesDetail": "balance_min"}),
            "AttributesDetail",
        ),
        (
            json!({"Attributes": card, "Options": {"AttributesDetail": [true]}}),
            "Options.AttributesDetail",
        ),
    ] {
        let (status, reply) = custom(&s, &sess, body.clone(), &[]).await;
        assert_eq!(status, 400, "{body}: {reply}");
        assert_eq!(reply["FlinksCode"], "INVALID_REQUEST", "{body}");
        assert_eq!(reply["HttpStatusCode"], 400);
        let message = reply["Message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
    for bad in ["0", "366", "ninety"] {
        let (status, reply) = custom(
            &s,
            &sess,
            json!({"Attributes": card}),
            &[("limitDays", bad)],
        )
        .await;
        assert_eq!(status, 400, "{bad}: {reply}");
        let (status, reply) =
            package(&s, &sess, "GetCreditRiskAttributes", &[("limitDays", bad)]).await;
        assert_eq!(
            (status, reply["FlinksCode"].as_str()),
            (400, Some("INVALID_REQUEST"))
        );
    }
}

#[tokio::test]
async fn custom_attributes_wait_for_accounts_detail_too() {
    let s = start(0).await;
    let request_id = authorize(&s, 0).await;
    let login = s.personas()[0].login_id.to_string();
    let sess = (login, request_id);
    let (status, body) = custom(
        &s,
        &sess,
        json!({"Attributes": {"Card": ["balance_min"]}}),
        &[],
    )
    .await;
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (202, Some("OPERATION_PENDING"))
    );
}

#[tokio::test]
async fn the_library_lists_every_attribute() {
    let s = start(0).await;
    let (status, body) = get(&s, "attributes/library").await;
    assert_eq!(status, 200);
    assert_eq!(body["HttpStatusCode"], 200);
    let attributes = body["Attributes"].as_array().unwrap();
    assert_eq!(attributes.len(), catalog().specs().len());
    assert!(attributes.len() >= 300);
    let units = ["currency", "count", "days", "ratio", "enum", "text", "date"];
    let titles: Vec<&str> = Package::ALL.iter().map(|p| p.title()).collect();
    let mut names = std::collections::HashSet::new();
    for a in attributes {
        assert!(names.insert(a["Name"].as_str().unwrap()), "{a}");
        assert!(units.contains(&a["Unit"].as_str().unwrap()), "{a}");
        assert!(!a["Category"].as_str().unwrap().is_empty());
        assert!(a["Definition"].as_str().unwrap().ends_with('.'));
        let packages = a["Packages"].as_array().unwrap();
        assert!(
            packages
                .iter()
                .all(|p| titles.contains(&p.as_str().unwrap())),
            "{a}"
        );
        assert!(
            packages.len() >= 2 && packages.last().unwrap() == "All",
            "{a}"
        );
    }
    let balance_min = attributes
        .iter()
        .find(|a| a["Name"] == "balance_min")
        .unwrap();
    assert_eq!(balance_min["Unit"], "currency");
    assert_eq!(balance_min["Category"], "Account Overview");
    assert_eq!(
        balance_min["Packages"],
        json!(["Lending", "Credit Risk", "User Analysis", "All"])
    );
    assert_eq!(
        status_for_customer(&s, "someone-else", "attributes/library").await,
        401
    );
}

#[tokio::test]
async fn attributes_follow_the_options_of_get_accounts_detail() {
    let s = start(0).await;
    let year = session(&s, "salaried_biweekly", json!({})).await;
    let quarter = session(
        &s,
        "salaried_biweekly",
        json!({"DaysOfTransactions": "Days90"}),
    )
    .await;
    let sum = |body: &Value, name: &str| cents(&body["Card"][name]);
    let (_, full) = package(&s, &year, "GetAllAttributes", &[]).await;
    let (_, short) = package(&s, &quarter, "GetAllAttributes", &[]).await;
    let name = "sum_employer_income_365_days";
    assert!(
        sum(&short, name) < sum(&full, name) / 3,
        "{} vs {}",
        sum(&short, name),
        sum(&full, name)
    );
    assert_eq!(
        sum(&short, name),
        sum(&short, "sum_employer_income_90_days")
    );
    assert_eq!(sum(&short, name), sum(&full, "sum_employer_income_90_days"));
    // A custom request cannot widen what GetAccountsDetail returned.
    let (_, wide) = custom(
        &s,
        &quarter,
        json!({"Attributes": {"Card": [name]}, "limitDays": 365}),
        &[],
    )
    .await;
    assert_eq!(sum(&wide, name), sum(&short, name));

    // AccountsFilter: GetAccountsDetail returns those accounts, attributes come from them.
    let saver = persona(&s, "high_income_saver");
    let savings = saver
        .accounts
        .iter()
        .find(|a| a.account_type == "Savings")
        .unwrap();
    let (filtered_session, detail) = session_and_accounts(
        &s,
        "high_income_saver",
        json!({"AccountsFilter": [savings.id.to_string()]}),
    )
    .await;
    let accounts = detail["Accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["Id"], savings.id.to_string().as_str());
    let (_, filtered) = package(&s, &filtered_session, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(filtered["Card"]["employer_name"], "NONE_DETECTED");
}

#[tokio::test]
async fn the_async_endpoint_answers_with_the_options_of_the_call() {
    let s = start(150).await;
    let request_id = authorize(&s, 0).await;
    let (status, _) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id, "DaysOfTransactions": "Days90"}),
    )
    .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = get(
        &s,
        &format!("BankingServices/GetAccountsDetailAsync/{request_id}"),
    )
    .await;
    assert_eq!(status, 200);
    let txs = body["Accounts"][0]["Transactions"].as_array().unwrap();
    let oldest = txs.last().unwrap()["Date"].as_str().unwrap();
    assert!(
        oldest > "2025-12-15",
        "Days90 holds through the Async call: {oldest}"
    );
}

// ----- Authorize tokens, live Authorize, DeleteCard, x-api-key, GetAccountsSummary -----

/// No waits: data at once, and cards deletable right after Authorize.
async fn start_with(config: SandboxConfig) -> Sandbox {
    let (pending_for, card_in_use_for) = (Duration::ZERO, Duration::ZERO);
    start_config(SandboxConfig {
        pending_for,
        card_in_use_for,
        ..config
    })
    .await
}

async fn generate_token(s: &Sandbox, key: &str) -> (u16, Value) {
    let request = reqwest::Client::new().post(url(s, "BankingServices/GenerateAuthorizeToken"));
    send(request, &[("flinks-auth-key", key)]).await
}

async fn authorize_with(s: &Sandbox, token: &str, body: Value) -> (u16, Value) {
    let request = reqwest::Client::new()
        .post(url(s, "BankingServices/Authorize"))
        .json(&body);
    send(request, &[("flinks-auth-key", token)]).await
}

fn code(reply: &(u16, Value)) -> (u16, Option<&str>) {
    (reply.0, reply.1["FlinksCode"].as_str())
}

#[tokio::test]
async fn authorize_tokens_are_issued_for_the_secret_key_and_serve_once() {
    let s = start_with(SandboxConfig {
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await;
    let (status, body) = generate_token(&s, "c4569c54-e167-4d34-8de6-f4113bc82414").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["HttpStatusCode"], 200);
    let token = body["Token"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&token).is_ok());

    let wrong = generate_token(&s, "not-the-key").await;
    assert_eq!(code(&wrong), (401, Some("UNAUTHORIZED")));
    assert_eq!(wrong.1["Message"], "You must provide a valid auth key");
    assert_eq!(wrong.1["HttpStatusCode"], 401);

    let cached = json!({"LoginId": s.personas()[0].login_id, "MostRecentCached": true});
    assert_eq!(authorize_with(&s, &token, cached.clone()).await.0, 200);
    for token in [token.as_str(), "", "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31"] {
        let refused = authorize_with(&s, token, cached.clone()).await;
        assert_eq!(code(&refused), (401, Some("ACCESS_DENIED")), "{token:?}");
        assert_eq!(
            refused.1["Message"],
            "You must provide a valid authorize token"
        );
    }
}

#[tokio::test]
async fn authorize_tokens_expire() {
    let s = start_with(SandboxConfig {
        require_authorize_token: true,
        authorize_token_ttl: Duration::from_millis(20),
        secret_key: "my-secret".into(),
        ..SandboxConfig::default()
    })
    .await;
    let (_, body) = generate_token(&s, "my-secret").await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    let cached = json!({"LoginId": s.personas()[0].login_id, "MostRecentCached": true});
    let refused = authorize_with(&s, body["Token"].as_str().unwrap(), cached).await;
    assert_eq!(code(&refused), (401, Some("ACCESS_DENIED")));
}

fn live(username: &str, password: &str) -> Value {
    json!({
        "Institution": "FlinksCapital",
        "username": username,
        "Password": password,
        "MostRecentCached": false,
        "Save": true,
        "Tag": "t-1",
    })
}

#[tokio::test]
async fn greatday_answers_a_security_question_then_gets_a_stable_login() {
    let s = start(0).await;
    let (status, body) = post(
        &s,
        "BankingServices/Authorize",
        live("GreatDay", "EveryDay"),
    )
    .await;
    assert_eq!(status, 203, "{body}");
    assert_eq!(body["HttpStatusCode"], 203);
    assert_eq!(body["Tag"], "t-1");
    assert_eq!(body["Links"][0]["rel"], "Authorization");
    let challenges = body["SecurityChallenges"].as_array().unwrap();
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0]["Type"], "QuestionAndAnswer");
    let prompt = challenges[0]["Prompt"].as_str().unwrap().to_owned();
    let request_id = body["RequestId"].as_str().unwrap().to_owned();
    let answer =
        |responses: Value| json!({"RequestId": request_id, "SecurityResponses": responses});

    // No answer: the same question again.
    let (status, again) = post(&s, "BankingServices/Authorize", answer(json!({}))).await;
    assert_eq!(
        (status, again["SecurityChallenges"][0]["Prompt"].as_str()),
        (203, Some(prompt.as_str()))
    );
    let reply = post(
        &s,
        "BankingServices/Authorize",
        answer(json!({"What is your name?": ["x"]})),
    )
    .await;
    assert_eq!(code(&reply), (401, Some("UNKNOWN_CHALLENGE_KEY")));
    let reply = post(
        &s,
        "BankingServices/Authorize",
        answer(json!({ &prompt: ["Atlantis"] })),
    )
    .await;
    assert_eq!(code(&reply), (401, Some("INVALID_SECURITY_RESPONSE")));
    assert_eq!(reply.1["RequestId"], request_id.as_str());

    let right = flinks_sandbox::capital::answer_to(&prompt)
        .unwrap()
        .to_uppercase();
    let (status, body) = post(
        &s,
        "BankingServices/Authorize",
        answer(json!({ &prompt: [right] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["RequestId"],
        request_id.as_str(),
        "the 203's RequestId carries on"
    );
    assert_eq!(body["Login"]["Username"], "Greatday");
    let login = body["Login"]["Id"].as_str().unwrap().to_owned();
    assert_eq!(
        login,
        flinks_sandbox::personas::live_login_id(s.config().seed, "greatday").to_string()
    );

    // The session serves data, and the loginId opens cached sessions.
    let (status, detail) = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id}),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert!(!detail["Accounts"].as_array().unwrap().is_empty());
    let (status, _) = post(
        &s,
        "BankingServices/Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn french_prompts_come_with_language_fr() {
    let s = start(0).await;
    let mut request = live("greatday", "everyday");
    request["Language"] = json!("fr");
    let (status, body) = post(&s, "BankingServices/Authorize", request).await;
    assert_eq!(status, 203);
    let prompt = body["SecurityChallenges"][0]["Prompt"].as_str().unwrap();
    assert!(
        ["Où", "Quel"].iter().any(|w| prompt.contains(w)),
        "{prompt}"
    );
}

#[tokio::test]
async fn test_users_behave_as_documented() {
    let s = start(0).await;
    let cases = [
        ("greatday_nomfa", "Everyday", 200, None),
        ("GREATDAY_NOMFA", "everyday", 200, None),
        (
            "test_disabled_account",
            "Everyday",
            401,
            Some("DISABLED_LOGIN"),
        ),
        (
            "test_service_unavailable",
            "Everyday",
            401,
            Some("RETRY_LATER"),
        ),
        ("Greatday", "WrongPassword", 401, Some("INVALID_LOGIN")),
        ("nobody", "Everyday", 401, Some("INVALID_LOGIN")),
        ("salaried_biweekly", "Everyday", 200, None),
    ];
    for (username, password, status, flinks_code) in cases {
        let reply = post(&s, "BankingServices/Authorize", live(username, password)).await;
        assert_eq!(
            code(&reply),
            (status, flinks_code),
            "{username}: {}",
            reply.1
        );
        assert_eq!(reply.1["HttpStatusCode"], status);
    }
    let mut elsewhere = live("greatday_nomfa", "Everyday");
    elsewhere["Institution"] = json!("RBC");
    let reply = post(&s, "BankingServices/Authorize", elsewhere).await;
    assert_eq!(code(&reply), (401, Some("INVALID_REQUEST")));
}

#[tokio::test]
async fn a_test_login_is_unknown_until_it_has_signed_in() {
    let s = start(0).await;
    let id = flinks_sandbox::personas::live_login_id(s.config().seed, "greatday_nomfa");
    let cached = json!({"LoginId": id, "MostRecentCached": true});
    let reply = post(&s, "BankingServices/Authorize", cached.clone()).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
    let (_, body) = post(
        &s,
        "BankingServices/Authorize",
        live("greatday_nomfa", "Everyday"),
    )
    .await;
    assert_eq!(body["Login"]["Id"], id.to_string());
    assert_eq!(post(&s, "BankingServices/Authorize", cached).await.0, 200);
}

async fn delete_card(s: &Sandbox, login: &str) -> (u16, Value) {
    send(
        reqwest::Client::new().delete(url(s, &format!("BankingServices/DeleteCard/{login}"))),
        &[],
    )
    .await
}

#[tokio::test]
async fn delete_card_forgets_the_login_in_this_sandbox_only() {
    let s = start_with(SandboxConfig::default()).await;
    let other = start_with(SandboxConfig::default()).await;
    let login = s.personas()[1].login_id.to_string();
    let request_id = authorize(&s, 1).await;
    let (status, body) = delete_card(&s, &login).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["HttpStatusCode"], 200);
    assert_eq!(
        body["Message"],
        format!("All of the information about LoginId {login} has been removed")
    );
    let cached = json!({"LoginId": login, "MostRecentCached": true});
    let reply = post(&s, "BankingServices/Authorize", cached).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
    let reply = post(
        &s,
        "BankingServices/GetAccountsDetail",
        json!({"RequestId": request_id}),
    )
    .await;
    assert_eq!(code(&reply), (400, Some("SESSION_NONEXISTENT")));
    assert_eq!(
        code(&delete_card(&s, &login).await),
        (401, Some("INVALID_LOGIN"))
    );
    authorize(&other, 1).await;
}

#[tokio::test]
async fn delete_card_right_after_authorize_is_card_in_use() {
    let s = start_config(SandboxConfig {
        card_in_use_for: Duration::from_secs(60),
        ..SandboxConfig::default()
    })
    .await;
    authorize(&s, 0).await;
    let login = s.personas()[0].login_id.to_string();
    assert_eq!(
        code(&delete_card(&s, &login).await),
        (400, Some("CARD_IN_USE"))
    );
}

#[tokio::test]
async fn data_endpoints_check_the_api_key_when_there_is_one() {
    let s = start_with(SandboxConfig {
        api_key: Some("the-key".into()),
        ..SandboxConfig::default()
    })
    .await;
    let request_id = authorize(&s, 0).await;
    let detail = || {
        reqwest::Client::new()
            .post(url(&s, "BankingServices/GetAccountsDetail"))
            .json(&json!({"RequestId": request_id}))
    };
    assert_eq!(
        code(&send(detail(), &[]).await),
        (401, Some("UNAUTHORIZED"))
    );
    assert_eq!(
        code(&send(detail(), &[("x-api-key", "nope")]).await),
        (401, Some("UNAUTHORIZED"))
    );
    assert_eq!(send(detail(), &[("x-api-key", "the-key")]).await.0, 200);
    let library = || reqwest::Client::new().get(url(&s, "attributes/library"));
    assert_eq!(send(library(), &[]).await.0, 401);
    assert_eq!(send(library(), &[("x-api-key", "the-key")]).await.0, 200);
}

#[tokio::test]
async fn accounts_summary_is_pending_then_accounts_without_transactions() {
    let s = start(150).await;
    let request_id = authorize(&s, 0).await;
    let (status, body) = post(
        &s,
        "BankingServices/GetAccountsSummary",
        json!({"RequestId": request_id}),
    )
    .await;
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (202, Some("OPERATION_PENDING"))
    );
    assert_eq!(body["Links"][0]["href"], "/GetAccountsSummaryAsync");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = get(
        &s,
        &format!("BankingServices/GetAccountsSummaryAsync/{request_id}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let accounts = body["Accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), s.personas()[0].accounts.len());
    assert!(accounts
        .iter()
        .all(|a| a.get("Transactions").is_none() && a["Balance"]["Current"].is_number()));
    // A summary does not stand in for GetAccountsDetail: attributes still wait for it.
    let login = s.personas()[0].login_id;
    let (status, _) = get(
        &s,
        &format!("insight/login/{login}/attributes/{request_id}/GetIncomeAttributes"),
    )
    .await;
    assert_eq!(status, 202);
}

// ----- The Connect page -----

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The settings the page carries in its `config` script element.
fn page_config(html: &str) -> Value {
    let start = html
        .find(r#"<script id="config" type="application/json">"#)
        .unwrap();
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

/// A 200 HTML page that loads nothing from elsewhere; its text.
async fn self_contained_page(r: reqwest::Response) -> String {
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    for external in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "external resource: {external}");
    }
    html
}

#[tokio::test]
async fn the_connect_page_is_self_contained_and_signs_in_with_its_own_tokens() {
    let s = start_with(SandboxConfig {
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await;
    let (_, body) = generate_token(&s, "c4569c54-e167-4d34-8de6-f4113bc82414").await;
    let token = body["Token"].as_str().unwrap();
    let page = format!(
        "{}/v2/?authorizeToken={token}&redirectUrl=https%3A%2F%2Fapp.test%2Fdone&demo=true&language=fr&tag=t-9",
        s.base_url()
    );
    let html = self_contained_page(no_redirects().get(&page).send().await.unwrap()).await;
    assert!(html.contains("Mot de passe"));
    let config = page_config(&html);
    assert_eq!(config["redirectUrl"], "https://app.test/done");
    assert_eq!(config["tag"], "t-9");
    assert_eq!(
        config["authorizePath"],
        format!("/v3/{TOOLBOX_CUSTOMER_ID}/BankingServices/Authorize")
    );
    // What the page's script does: sign in with one of its tokens.
    let page_token = config["tokens"][0].as_str().unwrap();
    let (status, body) = authorize_with(&s, page_token, live("greatday_nomfa", "Everyday")).await;
    assert_eq!(status, 200, "{body}");

    // The token the page was opened with is used up.
    let r = no_redirects().get(&page).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location
            .starts_with("https://app.test/done?error=ACCESS_DENIED&error_description=You%20must"),
        "{location}"
    );
}

#[tokio::test]
async fn the_connect_page_needs_a_redirect_url() {
    let s = start(0).await;
    let r = reqwest::get(format!("{}/v2/?demo=true", s.base_url()))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = reqwest::get(format!(
        "{}/connect?redirectUrl=https://a.test/",
        s.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

// ----- test_pending and test_dispatched -----

#[tokio::test]
async fn slow_test_users_answer_their_202_for_the_configured_polls() {
    let s = start_config(SandboxConfig {
        pending_for: Duration::ZERO,
        slow_polls: 2,
        ..SandboxConfig::default()
    })
    .await;
    let cases = [
        (
            "test_pending",
            "OPERATION_PENDING",
            "Your operation is still processing",
        ),
        (
            "TEST_DISPATCHED",
            "OPERATION_DISPATCHED",
            "Your operations had been dispatched to background process for long running jobs",
        ),
    ];
    for (username, flinks_code, message) in cases {
        let (status, body) =
            post(&s, "BankingServices/Authorize", live(username, "everyday")).await;
        assert_eq!(status, 200, "{username}: {body}");
        let request_id = body["RequestId"].as_str().unwrap().to_owned();
        let busy = json!({
            "FlinksCode": flinks_code,
            "Links": [{ "rel": "AccountsDetailAsync", "href": "/GetAccountsDetailAsync", "example": null }],
            "HttpStatusCode": 202,
            "Message": message,
            "RequestId": request_id,
        });
        let first = post(
            &s,
            "BankingServices/GetAccountsDetail",
            json!({"RequestId": request_id}),
        )
        .await;
        assert_eq!(first, (202, busy.clone()), "{username}");
        let poll = format!("BankingServices/GetAccountsDetailAsync/{request_id}");
        assert_eq!(get(&s, &poll).await, (202, busy), "{username}");
        let (status, detail) = get(&s, &poll).await;
        assert_eq!(status, 200, "{username}: {detail}");
        assert_eq!(detail["Login"]["Username"], username.to_lowercase());
        assert!(!detail["Accounts"].as_array().unwrap().is_empty());
    }
}

// ----- The OAuth sign-in page (not in Flinks' docs: flinks-api.md §2.6) -----

/// Opens the OAuth page with `query`, following no redirect.
async fn open_oauth(s: &Sandbox, query: &str) -> reqwest::Response {
    let page = url(s, &format!("BankingServices/OAuth/Authorize?{query}"));
    no_redirects().get(page).send().await.unwrap()
}

/// The value of a hidden or named input of the page.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"name="{name}" value=""#))? + name.len() + 15;
    Some(html[at..at + html[at..].find('"')?].to_owned())
}

/// Posts the page's form, as a browser would, and returns the status, Location and body.
async fn submit(s: &Sandbox, fields: &[(&str, &str)]) -> (u16, String, String) {
    let r = no_redirects()
        .post(url(s, "BankingServices/OAuth/Authorize"))
        .form(fields)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), location, r.text().await.unwrap())
}

const BACK: &str = "https://app.test/cb";

/// The page's hidden fields for `state`, then `extra`.
fn oauth_form<'a>(state: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("redirect_url", BACK),
        ("state", state),
        ("institution", "FlinksCapital"),
    ];
    fields.extend_from_slice(extra);
    fields
}

/// A 303 back to `BACK` with `username`'s loginId and the state (as encoded), a loginId that
/// opens cached sessions.
async fn assert_signed_in(s: &Sandbox, reply: (u16, String, String), username: &str, state: &str) {
    assert_eq!(reply.0, 303, "{}", reply.2);
    let id = flinks_sandbox::personas::live_login_id(s.config().seed, username);
    assert_eq!(reply.1, format!("{BACK}?loginId={id}&state={state}"));
    let cached = json!({"LoginId": id, "MostRecentCached": true});
    assert_eq!(post(s, "BankingServices/Authorize", cached).await.0, 200);
}

#[tokio::test]
async fn the_oauth_page_signs_in_and_redirects_with_the_login_and_state() {
    let s = start(0).await;
    let r = open_oauth(
        &s,
        "institution=FlinksCapital&redirect_url=https%3A%2F%2Fapp.test%2Fcb&state=xyz%201",
    )
    .await;
    let html = self_contained_page(r).await;
    assert!(!html.contains("<script"), "the OAuth page is a plain form");
    assert!(html.contains(r#"method="post""#) && html.contains(r#"name="password""#));
    assert_eq!(input_value(&html, "redirect_url").as_deref(), Some(BACK));
    assert_eq!(input_value(&html, "state").as_deref(), Some("xyz 1"));
    let form = |extra: &[(&'static str, &'static str)]| oauth_form("xyz 1", extra);

    // A wrong password shows the page again, which can be retried.
    let (status, _, html) = submit(
        &s,
        &form(&[("username", "greatday_nomfa"), ("password", "nope")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("password provided is invalid"), "{html}");
    assert!(html.contains(r#"name="username""#));

    let reply = submit(
        &s,
        &form(&[
            ("username", "GREATDAY_NOMFA"),
            ("password", "everyday"),
            ("action", "sign_in"),
        ]),
    )
    .await;
    assert_signed_in(&s, reply, "greatday_nomfa", "xyz%201").await;
}

#[tokio::test]
async fn the_oauth_page_asks_greatday_its_security_question() {
    let s = start(0).await;
    let fields = oauth_form("s-2", &[("username", "Greatday"), ("password", "Everyday")]);
    let (status, _, html) = submit(&s, &fields).await;
    assert_eq!(status, 200);
    let request_id = input_value(&html, "request_id").expect("a question");
    let prompt = flinks_sandbox::capital::QUESTIONS
        .iter()
        .find(|q| html.contains(q.en))
        .expect("an English prompt");

    let answer = |a: &'static str| oauth_form("s-2", &[("request_id", &request_id), ("answer", a)]);
    let (status, _, html) = submit(&s, &answer("Atlantis")).await;
    assert_eq!(status, 200);
    assert!(html.contains("security response is different"), "{html}");
    assert_eq!(input_value(&html, "request_id"), Some(request_id.clone()));

    let reply = submit(&s, &answer(prompt.answer)).await;
    assert_signed_in(&s, reply, "greatday", "s-2").await;
}

#[tokio::test]
async fn the_oauth_page_denies_cancel_and_other_institutions_and_needs_a_redirect_url() {
    let s = start(0).await;
    let (status, location, _) = submit(&s, &oauth_form("s-3", &[("action", "cancel")])).await;
    assert_eq!(status, 303);
    assert!(
        location.starts_with(&format!(
            "{BACK}?state=s-3&error=access_denied&error_description=The%20customer%20cancelled"
        )),
        "{location}"
    );

    let r = open_oauth(
        &s,
        "institution=RBC&redirect_url=https://app.test/cb&state=s-4",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!(
            "{BACK}?state=s-4&error=access_denied&error_description="
        )) && location.contains("RBC"),
        "{location}"
    );

    for query in [
        "institution=FlinksCapital&state=s",
        "institution=FlinksCapital&redirect_url=javascript:alert(1)",
        "institution=FlinksCapital&redirect_url=%2Fcb",
    ] {
        let (status, body) = get(&s, &format!("BankingServices/OAuth/Authorize?{query}")).await;
        assert_eq!(
            code(&(status, body.clone())),
            (400, Some("INVALID_REQUEST")),
            "{query}"
        );
    }
    let (status, _, body) = submit(&s, &[("institution", "FlinksCapital")]).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn saved_logins_outlive_a_restart_by_username_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox-logins.json");
    let config = || SandboxConfig {
        saved_logins: Some(file.clone()),
        ..SandboxConfig::default()
    };
    let s = start_with(config()).await;
    let (_, body) = post(
        &s,
        "BankingServices/Authorize",
        live("greatday_nomfa", "Everyday"),
    )
    .await;
    let created = body["Login"]["Id"].as_str().unwrap().to_owned();
    let sample = s.personas()[1].login_id.to_string();
    assert_eq!(delete_card(&s, &sample).await.0, 200);
    drop(s);

    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("greatday_nomfa"), "{saved}");
    assert!(
        !saved.contains(&created) && !saved.contains(&sample),
        "no loginId in the file: {saved}"
    );

    // A new instance on the same file: the created login still opens, the deleted one not.
    let again = start_with(config()).await;
    let cached = |login: &str| json!({"LoginId": login, "MostRecentCached": true});
    let reply = post(&again, "BankingServices/Authorize", cached(&created)).await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    let reply = post(&again, "BankingServices/Authorize", cached(&sample)).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
    // Without the file, a fresh instance knows only its sample cast, as before.
    let fresh = start_with(SandboxConfig::default()).await;
    let reply = post(&fresh, "BankingServices/Authorize", cached(&created)).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
    // A damaged file is not fatal: the instance starts with the sample cast.
    std::fs::write(&file, b"{not json").unwrap();
    let damaged = start_with(config()).await;
    let reply = post(&damaged, "BankingServices/Authorize", cached(&sample)).await;
    assert_eq!(reply.0, 200, "{}", reply.1);
}
