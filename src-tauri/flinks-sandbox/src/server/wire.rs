//! How Flinks speaks, both ways: request bodies read with keys in any case (as ASP.NET-backed
//! Flinks reads them), and the envelopes of its replies (flinks-api.md §2.3, §3.1) in its
//! PascalCase. Every endpoint and the fault middleware answer through these, so an error from
//! a fault looks like one from a handler.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::model::Persona;

/// A 202 of the data endpoints (flinks-api.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Busy {
    Pending,
    Dispatched,
}

impl Busy {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Busy::Pending => "OPERATION_PENDING",
            Busy::Dispatched => "OPERATION_DISPATCHED",
        }
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            Busy::Pending => "Your operation is still processing",
            Busy::Dispatched => {
                "Your operations had been dispatched to background process for long running jobs"
            }
        }
    }
}

pub(super) fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or("", str::trim)
}

/// A request body as Flinks reads it: a JSON object whose keys match in any case. Anything else
/// is Flinks' `INVALID_REQUEST`.
pub(super) struct FlinksBody(pub(super) Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for FlinksBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        read_body(&bytes).map(FlinksBody)
    }
}

/// Flinks' error envelope (flinks-api.md §3.1).
pub(crate) fn flinks_error(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: Option<Uuid>,
) -> Response {
    let mut body = json!({
        "HttpStatusCode": status.as_u16(),
        "FlinksCode": code,
        "Message": message,
        "Links": [],
    });
    if let Some(id) = request_id {
        body["RequestId"] = json!(id);
    }
    (status, Json(body)).into_response()
}

pub(super) fn pending(request_id: Uuid) -> Response {
    pending_at(request_id, "AccountsDetailAsync", Busy::Pending)
}

/// A 202 whose Links name `rel`, the endpoint to poll.
pub(crate) fn pending_at(request_id: Uuid, rel: &str, busy: Busy) -> Response {
    // The docs elide the Links of a 202; where to poll is the one that helps.
    let body = json!({
        "FlinksCode": busy.code(),
        "Links": [{ "rel": rel, "href": format!("/Get{rel}"), "example": null }],
        "HttpStatusCode": 202,
        "Message": busy.message(),
        "RequestId": request_id,
    });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// Parses a JSON body with keys folded to lower case; bad JSON is Flinks' `INVALID_REQUEST`.
pub(crate) fn read_body(body: &Bytes) -> Result<Map<String, Value>, Response> {
    let invalid = |why: &str| {
        flinks_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            &format!("The request is not valid JSON: {why}"),
            None,
        )
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect()),
        Ok(_) => Err(invalid("expected an object")),
        Err(e) => Err(invalid(&e.to_string())),
    }
}

pub(super) fn login_json(persona: &Persona, as_of: NaiveDate) -> Value {
    json!({
        "Username": persona.username,
        "IsScheduledRefresh": false,
        // Flinks writes LastRefresh in UTC without a zone and with 6-7 fractional digits.
        "LastRefresh": format!("{}T06:00:00.000000", as_of.format("%Y-%m-%d")),
        "Type": "Personal",
        "Id": persona.login_id,
    })
}

pub(super) fn with_tag(reply: &mut Value, tag: Option<&str>) {
    if let Some(tag) = tag {
        reply["Tag"] = json!(tag);
    }
}

pub(super) fn invalid_login_id() -> Response {
    flinks_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_LOGIN",
        "The LoginId provided is either invalid or does not belong to the CustomerId",
        None,
    )
}

pub(crate) fn session_nonexistent() -> Response {
    flinks_error(
        StatusCode::BAD_REQUEST,
        "SESSION_NONEXISTENT",
        "Inputs session id or card if were not found.",
        None,
    )
}

pub(super) fn invalid_request(message: &str) -> Response {
    flinks_error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message, None)
}
