//! The sandbox's own endpoints, outside Flinks' API: what it serves (`/`) and its fault rules
//! (`/sandbox/faults`); and the links it gives people, on `/` and in its startup listing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::config::INSTITUTION;
use super::routes;
use super::state::AppState;
use super::wire::flinks_error;
use crate::fault_rules::FaultRule;

/// A link the sandbox gives people to try it with, in Flinks' `Links` shape: `href` from the
/// sandbox's root, `example` the JSON body to send with a POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advert {
    #[serde(rename = "rel")]
    pub rel: &'static str,
    #[serde(rename = "href")]
    pub href: String,
    #[serde(rename = "method")]
    pub method: &'static str,
    #[serde(rename = "example")]
    pub example: Option<String>,
}

/// Every link the sandbox advertises, built from the routes it serves so none can go stale.
pub(crate) fn adverts(customer_id: &str, first_login: Option<Uuid>) -> Vec<Advert> {
    let get = |rel, href: String| Advert {
        rel,
        href,
        method: "GET",
        example: None,
    };
    let flinks = |route| routes::for_customer(route, customer_id);
    let mut links = vec![
        get(
            "ConnectPage",
            format!(
                "{}?redirectUrl=https://example.com/done&demo=true",
                routes::CONNECT_PAGES[0]
            ),
        ),
        get(
            "OAuthPage",
            format!(
                "{}?institution={INSTITUTION}&redirect_url=https://example.com/done&state=s1",
                flinks(routes::OAUTH_AUTHORIZE)
            ),
        ),
        get("AttributeLibrary", flinks(routes::ATTRIBUTE_LIBRARY)),
        get("SandboxFaults", routes::SANDBOX_FAULTS.to_owned()),
    ];
    if let Some(login) = first_login {
        links.push(Advert {
            rel: "Authorization",
            href: flinks(routes::AUTHORIZE),
            method: "POST",
            example: Some(format!(
                r#"{{"LoginId":"{login}","MostRecentCached":true}}"#
            )),
        });
    }
    links
}

/// `GET /`: the customerIds this instance answers to, the day its data ends, its customers, and
/// links to try it with.
pub(super) async fn about(State(state): State<Arc<AppState>>) -> Json<Value> {
    let first = state.personas.first().map(|p| p.login_id);
    Json(json!({
        "Name": "Flinks Capital sandbox (Flinks Desk)",
        "Institution": INSTITUTION,
        "CustomerIds": state.config.customer_ids,
        "AsOf": state.config.as_of.to_string(),
        "Customers": state.personas.iter().map(|p| json!({
            "Username": p.username, "LoginId": p.login_id, "Story": p.story,
        })).collect::<Vec<_>>(),
        "Links": adverts(&state.config.customer_ids[0], first),
    }))
}

/// `GET /sandbox/faults`: the rules, with the times each has left.
pub(super) async fn list_faults(State(state): State<Arc<AppState>>) -> Json<Vec<FaultRule>> {
    Json(state.faults.rules())
}

/// `PUT /sandbox/faults`: a JSON array of rules replaces them all; answers them as GET does.
pub(super) async fn replace_faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Vec<FaultRule>>(&body) {
        Ok(rules) => {
            tracing::info!(rules = rules.len(), "sandbox fault rules replaced");
            state.faults.replace(rules);
            list_faults(State(state)).await.into_response()
        }
        Err(e) => flinks_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            &format!("The body must be a JSON array of fault rules: {e}"),
            None,
        ),
    }
}
