//! GetStatements and its Async poll (flinks-api.md §1, §2.4, §2.7): the PDF statements of the
//! session's accounts, base64 in `StatementsByAccount`, after the same 202 `OPERATION_PENDING`
//! as GetAccountsDetail while the session's data is not ready.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use uuid::Uuid;

use super::config::INSTITUTION;
use super::detail_options::StatementOptions;
use super::state::AppState;
use super::wire::{flinks_error, pending_at, session_nonexistent, Busy, FlinksBody};
use crate::statements::{closed_months, statement_pdf, unique_id};

pub(super) async fn statements(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
) -> Response {
    let options = match StatementOptions::from_body(&body) {
        Ok(o) => o,
        // flinks-api.md §3.2: INVALID_REQUEST is a 401 in the current docs, which the
        // simulator should follow.
        Err(why) => return flinks_error(StatusCode::UNAUTHORIZED, "INVALID_REQUEST", &why, None),
    };
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    statements_reply(&state, request_id, Some(options))
}

pub(super) async fn statements_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    statements_reply(&state, &request_id, None)
}

/// `options` are those of a GetStatements call; the Async endpoint passes none and gets those
/// of the last call (or the defaults, MostRecent of every account, when there was none).
fn statements_reply(
    state: &AppState,
    request_id: &str,
    options: Option<StatementOptions>,
) -> Response {
    let outcome = state.with_session(request_id, |s| {
        if let Some(o) = options {
            s.statements_requested = Some(o);
        }
        let options = s.statements_requested.clone().unwrap_or_default();
        (Instant::now() >= s.ready_at).then_some((s.login_id, options))
    });
    let request_id = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    let (login_id, options) = match outcome {
        Err(r) => return r,
        Ok(None) => return pending_at(request_id, "StatementsAsync", Busy::Pending),
        Ok(Some(ready)) => ready,
    };
    let Some(persona) = state.persona(login_id) else {
        return session_nonexistent();
    };
    let periods = closed_months(state.config.as_of, options.months);
    let engine = base64::engine::general_purpose::STANDARD;
    let by_account: Vec<Value> = persona
        .accounts
        .iter()
        .filter(|a| options.includes(a))
        .map(|account| {
            let statements: Vec<Value> = periods
                .iter()
                .filter_map(|&period| {
                    let pdf = statement_pdf(persona, account, period)?;
                    Some(json!({
                        "UniqueId": unique_id(account.id, period),
                        "FileType": "PDF",
                        "Base64Bytes": engine.encode(pdf),
                    }))
                })
                .collect();
            json!({ "AccountNumber": account.account_number, "Statements": statements })
        })
        .collect();
    Json(json!({
        "HttpStatusCode": 200,
        "StatementsByAccount": by_account,
        "Login": state.login_json(persona),
        "Institution": INSTITUTION,
        "RequestId": request_id,
    }))
    .into_response()
}
