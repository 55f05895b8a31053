//! A session keeps the attribute cards it was served: asking again answers the same bytes, which
//! are what the engine computes from the transactions, never another session's or another
//! scope's card, and the cards go when their session goes.

mod support;

use std::time::Duration;

use chrono::NaiveDate;
use flinks_sandbox::catalog::Package;
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::{Sandbox, SandboxConfig, FAULT_HEADER, TOOLBOX_CUSTOMER_ID};
use serde_json::{json, Map, Value};
use support::{banking, code, login_of, post, session, start};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

/// A session of `username` whose GetAccountsDetail (with `options`) has answered.
async fn ready(s: &Sandbox, username: &str, options: Value) -> (String, String) {
    let request_id = session(s, username).await;
    let mut body = json!({ "RequestId": request_id });
    for (k, v) in options.as_object().unwrap() {
        body[k] = v.clone();
    }
    let reply = post(s, "GetAccountsDetail", body).await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    (login_of(s, username), request_id)
}

/// A package call's status and raw body, optionally with headers.
async fn call(
    s: &Sandbox,
    (login, request_id): &(String, String),
    endpoint: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let url = format!(
        "{}/v3/{TOOLBOX_CUSTOMER_ID}/insight/login/{login}/attributes/{request_id}/{endpoint}",
        s.base_url()
    );
    let request = headers
        .iter()
        .fold(reqwest::Client::new().get(url), |r, (k, v)| {
            r.header(*k, *v)
        });
    let reply = request.send().await.unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}

fn card(body: &str) -> Value {
    let reply: Value = serde_json::from_str(body).unwrap();
    reply["Card"].clone()
}

/// The card the engine computes for `username` now, from its transactions: each attribute's
/// value and the transactions behind it, as the reply writes them.
fn computed(s: &Sandbox, username: &str, package: Package, scope: &Scope) -> (Value, Value) {
    let persona = s
        .personas()
        .iter()
        .find(|p| p.username == username)
        .unwrap();
    let attributes = engine::package(package, persona, as_of(), scope);
    let mut values = Map::new();
    values.insert("Id".into(), json!(persona.login_id));
    let mut details = Vec::new();
    for a in &attributes {
        values.insert(a.name.clone(), a.value.to_json());
        if !a.detail.is_empty() {
            let ids: Vec<Value> = a.detail.iter().map(|(_, tx)| json!(tx)).collect();
            details.push(json!({ "Attribute": a.name, "TransactionIds": ids }));
        }
    }
    (Value::Object(values), Value::Array(details))
}

/// A served card split as [`computed`] splits it.
fn served(card: &Value) -> (Value, Value) {
    let mut values = card.as_object().unwrap().clone();
    let details = values.remove("AttributesDetail").unwrap();
    let details: Vec<Value> = details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let ids: Vec<&Value> = d["Transactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| &t["TransactionId"])
                .collect();
            json!({ "Attribute": d["Attribute"], "TransactionIds": ids })
        })
        .collect();
    (Value::Object(values), Value::Array(details))
}

/// What GetAccountsDetail serves by default: every account, 365 days.
fn year() -> Scope {
    Scope {
        days: Some(365),
        ..Scope::default()
    }
}

#[tokio::test]
async fn a_second_call_answers_the_same_bytes_the_engine_computes() {
    let s = start(SandboxConfig {
        pending_for: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await;
    let salaried = ready(&s, "salaried_biweekly", json!({})).await;
    assert_eq!(s.kept_attribute_cards(), (0, 0));

    let first = call(&s, &salaried, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(first.0, 200, "{}", first.1);
    let (cards, bytes) = s.kept_attribute_cards();
    assert_eq!(cards, 1);
    assert!(
        bytes > 100_000,
        "a Credit Risk card with its details: {bytes} bytes"
    );

    let second = call(&s, &salaried, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(second, first);
    // The reply is written around the kept bytes: still compact JSON in Flinks' key order,
    // as serde_json writes the whole.
    let reply: Value = serde_json::from_str(&second.1).unwrap();
    assert_eq!(serde_json::to_string(&reply).unwrap(), second.1);
    let keys: Vec<&String> = reply.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["HttpStatusCode", "Card", "Login", "RequestId"]);
    assert_eq!(s.kept_attribute_cards(), (1, bytes), "nothing more is kept");
    assert_eq!(
        served(&card(&second.1)),
        computed(&s, "salaried_biweekly", Package::CreditRisk, &year())
    );

    // Another session of the same customer computes its own, and it is the same card.
    let again = ready(&s, "salaried_biweekly", json!({})).await;
    let fresh = call(&s, &again, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(card(&fresh.1), card(&second.1));
    assert_eq!(s.kept_attribute_cards(), (2, 2 * bytes));
}

#[tokio::test]
async fn each_session_package_and_scope_has_its_own_card() {
    let s = start(SandboxConfig {
        pending_for: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await;
    let salaried = ready(&s, "salaried_biweekly", json!({})).await;
    let other = "borrower_nsf";
    let borrower = ready(&s, other, json!({})).await;

    // Both asked twice, interleaved: neither answers the other's card.
    for _ in 0..2 {
        let (_, a) = call(&s, &salaried, "GetCreditRiskAttributes", &[]).await;
        let (_, b) = call(&s, &borrower, "GetCreditRiskAttributes", &[]).await;
        assert_ne!(card(&a)["Id"], card(&b)["Id"]);
        let want = |u| computed(&s, u, Package::CreditRisk, &year());
        assert_eq!(served(&card(&a)), want("salaried_biweekly"));
        assert_eq!(served(&card(&b)), want(other));
    }

    // Another package, and another day limit, of the same session are other cards.
    let (_, income) = call(&s, &salaried, "GetIncomeAttributes", &[]).await;
    assert_eq!(
        served(&card(&income)),
        computed(&s, "salaried_biweekly", Package::Income, &year())
    );
    let month = Scope {
        days: Some(30),
        ..Scope::default()
    };
    let limited = [("limitDays", "30")];
    let (_, short) = call(&s, &salaried, "GetCreditRiskAttributes", &limited).await;
    assert_eq!(
        served(&card(&short)),
        computed(&s, "salaried_biweekly", Package::CreditRisk, &month)
    );
    let (_, long) = call(&s, &salaried, "GetCreditRiskAttributes", &[]).await;
    assert_ne!(card(&short), card(&long));
    assert_eq!(
        served(&card(&long)),
        computed(&s, "salaried_biweekly", Package::CreditRisk, &year())
    );

    // GetAccountsDetail again with other options: the session's data changes, so does its card.
    let body = json!({ "RequestId": salaried.1, "DaysOfTransactions": "Days90" });
    assert_eq!(post(&s, "GetAccountsDetail", body).await.0, 200);
    let quarter = Scope {
        days: Some(90),
        ..Scope::default()
    };
    let (_, narrowed) = call(&s, &salaried, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(
        served(&card(&narrowed)),
        computed(&s, "salaried_biweekly", Package::CreditRisk, &quarter)
    );
}

#[tokio::test]
async fn a_deleted_or_expired_session_takes_its_cards_with_it() {
    let s = start(SandboxConfig {
        pending_for: Duration::ZERO,
        session_ttl: Duration::from_millis(1500),
        ..SandboxConfig::default()
    })
    .await;

    // DeleteCard ends the login's sessions.
    let deleted = ready(&s, "salaried_biweekly", json!({})).await;
    call(&s, &deleted, "GetCreditRiskAttributes", &[]).await;
    call(&s, &deleted, "GetIncomeAttributes", &[]).await;
    assert_eq!(s.kept_attribute_cards().0, 2);
    let url = banking(&s, &format!("DeleteCard/{}", deleted.0));
    let reply = support::send(reqwest::Client::new().delete(url)).await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert_eq!(s.kept_attribute_cards(), (0, 0));

    // An `expired-session` fault really forgets the session.
    let faulted = ready(&s, "borrower_nsf", json!({})).await;
    call(&s, &faulted, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(s.kept_attribute_cards().0, 1);
    let fault = [(FAULT_HEADER, "expired-session")];
    call(&s, &faulted, "GetCreditRiskAttributes", &fault).await;
    assert_eq!(s.kept_attribute_cards(), (0, 0));
    let (status, body) = call(&s, &faulted, "GetCreditRiskAttributes", &[]).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(code(&(status, body)), (400, Some("SESSION_NONEXISTENT")));

    // An idle session expires; the next call that looks sessions up drops it and its cards.
    let idle = ready(&s, "borrower_nsf", json!({})).await;
    call(&s, &idle, "GetCreditRiskAttributes", &[]).await;
    assert_eq!(s.kept_attribute_cards().0, 1);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let (status, body) = call(&s, &idle, "GetCreditRiskAttributes", &[]).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(code(&(status, body)), (400, Some("SESSION_NONEXISTENT")));
    assert_eq!(s.kept_attribute_cards(), (0, 0));
}
