//! What the sandbox's newer HTTP tests share: a sandbox on the tests' day, Flinks' paths under
//! the toolbox customerId, and plain reqwest calls that return the status and the JSON.

#![allow(dead_code)] // Each test file uses its own part.

use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig, TOOLBOX_CUSTOMER_ID};
use serde_json::{json, Value};

/// `config` on the tests' day, 2026-03-15, with no card-in-use wait.
pub async fn start(config: SandboxConfig) -> Sandbox {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    Sandbox::start_local(SandboxConfig {
        as_of,
        card_in_use_for: Duration::ZERO,
        ..config
    })
    .await
    .unwrap()
}

/// A sandbox whose data is ready after `pending_ms`.
pub async fn pending_for(pending_ms: u64) -> Sandbox {
    start(SandboxConfig {
        pending_for: Duration::from_millis(pending_ms),
        ..SandboxConfig::default()
    })
    .await
}

/// `…/v3/{toolbox customerId}/BankingServices/{endpoint}`.
pub fn banking(s: &Sandbox, endpoint: &str) -> String {
    format!(
        "{}/v3/{TOOLBOX_CUSTOMER_ID}/BankingServices/{endpoint}",
        s.base_url()
    )
}

pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text));
    (status, body)
}

pub async fn post(s: &Sandbox, endpoint: &str, body: Value) -> (u16, Value) {
    send(
        reqwest::Client::new()
            .post(banking(s, endpoint))
            .json(&body),
    )
    .await
}

pub async fn patch(s: &Sandbox, endpoint: &str, body: Value) -> (u16, Value) {
    send(
        reqwest::Client::new()
            .patch(banking(s, endpoint))
            .json(&body),
    )
    .await
}

pub async fn get(s: &Sandbox, endpoint: &str) -> (u16, Value) {
    send(reqwest::Client::new().get(banking(s, endpoint))).await
}

/// The status and FlinksCode of a reply.
pub fn code(reply: &(u16, Value)) -> (u16, Option<&str>) {
    (reply.0, reply.1["FlinksCode"].as_str())
}

pub fn login_of(s: &Sandbox, username: &str) -> String {
    s.personas()
        .iter()
        .find(|p| p.username == username)
        .unwrap_or_else(|| panic!("no persona {username}"))
        .login_id
        .to_string()
}

/// A cached Authorize of a persona: its RequestId.
pub async fn session(s: &Sandbox, username: &str) -> String {
    let body = json!({"LoginId": login_of(s, username), "MostRecentCached": true});
    let (status, reply) = post(s, "Authorize", body).await;
    assert_eq!(status, 200, "{reply}");
    reply["RequestId"].as_str().unwrap().to_owned()
}

/// A live Authorize at Flinks Capital with the test password.
pub async fn live(s: &Sandbox, username: &str) -> (u16, Value) {
    let body = json!({
        "Institution": "FlinksCapital",
        "Username": username,
        "Password": "Everyday",
        "MostRecentCached": false,
        "Save": true,
    });
    post(s, "Authorize", body).await
}

/// Greatday signed in through its security question: the new loginId.
pub async fn greatday(s: &Sandbox) -> String {
    let (status, challenge) = live(s, "Greatday").await;
    assert_eq!(status, 203, "{challenge}");
    let prompt = challenge["SecurityChallenges"][0]["Prompt"]
        .as_str()
        .unwrap();
    let answer = flinks_sandbox::capital::answer_to(prompt).unwrap();
    let body = json!({
        "RequestId": challenge["RequestId"],
        "SecurityResponses": { prompt: [answer] },
    });
    let (status, signed_in) = post(s, "Authorize", body).await;
    assert_eq!(status, 200, "{signed_in}");
    signed_in["Login"]["Id"].as_str().unwrap().to_owned()
}
