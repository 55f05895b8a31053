//! The HTTP face of the sandbox: Flinks' paths and JSON shapes (flinks-api.md §2, §3, §7).
//! Request bodies are read with keys in any case, as ASP.NET-backed Flinks does; replies use
//! Flinks' PascalCase.

// Early returns carry a ready axum `Response`; boxing it would buy nothing on a loopback server.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::engine;
use crate::model::{money_json, Attribute, Persona};
use crate::personas;

/// The public toolbox customerId (flinks-api.md §1); the sandbox answers to it by default.
pub const TOOLBOX_CUSTOMER_ID: &str = "43387ca6-0391-4c82-857d-70d95f087ecb";
/// The port `flinks-sandbox` and `cargo desk sandbox` listen on when none is given.
pub const DEFAULT_PORT: u16 = 8787;
pub const INSTITUTION: &str = "FlinksCapital";
const INSTITUTION_ID: u32 = 14;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    /// The day the data ends ("today" for the personas).
    pub as_of: NaiveDate,
    /// customerIds this instance answers to.
    pub customer_ids: Vec<String>,
    /// How long `GetAccountsDetail` answers `202 OPERATION_PENDING` after an Authorize.
    pub pending_for: Duration,
    /// A session (requestId) unused for this long is gone: `SESSION_NONEXISTENT`.
    pub session_ttl: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: personas::DEFAULT_SEED,
            as_of: chrono::Utc::now().date_naive(),
            customer_ids: vec![TOOLBOX_CUSTOMER_ID.to_owned()],
            pending_for: Duration::from_secs(3),
            session_ttl: Duration::from_secs(30 * 60),
        }
    }
}

struct Session {
    login_id: Uuid,
    last_used: Instant,
    ready_at: Instant,
    detail_served: bool,
}

struct AppState {
    config: SandboxConfig,
    personas: Vec<Persona>,
    sessions: Mutex<HashMap<Uuid, Session>>,
}

impl AppState {
    fn persona(&self, login_id: Uuid) -> Option<&Persona> {
        self.personas.iter().find(|p| p.login_id == login_id)
    }

    fn check_customer(&self, customer_id: &str) -> Result<(), Response> {
        if self
            .config
            .customer_ids
            .iter()
            .any(|c| c.eq_ignore_ascii_case(customer_id))
        {
            Ok(())
        } else {
            Err(flinks_error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "The customerId is not known to this instance.",
                None,
            ))
        }
    }

    /// Finds a live session and touches it; an unknown or idle-expired one is `SESSION_NONEXISTENT`.
    fn with_session<T>(
        &self,
        request_id: &str,
        f: impl FnOnce(&mut Session) -> T,
    ) -> Result<T, Response> {
        let nonexistent = || {
            flinks_error(
                StatusCode::BAD_REQUEST,
                "SESSION_NONEXISTENT",
                "Inputs session id or card if were not found.",
                None,
            )
        };
        let id = Uuid::parse_str(request_id.trim()).map_err(|_| nonexistent())?;
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let now = Instant::now();
        let ttl = self.config.session_ttl;
        sessions.retain(|_, s| now.duration_since(s.last_used) < ttl);
        let session = sessions.get_mut(&id).ok_or_else(nonexistent)?;
        session.last_used = now;
        Ok(f(session))
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    personas: Vec<Persona>,
    config: SandboxConfig,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free one) and serves on the current tokio runtime.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let personas = personas::cast(config.seed, config.as_of);
        let state = Arc::new(AppState {
            config: config.clone(),
            personas: personas.clone(),
            sessions: Mutex::new(HashMap::new()),
        });
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router(state))
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, customers = personas.len(), "Flinks Capital sandbox listening");
        Ok(Sandbox {
            addr,
            personas,
            config,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Loopback, free port: what the app and the tests use.
    pub async fn start_local(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the API base URL of a Flinks environment.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn customer_id(&self) -> &str {
        &self.config.customer_ids[0]
    }

    pub fn personas(&self) -> &[Persona] {
        &self.personas
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Stops accepting and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/v3/{customer_id}/BankingServices/Authorize",
            post(authorize),
        )
        .route(
            "/v3/{customer_id}/BankingServices/GetAccountsDetail",
            post(accounts_detail),
        )
        .route(
            "/v3/{customer_id}/BankingServices/GetAccountsDetailAsync/{request_id}",
            get(accounts_detail_async),
        )
        .route(
            "/v3/{customer_id}/insight/login/{login_id}/attributes/{request_id}/{endpoint}",
            get(package_attributes),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            known_customer,
        ))
        .route("/", get(about))
        .fallback(|| async {
            flinks_error(
                StatusCode::NOT_FOUND,
                "INVALID_REQUEST",
                "No such endpoint in the Flinks Capital sandbox.",
                None,
            )
        })
        .with_state(state)
}

/// Every Flinks path starts with a customerId; one this instance does not serve is refused
/// before any handler runs.
async fn known_customer(
    State(state): State<Arc<AppState>>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let customer_id = params.get("customer_id").map_or("", String::as_str);
    match state.check_customer(customer_id) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused,
    }
}

/// A request body as Flinks reads it: a JSON object whose keys match in any case. Anything else
/// is Flinks' `INVALID_REQUEST`.
struct FlinksBody(Map<String, Value>);

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
fn flinks_error(
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

fn pending(request_id: Uuid) -> Response {
    // The docs elide the Links of a 202; where to poll is the one that helps.
    let body = json!({
        "FlinksCode": "OPERATION_PENDING",
        "Links": [{ "rel": "AccountsDetailAsync", "href": "/GetAccountsDetailAsync", "example": null }],
        "HttpStatusCode": 202,
        "Message": "Your operation is still processing",
        "RequestId": request_id,
    });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// Parses a JSON body with keys folded to lower case; bad JSON is Flinks' `INVALID_REQUEST`.
fn read_body(body: &Bytes) -> Result<Map<String, Value>, Response> {
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

fn flag(body: &Map<String, Value>, key: &str, default: bool) -> bool {
    body.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn login_json(persona: &Persona, as_of: NaiveDate) -> Value {
    json!({
        "Username": persona.username,
        "IsScheduledRefresh": false,
        // Flinks writes LastRefresh in UTC without a zone and with 6-7 fractional digits.
        "LastRefresh": format!("{}T06:00:00.000000", as_of.format("%Y-%m-%d")),
        "Type": "Personal",
        "Id": persona.login_id,
    })
}

async fn about(State(state): State<Arc<AppState>>) -> Json<Value> {
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

async fn authorize(State(state): State<Arc<AppState>>, FlinksBody(body): FlinksBody) -> Response {
    let Some(login_id) = body.get("loginid").and_then(Value::as_str) else {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "A LoginId is required: this sandbox opens sessions on stored logins (MostRecentCached).",
            None,
        );
    };
    let persona = match Uuid::parse_str(login_id.trim())
        .ok()
        .and_then(|id| state.persona(id))
    {
        Some(p) => p,
        None => {
            return flinks_error(
                StatusCode::UNAUTHORIZED,
                "INVALID_LOGIN",
                "The LoginId provided is either invalid or does not belong to the CustomerId",
                None,
            )
        }
    };
    let request_id = Uuid::new_v4();
    let now = Instant::now();
    state.sessions.lock().expect("sessions lock").insert(
        request_id,
        Session {
            login_id: persona.login_id,
            last_used: now,
            ready_at: now + state.config.pending_for,
            detail_served: false,
        },
    );
    let mut reply = json!({
        "HttpStatusCode": 200,
        "Links": [
            { "rel": "AccountsDetail", "href": "/GetAccountsDetail", "example": null },
            { "rel": "AccountsSummary", "href": "/GetAccountsSummary", "example": null },
            { "rel": "Statements", "href": "/GetStatements", "example": null }
        ],
        "InstitutionName": INSTITUTION,
        "Login": login_json(persona, state.config.as_of),
        "InstitutionId": INSTITUTION_ID,
        "Institution": INSTITUTION,
        "RequestId": request_id,
    });
    if let Some(tag) = body.get("tag").and_then(Value::as_str) {
        reply["Tag"] = json!(tag);
    }
    Json(reply).into_response()
}

struct DetailOptions {
    with_transactions: bool,
    with_identity: bool,
    with_balance: bool,
    days: i64,
}

impl DetailOptions {
    fn from_body(body: &Map<String, Value>) -> Self {
        let days = match body.get("daysoftransactions").and_then(Value::as_str) {
            Some(d) if d.eq_ignore_ascii_case("days90") => 90,
            _ => 365,
        };
        Self {
            with_transactions: flag(body, "withtransactions", true),
            with_identity: flag(body, "withaccountidentity", true),
            with_balance: flag(body, "withbalance", true),
            days,
        }
    }
}

async fn accounts_detail(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
) -> Response {
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    detail_reply(&state, &request_id, DetailOptions::from_body(&body))
}

async fn accounts_detail_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    detail_reply(&state, &request_id, DetailOptions::from_body(&Map::new()))
}

fn detail_reply(state: &AppState, request_id: &str, options: DetailOptions) -> Response {
    let outcome = state.with_session(request_id, |s| {
        if Instant::now() < s.ready_at {
            None
        } else {
            s.detail_served = true;
            Some(s.login_id)
        }
    });
    let request_id = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    let login_id = match outcome {
        Err(r) => return r,
        Ok(None) => return pending(request_id),
        Ok(Some(id)) => id,
    };
    let Some(persona) = state.persona(login_id) else {
        return flinks_error(
            StatusCode::BAD_REQUEST,
            "SESSION_NONEXISTENT",
            "Inputs session id or card if were not found.",
            None,
        );
    };
    let since = state.config.as_of - chrono::Days::new(options.days as u64);
    let accounts: Vec<Value> = persona
        .accounts
        .iter()
        .map(|a| {
            let transactions: Vec<Value> = if options.with_transactions {
                a.transactions
                    .iter()
                    .rev()
                    .filter(|t| t.date > since)
                    .map(|t| {
                        json!({
                            "Date": t.date.format("%Y-%m-%d").to_string(),
                            "Code": null,
                            "Description": t.description,
                            "Debit": t.debit.map(money_json),
                            "Credit": t.credit.map(money_json),
                            "Balance": money_json(t.balance),
                            "Id": t.id,
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let current = a.transactions.last().map_or(0, |t| t.balance);
            let balance = if options.with_balance {
                json!({
                    "Available": money_json(current + a.overdraft_limit),
                    "Current": money_json(current),
                    "Limit": if a.overdraft_limit > 0 { money_json(a.overdraft_limit) } else { Value::Null },
                })
            } else {
                json!({ "Available": null, "Current": null, "Limit": null })
            };
            let identity = |v: &str| if options.with_identity { json!(v) } else { Value::Null };
            json!({
                "Transactions": transactions,
                "TransitNumber": identity(&a.transit_number),
                "InstitutionNumber": identity(&a.institution_number),
                "OverdraftLimit": money_json(a.overdraft_limit),
                "Title": a.title,
                "AccountNumber": identity(&a.account_number),
                "LastFourDigits": null,
                "Balance": balance,
                "Category": a.category,
                "Type": a.account_type,
                "Currency": a.currency,
                "Holder": null,
                "AccountType": null,
                "Id": a.id,
            })
        })
        .collect();
    Json(json!({
        "HttpStatusCode": 200,
        "Accounts": accounts,
        "InstitutionName": INSTITUTION,
        "Login": login_json(persona, state.config.as_of),
        "InstitutionId": INSTITUTION_ID,
        "Institution": INSTITUTION,
        "RequestId": request_id,
    }))
    .into_response()
}

async fn package_attributes(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id, request_id, endpoint)): Path<(String, String, String, String)>,
) -> Response {
    let session = state.with_session(&request_id, |s| (s.login_id, s.detail_served));
    let (session_login, detail_served) = match session {
        Ok(s) => s,
        Err(r) => return r,
    };
    let request_uuid = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    if Uuid::parse_str(login_id.trim()).ok() != Some(session_login) {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "The LoginId provided is either invalid or does not belong to the CustomerId",
            None,
        );
    }
    // Attributes are computed from the data GetAccountsDetail gathered; until then, poll.
    if !detail_served {
        return pending(request_uuid);
    }
    let Some(persona) = state.persona(session_login) else {
        return flinks_error(
            StatusCode::BAD_REQUEST,
            "SESSION_NONEXISTENT",
            "Inputs session id or card if were not found.",
            None,
        );
    };
    let attributes = match endpoint.to_ascii_lowercase().as_str() {
        "getcreditriskattributes" => engine::credit_risk(persona, state.config.as_of),
        _ => {
            return flinks_error(
                StatusCode::NOT_FOUND,
                "INVALID_REQUEST",
                &format!(
                    "{endpoint} is not offered by this sandbox yet; GetCreditRiskAttributes is."
                ),
                None,
            )
        }
    };
    Json(json!({
        "HttpStatusCode": 200,
        "Card": card_json(persona, &attributes),
        "Login": login_json(persona, state.config.as_of),
        "RequestId": request_uuid,
    }))
    .into_response()
}

/// `Card`: `Id`, the values by name, and `AttributesDetail` for the values that have transactions.
fn card_json(persona: &Persona, attributes: &[Attribute]) -> Value {
    let mut card = Map::new();
    card.insert("Id".into(), json!(persona.login_id));
    for a in attributes {
        card.insert(a.name.clone(), a.value.to_json());
    }
    let details: Vec<Value> = attributes
        .iter()
        .filter(|a| !a.detail.is_empty())
        .map(|a| {
            let transactions: Vec<Value> = a
                .detail
                .iter()
                .filter_map(|(account_id, tx_id)| {
                    let account = persona.accounts.iter().find(|acc| acc.id == *account_id)?;
                    let t = account.transactions.iter().find(|t| t.id == *tx_id)?;
                    Some(json!({
                        "TransactionId": t.id,
                        "AccountId": account.id,
                        "Date": t.date.format("%Y/%m/%d").to_string(),
                        "Description": t.description,
                        "Debit": t.debit.map(money_json),
                        "Credit": t.credit.map(money_json),
                        "Balance": money_json(t.balance),
                    }))
                })
                .collect();
            json!({ "Attribute": a.name, "Transactions": transactions })
        })
        .collect();
    card.insert("AttributesDetail".into(), Value::Array(details));
    Value::Object(card)
}
