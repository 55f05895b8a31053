use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::transport::{excerpt, EXCERPT_CHARS};
use super::{CallRecord, DetailReply, Environment, FlinksClient, Reply};
use crate::wire::fold_keys;

#[test]
fn urls_keep_a_base_path_and_add_the_customer() {
    let env = Environment::new("http://127.0.0.1:9/proxy/", "cid").unwrap();
    let client = FlinksClient::new(env).unwrap();
    assert_eq!(
        client.url("BankingServices/Authorize").as_str(),
        "http://127.0.0.1:9/proxy/v3/cid/BankingServices/Authorize"
    );
}

#[test]
fn the_documented_202_bodies_are_pending() {
    for (code, message) in [
        ("OPERATION_PENDING", "Your operation is still processing"),
        (
            "OPERATION_DISPATCHED",
            "Your operations had been dispatched to background process for long running jobs",
        ),
    ] {
        let body = fold_keys(json!({
            "FlinksCode": code,
            "Links": [{ "rel": "AccountsDetailAsync", "href": "/GetAccountsDetailAsync", "example": null }],
            "HttpStatusCode": 202,
            "Message": message,
            "RequestId": "1243c283-e0ca-4fda-a5e4-343068430190",
        }));
        let reply = FlinksClient::detail_reply(StatusCode::ACCEPTED, Reply::Tree(body), &[]);
        assert!(matches!(reply, Ok(DetailReply::Pending)), "{code}");
    }
    let other = fold_keys(json!({ "FlinksCode": "RETRY_LATER", "HttpStatusCode": 202 }));
    assert!(FlinksClient::detail_reply(StatusCode::ACCEPTED, Reply::Tree(other), &[]).is_err());
}

#[test]
fn only_data_and_attributes_delivered_with_a_200_are_billable() {
    let billable = |endpoint: &'static str, status: Option<u16>| {
        CallRecord {
            endpoint,
            status,
            flinks_code: None,
            duration: Duration::ZERO,
        }
        .billable()
    };
    for endpoint in [
        "GetAccountsDetail",
        "GetAccountsDetailAsync",
        "GetAccountsSummary",
        "GetAccountsSummaryAsync",
        "GetCreditRiskAttributes",
        "GetIncomeAttributes",
        "GetBusinessAnalysisAttributes",
        "Attributes",
    ] {
        assert!(billable(endpoint, Some(200)), "{endpoint} 200");
        for status in [Some(202), Some(203), Some(400), Some(500), None] {
            assert!(!billable(endpoint, status), "{endpoint} {status:?}");
        }
    }
    for endpoint in [
        "GenerateAuthorizeToken",
        "Authorize",
        "AttributeLibrary",
        "DeleteCard",
    ] {
        assert!(!billable(endpoint, Some(200)), "{endpoint}");
    }
}

#[test]
fn the_oauth_url_names_institution_redirect_and_state() {
    let env = Environment::new("https://toolbox-api.private.fin.ag", "cid").unwrap();
    let client = FlinksClient::new(env).unwrap();
    let url = client.oauth_authorize_url("FlinksCapital", "https://app.test/cb?x=1", "s 1&2");
    assert_eq!(
        url.as_str(),
        "https://toolbox-api.private.fin.ag/v3/cid/BankingServices/OAuth/Authorize?institution=FlinksCapital&redirect_url=https%3A%2F%2Fapp.test%2Fcb%3Fx%3D1&state=s+1%262"
    );
}

#[test]
fn environment_refuses_non_http_urls() {
    assert!(Environment::new("ftp://x", "c").is_err());
    assert!(Environment::new("not a url", "c").is_err());
}

#[test]
fn excerpt_is_short_flat_and_scrubbed() {
    let id = "5e115eac-1209-4f19-641c-08d6d484e2fe";
    let body = format!(
        "<html>\n<body>Bad gateway for {id}</body>{}</html>",
        "x".repeat(500)
    );
    let e = excerpt(body.as_bytes(), &[id]);
    assert!(!e.contains("5e115eac"));
    assert!(!e.contains('\n'));
    assert!(e.chars().count() <= EXCERPT_CHARS + 1);
}
