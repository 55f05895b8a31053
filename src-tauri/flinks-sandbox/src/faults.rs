//! Fault injection: the sandbox answers the way a sick Flinks (or what sits in front of it) does,
//! so a client's retries, timeouts and error messages can be tested on loopback.
//!
//! A fault hits one of four stages: `authorize` (POST Authorize), `accounts-detail` (POST
//! GetAccountsDetail), `accounts-detail-async` (GET GetAccountsDetailAsync) and `attributes` (the
//! package GETs and the custom POST). Other routes are never faulted. Kinds: `500`, `502-html`,
//! `timeout`, `reset`, `truncated`, `malformed`, `429`, `expired-session`, `endless-pending`.
//!
//! - Header: `X-Sandbox-Fault: <kind>` on a request of a faultable stage faults that request only;
//!   an unknown kind is answered 400 `INVALID_REQUEST`.
//! - Rules: [`FaultRule`]s (`{"loginId": "…" or null for every customer, "stage": "…",
//!   "kind": "…", "times": n or null for always}`) from `SandboxConfig::faults`, replaced at run
//!   time by [`crate::Sandbox::set_faults`] or `PUT /sandbox/faults` (a JSON array);
//!   `GET /sandbox/faults` lists them with the times each has left. The first rule that matches
//!   the request's login and stage fires; once its times are used up, requests pass through, so
//!   a client that retries succeeds.
//! - Command line: `flinks-sandbox --fault <loginId|*>:<stage>:<kind>[:times]` (repeatable) and
//!   `--fault-delay-ms N` (how late `timeout` answers; 60 s by default).

// Early returns carry a ready axum `Response`, as in the server.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub use crate::fault_rules::{FaultKind, FaultParseError, FaultRule, Stage};
use crate::server::routes;
use crate::server::state::AppState;
use crate::server::wire::{flinks_error, pending_at, read_body, session_nonexistent, Busy};

/// The request header that faults one request.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// Bodies the middleware reads to find the login are held to axum's own default limit, so a
/// body the handler would refuse is not buffered without bound first.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The stage of an axum route, by its path pattern; None for routes never faulted.
fn stage_of_route(route: &str) -> Option<Stage> {
    match route {
        routes::AUTHORIZE => Some(Stage::Authorize),
        routes::ACCOUNTS_DETAIL => Some(Stage::AccountsDetail),
        routes::ACCOUNTS_DETAIL_ASYNC => Some(Stage::AccountsDetailAsync),
        routes::PACKAGE_ATTRIBUTES | routes::CUSTOM_ATTRIBUTES => Some(Stage::Attributes),
        _ => None,
    }
}

/// Whether the request's body has to be read to find its login or RequestId.
fn login_in_body(stage: Stage) -> bool {
    matches!(stage, Stage::Authorize | Stage::AccountsDetail)
}

/// Who and which session a faultable request is about.
#[derive(Debug, Default)]
struct Target {
    login: Option<String>,
    request_id: Option<String>,
}

impl Target {
    fn of(
        state: &AppState,
        stage: Stage,
        params: &HashMap<String, String>,
        body: Option<&Map<String, Value>>,
    ) -> Target {
        let text = |key: &str| {
            body.and_then(|b| b.get(key))
                .and_then(Value::as_str)
                .map(|s| s.trim().to_owned())
        };
        let request_id = params
            .get("request_id")
            .cloned()
            .or_else(|| text("requestid"));
        let of_session = || {
            request_id
                .as_deref()
                .and_then(|id| state.login_of_request(id))
                .map(|id| id.to_string())
        };
        let login = match stage {
            Stage::Authorize => text("loginid")
                .or_else(|| {
                    text("username")
                        .and_then(|name| state.login_of_username(&name))
                        .map(|id| id.to_string())
                })
                // An MFA answer: the login waiting for it.
                .or_else(of_session),
            Stage::Attributes => params.get("login_id").cloned().or_else(of_session),
            Stage::AccountsDetail | Stage::AccountsDetailAsync => of_session(),
        };
        Target { login, request_id }
    }

    fn request_uuid(&self) -> Option<Uuid> {
        self.request_id
            .as_deref()
            .and_then(|id| Uuid::parse_str(id.trim()).ok())
    }
}

/// At most the last four characters: enough to tell customers apart in a log, not to use one.
fn masked(login: Option<&str>) -> String {
    match login {
        None => "-".to_owned(),
        Some(l) => {
            let chars: Vec<char> = l.trim().chars().collect();
            let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
            format!("…{tail}")
        }
    }
}

/// The middleware over the Flinks routes: a header fault, else the first rule that fires, else
/// the request passes through untouched.
pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(stage) = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| stage_of_route(m.as_str()))
    else {
        return next.run(request).await;
    };
    let from_header = match request.headers().get(FAULT_HEADER) {
        None => None,
        Some(value) => match value
            .to_str()
            .map_err(|e| e.to_string())
            .and_then(|v| v.parse::<FaultKind>().map_err(|e| e.to_string()))
        {
            Ok(kind) => Some(kind),
            Err(why) => {
                return flinks_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    &format!("X-Sandbox-Fault: {why}"),
                    None,
                )
            }
        },
    };
    if from_header.is_none() && !state.faults.armed(stage) {
        return next.run(request).await;
    }
    let (request, body) = if login_in_body(stage) {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
            Ok(bytes) => bytes,
            Err(e) => {
                return flinks_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "INVALID_REQUEST",
                    &format!("The request body could not be read: {e}"),
                    None,
                )
            }
        };
        // Bad JSON finds no login; the handler still answers it as Flinks does.
        let fields = read_body(&bytes).ok();
        (Request::from_parts(parts, Body::from(bytes)), fields)
    } else {
        (request, None)
    };
    let target = Target::of(&state, stage, &params, body.as_ref());
    let (kind, via) = match from_header {
        Some(kind) => (kind, "header"),
        None => match state.faults.take(stage, target.login.as_deref()) {
            Some(kind) => (kind, "rule"),
            None => return next.run(request).await,
        },
    };
    tracing::info!(
        %stage,
        fault = %kind,
        via,
        login = %masked(target.login.as_deref()),
        "sandbox fault injected"
    );
    apply(&state, stage, kind, &target, request, next).await
}

async fn apply(
    state: &AppState,
    stage: Stage,
    kind: FaultKind,
    target: &Target,
    request: Request,
    next: Next,
) -> Response {
    match kind {
        // The only documented 500 FlinksCode (flinks-api.md §3.2: "unexpected processing error").
        FaultKind::ServerError => flinks_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "AGGREGATION_ERROR",
            "An unexpected error occurred while processing the request.",
            target.request_uuid(),
        ),
        FaultKind::BadGatewayHtml => (
            StatusCode::BAD_GATEWAY,
            [(CONTENT_TYPE, "text/html")],
            BAD_GATEWAY_PAGE,
        )
            .into_response(),
        // The work is done, as by a slow upstream, and only the answer is late: a client that
        // gives up and retries finds the state the first call left.
        FaultKind::Timeout => {
            let response = next.run(request).await;
            tokio::time::sleep(state.config.fault_delay).await;
            response
        }
        FaultKind::Reset => {
            // Closing with unread request bytes would make the kernel send RST rather than FIN,
            // and the client's error would depend on timing; read them first.
            let _ = axum::body::to_bytes(request.into_body(), BODY_LIMIT).await;
            severed()
        }
        FaultKind::Truncated => truncated(next.run(request).await).await,
        FaultKind::Malformed => malformed(next.run(request).await).await,
        // Flinks lists TOO_MANY_REQUESTS under 401 (and a client library expects 403); 429 with
        // Retry-After is what the issue asks for and what generic HTTP clients back off on.
        FaultKind::TooManyRequests => {
            let mut response = flinks_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Too many requests in a given amount of time. Retry after 1 second.",
                target.request_uuid(),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        // At Authorize there is no session yet. The documented SESSION_NONEXISTENT message is
        // "Inputs session id or card if were not found", which covers the card (login) of a
        // first Authorize too, so that is the answer; an MFA answer's RequestId (a sign-in
        // waiting for its answer) is forgotten like a session, so the client must sign in
        // again. A cached Authorize's login is left alone: deleting it would be DeleteCard,
        // not an expiry, and its retry opens a new session.
        FaultKind::ExpiredSession => {
            if let Some(id) = &target.request_id {
                state.forget_request(id);
            }
            session_nonexistent()
        }
        FaultKind::EndlessPending => endless_pending(state, stage, target),
    }
}

/// What nginx answers when its upstream is gone.
const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// A body that fails at its first read. hyper has only buffered the status line and headers
/// then, and on a body error it closes the connection without flushing them: the client gets
/// no response at all, as when a proxy or the network drops the connection.
fn severed() -> Response {
    Body::from_stream(tokio_util::io::ReaderStream::new(Severed)).into_response()
}

struct Severed;

impl tokio::io::AsyncRead for Severed {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "sandbox fault: reset",
        )))
    }
}

/// The answer's body, whole; a body that fails to read (none of ours do) stands as empty.
async fn whole(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

fn with_body(mut parts: axum::http::response::Parts, body: Bytes) -> Response {
    parts.headers.insert(CONTENT_LENGTH, body.len().into());
    Response::from_parts(parts, Body::from(body))
}

/// The first half of the answer, cut on a UTF-8 boundary so the client's error is the early end
/// of the JSON and not an invalid character.
async fn truncated(response: Response) -> Response {
    let (parts, bytes) = whole(response).await;
    let mut cut = bytes.len() / 2;
    while cut > 0 && bytes[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    with_body(parts, bytes.slice(..cut))
}

/// The answer with a trailing comma before its last brace: whole, but a syntax error (where
/// `truncated` is an early end).
async fn malformed(response: Response) -> Response {
    let (parts, bytes) = whole(response).await;
    let mut body = bytes.to_vec();
    match body.iter().rposition(|&b| b == b'}') {
        Some(last) => body.insert(last, b','),
        None => body = b"{\"HttpStatusCode\":200,,}".to_vec(),
    }
    with_body(parts, Bytes::from(body))
}

fn endless_pending(state: &AppState, stage: Stage, target: &Target) -> Response {
    if stage == Stage::Authorize {
        // Flinks documents a 202 at Authorize only for AuthorizeAsync: a RequestId to poll
        // Authorize with. An MFA answer keeps its RequestId, so its sign-in still waits.
        let request_id = target.request_uuid().unwrap_or_else(Uuid::new_v4);
        let body = json!({
            "FlinksCode": Busy::Pending.code(),
            "Links": [{ "rel": "Authorize", "href": "/Authorize", "example": null }],
            "HttpStatusCode": 202,
            "Message": Busy::Pending.message(),
            "RequestId": request_id,
        });
        return (StatusCode::ACCEPTED, Json(body)).into_response();
    }
    // The handler, which would touch the session, does not run: touch it here, so polling a
    // job that never ends does not let the session idle out under the client.
    if let Some(id) = &target.request_id {
        state.keep_alive(id);
    }
    pending_at(
        target.request_uuid().unwrap_or_default(),
        "AccountsDetailAsync",
        Busy::Pending,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_show_four_characters_of_a_login_at_most() {
        assert_eq!(
            masked(Some("8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31")),
            "…8d31"
        );
        assert_eq!(masked(Some("ab")), "…ab");
        assert_eq!(masked(None), "-");
    }
}
