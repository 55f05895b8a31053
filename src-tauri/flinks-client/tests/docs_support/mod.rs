//! What the tests against Flinks' documented JSON share: the toolbox's paths and keys, a client
//! for the mock server, the matchers of a documented request, and the checks of a documented
//! error. (Each file keeps its own `sample!`, whose path is relative to the file.)

#![allow(dead_code)] // Each test file uses its own part.

use std::time::Duration;

use flinks_client::toolbox::{API_KEY as X_API_KEY, CUSTOMER_ID};
use flinks_client::{Environment, FlinksClient, FlinksCode, FlinksError, PollPolicy, Secret};
use serde_json::Value;
use wiremock::matchers::header;
use wiremock::{MockBuilder, MockServer, Request, ResponseTemplate};

pub const FAST: PollPolicy = PollPolicy {
    interval: Duration::from_millis(10),
    max_wait: Duration::from_secs(10),
};

pub fn banking(endpoint: &str) -> String {
    format!("/v3/{CUSTOMER_ID}/BankingServices/{endpoint}")
}

pub fn reply(status: u16, body: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

pub fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("the sample is JSON")
}

pub fn client_for(server: &MockServer) -> FlinksClient {
    let mut env = Environment::new(&server.uri(), CUSTOMER_ID).unwrap();
    env.x_api_key = Some(Secret::new(X_API_KEY));
    FlinksClient::new(env).unwrap()
}

pub fn without_header(name: &'static str) -> impl Fn(&Request) -> bool + Send + Sync {
    move |r: &Request| !r.headers.contains_key(name)
}

pub fn without_body(r: &Request) -> bool {
    r.body.is_empty()
}

/// Data endpoints take `x-api-key` only (flinks-api.md §1): the secret key and authorize tokens
/// have no business there.
pub fn data_call(builder: MockBuilder) -> MockBuilder {
    builder
        .and(header("x-api-key", X_API_KEY))
        .and(without_header("flinks-auth-key"))
}

/// Unwraps `result`, or fails with what the server received: an unmatched request is only an
/// empty 404 to the client, which says nothing about which matcher refused it.
pub async fn ok<T>(server: &MockServer, result: flinks_client::Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => {
            let received: Vec<String> = server
                .received_requests()
                .await
                .unwrap_or_default()
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {:?} {}",
                        r.method,
                        r.url.path(),
                        r.headers,
                        String::from_utf8_lossy(&r.body)
                    )
                })
                .collect();
            panic!("{e:?}\nthe mock server received:\n{}", received.join("\n"));
        }
    }
}

/// The error is Flinks' documented one, tells the desk what to do, and names none of the call's
/// secrets in any case (Flinks may echo a GUID upper-cased).
pub fn assert_api_error(
    e: &FlinksError,
    status: u16,
    code: FlinksCode,
    message: &str,
    secrets: &[&str],
) {
    match e {
        FlinksError::Api {
            status: s,
            code: c,
            message: m,
        } => {
            assert_eq!((*s, c, m.as_str()), (status, &code, message), "{e:?}");
        }
        other => panic!("expected Flinks' {status} {code}, got {other:?}"),
    }
    assert!(!e.hint().trim().is_empty(), "no hint for {e:?}");
    for text in [e.to_string(), format!("{e:?}")] {
        let text = text.to_lowercase();
        for secret in secrets {
            assert!(
                !text.contains(&secret.to_lowercase()),
                "{secret} leaks into {text:?}"
            );
        }
    }
}
