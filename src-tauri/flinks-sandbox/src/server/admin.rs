//! The sandbox's own endpoints, outside Flinks' API: what it serves (`/`) and its fault rules
//! (`/sandbox/faults`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::config::INSTITUTION;
use super::state::AppState;
use super::wire::flinks_error;
use crate::fault_rules::FaultRule;

/// `GET /`: the customerIds this instance answers to, the day its data ends, and its customers.
pub(super) async fn about(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({
        "Name": "Flinks Capital sandbox (Flinks Desk)",
        "Institution": INSTITUTION,
        "CustomerIds": state.config.customer_ids,
        "AsOf": state.config.as_of.to_string(),
        "Customers": state.personas.iter().map(|p| json!({
            "Username": p.username, "LoginId": p.login_id, "Story": p.story,
        })).collect::<Vec<_>>(),
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
