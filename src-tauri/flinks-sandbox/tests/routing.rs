//! What the sandbox answers around its endpoints: a wrong method on a known path, the links it
//! advertises (its `/` page, its startup listing, the `Links` of its replies), and the first
//! answer of the slow test logins.

mod support;

use std::time::Duration;

use flinks_sandbox::{Sandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{json, Value};
use support::{banking, get, live, pending_for, post, send, session, start};

#[tokio::test]
async fn a_wrong_method_on_a_known_path_is_a_flinks_405_naming_the_allowed_ones() {
    let s = pending_for(0).await;
    let request_id = session(&s, "salaried_biweekly").await;
    let cases = [
        (Method::GET, banking(&s, "Authorize"), "POST"),
        (Method::PUT, banking(&s, "GetStatements"), "POST"),
        (
            Method::POST,
            banking(&s, &format!("GetAccountsDetailAsync/{request_id}")),
            "GET,HEAD",
        ),
        (Method::GET, banking(&s, "SetScheduledRefresh"), "PATCH"),
        (
            Method::DELETE,
            format!("{}/sandbox/faults", s.base_url()),
            "GET,HEAD,PUT",
        ),
    ];
    for (method, url, allowed) in cases {
        let r = reqwest::Client::new()
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 405, "{method} {url}");
        assert_eq!(r.headers()["allow"], allowed, "{method} {url}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["HttpStatusCode"], 405);
        assert_eq!(body["FlinksCode"], "INVALID_REQUEST");
        assert_eq!(
            body["Message"],
            format!("The requested resource does not support http method '{method}'.")
        );
    }
    // An unknown path is still a 404.
    let (status, body) = get(&s, "GetNothing").await;
    assert_eq!((status, &body["HttpStatusCode"]), (404, &json!(404)));
}

#[tokio::test]
async fn test_dispatched_answers_dispatched_from_the_first_get_accounts_detail() {
    // Data that takes a while to prepare, as by default: the 202s then come from the time too.
    let s = start(SandboxConfig {
        pending_for: Duration::from_millis(150),
        slow_polls: 1,
        ..SandboxConfig::default()
    })
    .await;
    for (username, busy) in [
        ("test_dispatched", "OPERATION_DISPATCHED"),
        ("test_pending", "OPERATION_PENDING"),
    ] {
        let (status, signed_in) = live(&s, username).await;
        assert_eq!(status, 200, "{signed_in}");
        let request_id = signed_in["RequestId"].as_str().unwrap().to_owned();
        let first = post(&s, "GetAccountsDetail", json!({"RequestId": request_id})).await;
        assert_eq!(
            (first.0, first.1["FlinksCode"].as_str()),
            (202, Some(busy)),
            "{username}"
        );
        let poll = format!("GetAccountsDetailAsync/{request_id}");
        let mut answers = Vec::new();
        loop {
            let (status, body) = get(&s, &poll).await;
            if status == 200 {
                break;
            }
            answers.push(body["FlinksCode"].as_str().unwrap().to_owned());
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        assert!(answers.iter().all(|a| a == busy), "{username}: {answers:?}");
    }
}

/// Sends what a link says (its method, its example body) and returns the status.
async fn follow(s: &Sandbox, method: &str, href: &str, example: Option<&str>) -> u16 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method, format!("{}{href}", s.base_url()));
    if let Some(body) = example {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_link_the_index_page_and_the_startup_listing_give_is_served() {
    let s = pending_for(0).await;
    let (status, index) = send(reqwest::Client::new().get(format!("{}/", s.base_url()))).await;
    assert_eq!(status, 200);
    let links = index["Links"]
        .as_array()
        .expect("the / page lists its links");
    // `flinks-sandbox` prints Sandbox::adverts: the same links.
    assert_eq!(serde_json::to_value(s.adverts()).unwrap(), json!(links));
    let rels: Vec<&str> = links.iter().map(|l| l["rel"].as_str().unwrap()).collect();
    for rel in ["ConnectPage", "OAuthPage", "Authorization", "SandboxFaults"] {
        assert!(rels.contains(&rel), "{rel} missing from {rels:?}");
    }
    for link in links {
        let href = link["href"].as_str().unwrap();
        let status = follow(
            &s,
            link["method"].as_str().unwrap(),
            href,
            link["example"].as_str(),
        )
        .await;
        assert_eq!(status, 200, "{link}");
    }
}

#[tokio::test]
async fn the_links_of_replies_name_endpoints_the_sandbox_serves() {
    let s = pending_for(100).await;
    let request_id = session(&s, "salaried_biweekly").await;
    let (_, authorized) = post(
        &s,
        "Authorize",
        json!({"LoginId": support::login_of(&s, "salaried_biweekly"), "MostRecentCached": true}),
    )
    .await;
    let mut checked = 0;
    // Authorize's links: the data endpoints, each called with the session.
    for link in authorized["Links"].as_array().unwrap() {
        let href = link["href"].as_str().unwrap().trim_start_matches('/');
        let (status, body) = post(&s, href, json!({"RequestId": request_id})).await;
        assert_eq!(status, 202, "{href}: {body}");
        // Each 202 names the Async endpoint to poll, under the session's RequestId.
        for poll in body["Links"].as_array().unwrap() {
            let poll = poll["href"].as_str().unwrap().trim_start_matches('/');
            let (status, body) = get(&s, &format!("{poll}/{request_id}")).await;
            assert_eq!(status, 202, "{poll}: {body}");
            checked += 1;
        }
    }
    assert_eq!(
        checked, 3,
        "AccountsDetail, AccountsSummary and Statements each name a poll"
    );
    // The 203's link is Authorize, where the answer goes.
    let (status, challenge) = live(&s, "Greatday").await;
    assert_eq!(status, 203);
    assert_eq!(challenge["Links"][0]["href"], "/Authorize");
}
