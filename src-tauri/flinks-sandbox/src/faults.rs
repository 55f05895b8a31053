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
use std::fmt;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::server::{self, AppState, Busy};

/// The request header that faults one request.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// Bodies the middleware reads to find the login are held to axum's own default limit, so a
/// body the handler would refuse is not buffered without bound first.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FaultKind {
    /// `500`: 500 with a Flinks error body, `AGGREGATION_ERROR`.
    ServerError,
    /// `502-html`: 502 with the HTML page of a reverse proxy whose upstream is gone.
    BadGatewayHtml,
    /// `timeout`: the normal answer, held back for `SandboxConfig::fault_delay`.
    Timeout,
    /// `reset`: the connection closes without a response.
    Reset,
    /// `truncated`: the normal answer's body cut in half, with a Content-Length to match.
    Truncated,
    /// `malformed`: the normal answer's status with a body that is not JSON.
    Malformed,
    /// `429`: 429 `TOO_MANY_REQUESTS` with `Retry-After: 1`.
    TooManyRequests,
    /// `expired-session`: the request's RequestId is forgotten; 400 `SESSION_NONEXISTENT`.
    ExpiredSession,
    /// `endless-pending`: 202 `OPERATION_PENDING`, every time, and the session kept alive.
    EndlessPending,
}

impl FaultKind {
    pub const ALL: [FaultKind; 9] = [
        FaultKind::ServerError,
        FaultKind::BadGatewayHtml,
        FaultKind::Timeout,
        FaultKind::Reset,
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::TooManyRequests,
        FaultKind::ExpiredSession,
        FaultKind::EndlessPending,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FaultKind::ServerError => "500",
            FaultKind::BadGatewayHtml => "502-html",
            FaultKind::Timeout => "timeout",
            FaultKind::Reset => "reset",
            FaultKind::Truncated => "truncated",
            FaultKind::Malformed => "malformed",
            FaultKind::TooManyRequests => "429",
            FaultKind::ExpiredSession => "expired-session",
            FaultKind::EndlessPending => "endless-pending",
        }
    }
}

/// Where a fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Stage {
    /// POST Authorize.
    Authorize,
    /// POST GetAccountsDetail.
    AccountsDetail,
    /// GET GetAccountsDetailAsync/{requestId}.
    AccountsDetailAsync,
    /// The package attribute GETs and the custom attributes POST.
    Attributes,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Authorize,
        Stage::AccountsDetail,
        Stage::AccountsDetailAsync,
        Stage::Attributes,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Stage::Authorize => "authorize",
            Stage::AccountsDetail => "accounts-detail",
            Stage::AccountsDetailAsync => "accounts-detail-async",
            Stage::Attributes => "attributes",
        }
    }

    /// The stage of an axum route, by its path pattern; None for routes never faulted.
    fn of_route(route: &str) -> Option<Stage> {
        match route {
            server::AUTHORIZE_ROUTE => Some(Stage::Authorize),
            server::ACCOUNTS_DETAIL_ROUTE => Some(Stage::AccountsDetail),
            server::ACCOUNTS_DETAIL_ASYNC_ROUTE => Some(Stage::AccountsDetailAsync),
            server::PACKAGE_ATTRIBUTES_ROUTE | server::CUSTOM_ATTRIBUTES_ROUTE => {
                Some(Stage::Attributes)
            }
            _ => None,
        }
    }

    /// Whether the request's body has to be read to find its login or RequestId.
    fn login_in_body(self) -> bool {
        matches!(self, Stage::Authorize | Stage::AccountsDetail)
    }
}

/// A slug that names no fault kind, stage or rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultParseError(String);

fn parse_slug<T: Copy>(
    text: &str,
    all: &[T],
    slug: fn(T) -> &'static str,
    what: &str,
) -> Result<T, FaultParseError> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|v| slug(*v).eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|v| slug(*v)).collect();
            FaultParseError(format!(
                "{text:?} is not a {what}; use one of {}",
                known.join(", ")
            ))
        })
}

macro_rules! slug_traits {
    ($type:ty, $what:literal) => {
        impl FromStr for $type {
            type Err = FaultParseError;
            fn from_str(s: &str) -> Result<Self, FaultParseError> {
                parse_slug(s, &<$type>::ALL, <$type>::slug, $what)
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.slug())
            }
        }

        impl TryFrom<String> for $type {
            type Error = FaultParseError;
            fn try_from(s: String) -> Result<Self, FaultParseError> {
                s.parse()
            }
        }

        impl From<$type> for String {
            fn from(v: $type) -> String {
                v.slug().to_owned()
            }
        }
    };
}

slug_traits!(FaultKind, "fault kind");
slug_traits!(Stage, "stage");

/// A fault for one customer (or all), at one stage, a number of times (or always).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// A misspelt "loginId" would otherwise make a rule for every customer.
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The customer's loginId; None faults every customer.
    #[serde(default)]
    pub login_id: Option<String>,
    pub stage: Stage,
    pub kind: FaultKind,
    /// How many more times the rule fires; None fires on every request.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    fn fires_on(&self, stage: Stage, login: Option<&str>) -> bool {
        self.stage == stage
            && self.times != Some(0)
            && match (&self.login_id, login) {
                (None, _) => true,
                (Some(rule), Some(login)) => same_login(rule, login),
                (Some(_), None) => false,
            }
    }
}

fn same_login(a: &str, b: &str) -> bool {
    match (Uuid::parse_str(a.trim()), Uuid::parse_str(b.trim())) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// `<loginId|*>:<stage>:<kind>[:times]`, the command line's form.
impl FromStr for FaultRule {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Self, FaultParseError> {
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        let (login, stage, kind, times) = match parts.as_slice() {
            [login, stage, kind] => (*login, *stage, *kind, None),
            [login, stage, kind, times] => (*login, *stage, *kind, Some(*times)),
            _ => {
                return Err(FaultParseError(format!(
                    "{s:?} is not <loginId|*>:<stage>:<kind>[:times]"
                )))
            }
        };
        let times = times
            .map(|t| {
                t.parse::<u32>().map_err(|_| {
                    FaultParseError(format!("{t:?} is not a number of times (in {s:?})"))
                })
            })
            .transpose()?;
        Ok(FaultRule {
            login_id: match login {
                "*" | "" => None,
                id => Some(id.to_owned()),
            },
            stage: stage.parse()?,
            kind: kind.parse()?,
            times,
        })
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let login = self.login_id.as_deref().unwrap_or("*");
        write!(f, "{login}:{}:{}", self.stage, self.kind)?;
        match self.times {
            Some(n) => write!(f, ":{n}"),
            None => Ok(()),
        }
    }
}

/// The rules of a running sandbox, with the times each has left.
#[derive(Debug, Default)]
pub(crate) struct FaultBook(Mutex<Vec<FaultRule>>);

impl FaultBook {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        Self(Mutex::new(rules))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.0.lock().expect("faults lock")
    }

    pub(crate) fn replace(&self, rules: Vec<FaultRule>) {
        *self.lock() = rules;
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    /// Whether some rule may still fire at `stage`: when none can, requests pass untouched
    /// (and unbuffered).
    fn armed(&self, stage: Stage) -> bool {
        self.lock()
            .iter()
            .any(|r| r.stage == stage && r.times != Some(0))
    }

    /// The fault of the first rule that fires on this request, using one of its times.
    fn take(&self, stage: Stage, login: Option<&str>) -> Option<FaultKind> {
        let mut rules = self.lock();
        let rule = rules.iter_mut().find(|r| r.fires_on(stage, login))?;
        if let Some(n) = &mut rule.times {
            *n -= 1;
        }
        Some(rule.kind)
    }
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
        .and_then(|m| Stage::of_route(m.as_str()))
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
                return server::flinks_error(
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
    let (request, body) = if stage.login_in_body() {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
            Ok(bytes) => bytes,
            Err(e) => {
                return server::flinks_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "INVALID_REQUEST",
                    &format!("The request body could not be read: {e}"),
                    None,
                )
            }
        };
        // Bad JSON finds no login; the handler still answers it as Flinks does.
        let fields = server::read_body(&bytes).ok();
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
        FaultKind::ServerError => server::flinks_error(
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
            let mut response = server::flinks_error(
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
            server::session_nonexistent()
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
    server::pending_at(
        target.request_uuid().unwrap_or_default(),
        "AccountsDetailAsync",
        Busy::Pending,
    )
}

/// `GET /sandbox/faults`: the rules, with the times each has left.
pub(crate) async fn list(State(state): State<Arc<AppState>>) -> Json<Vec<FaultRule>> {
    Json(state.faults.rules())
}

/// `PUT /sandbox/faults`: a JSON array of rules replaces them all; answers them as GET does.
pub(crate) async fn replace(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Vec<FaultRule>>(&body) {
        Ok(rules) => {
            tracing::info!(rules = rules.len(), "sandbox fault rules replaced");
            state.faults.replace(rules);
            list(State(state)).await.into_response()
        }
        Err(e) => server::flinks_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            &format!("The body must be a JSON array of fault rules: {e}"),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_through_text_and_serde() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.to_string().parse::<FaultKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.slug()));
            let back: FaultKind = serde_json::from_value(json!(kind.slug())).unwrap();
            assert_eq!(back, kind);
        }
        for stage in Stage::ALL {
            assert_eq!(stage.to_string().parse::<Stage>(), Ok(stage));
            assert_eq!(serde_json::to_value(stage).unwrap(), json!(stage.slug()));
        }
        assert!("502".parse::<FaultKind>().is_err());
        assert!(serde_json::from_value::<Stage>(json!("summary")).is_err());
    }

    #[test]
    fn rules_parse_from_the_command_line_form() {
        let rule: FaultRule = "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31:accounts-detail:429:2"
            .parse()
            .unwrap();
        assert_eq!(
            rule,
            FaultRule {
                login_id: Some("8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31".into()),
                stage: Stage::AccountsDetail,
                kind: FaultKind::TooManyRequests,
                times: Some(2),
            }
        );
        assert_eq!(
            rule.to_string(),
            "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31:accounts-detail:429:2"
        );
        let every: FaultRule = "*:authorize:502-html".parse().unwrap();
        assert_eq!((every.login_id, every.times), (None, None));
        for bad in [
            "*:authorize",
            "*:summary:500",
            "*:authorize:503",
            "*:authorize:500:twice",
            "*:authorize:500:1:2",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_read_camel_case_and_refuse_unknown_fields() {
        let rule: FaultRule = serde_json::from_value(
            json!({"loginId": "abc", "stage": "attributes", "kind": "reset", "times": 1}),
        )
        .unwrap();
        assert_eq!(rule.login_id.as_deref(), Some("abc"));
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            json!({"loginId": "abc", "stage": "attributes", "kind": "reset", "times": 1})
        );
        let every: FaultRule =
            serde_json::from_value(json!({"stage": "authorize", "kind": "500"})).unwrap();
        assert_eq!((every.login_id, every.times), (None, None));
        let typo = json!({"login": "abc", "stage": "authorize", "kind": "500"});
        assert!(serde_json::from_value::<FaultRule>(typo).is_err());
    }

    #[test]
    fn the_first_matching_rule_fires_and_counts_down() {
        let login = "8B35F6C8-E7B6-41D3-98F8-08D68B7F8D31";
        let book = FaultBook::new(vec![
            FaultRule {
                login_id: Some(login.to_ascii_lowercase()),
                stage: Stage::Authorize,
                kind: FaultKind::ServerError,
                times: Some(1),
            },
            FaultRule {
                login_id: None,
                stage: Stage::Authorize,
                kind: FaultKind::Timeout,
                times: None,
            },
        ]);
        assert!(book.armed(Stage::Authorize));
        assert!(!book.armed(Stage::Attributes));
        assert_eq!(
            book.take(Stage::Authorize, Some(login)),
            Some(FaultKind::ServerError)
        );
        assert_eq!(book.rules()[0].times, Some(0));
        assert_eq!(
            book.take(Stage::Authorize, Some(login)),
            Some(FaultKind::Timeout)
        );
        assert_eq!(book.take(Stage::Authorize, None), Some(FaultKind::Timeout));
        assert_eq!(book.take(Stage::AccountsDetail, Some(login)), None);
    }

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
