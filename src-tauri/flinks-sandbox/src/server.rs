//! The HTTP face of the sandbox: Flinks' paths and JSON shapes (flinks-api.md §2, §3, §7).
//! Request bodies are read with keys in any case, as ASP.NET-backed Flinks does; replies use
//! Flinks' PascalCase.

// Early returns carry a ready axum `Response`; boxing it would buy nothing on a loopback server.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Form, FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::capital::{self, Behaviour, QUESTIONS};
use crate::catalog::{self, Package, Spec};
use crate::connect;
use crate::engine::{self, Scope};
use crate::faults::{self, FaultBook, FaultRule};
use crate::model::{money_json, Account, Attribute, Persona, Transaction};
use crate::personas;

/// The public toolbox customerId (flinks-api.md §1); the sandbox answers to it by default.
pub const TOOLBOX_CUSTOMER_ID: &str = "43387ca6-0391-4c82-857d-70d95f087ecb";
/// The port `flinks-sandbox` and `cargo desk sandbox` listen on when none is given.
pub const DEFAULT_PORT: u16 = 8787;
pub const INSTITUTION: &str = "FlinksCapital";
/// The public toolbox secret key (flinks-api.md §1), which GenerateAuthorizeToken accepts by default.
pub const TOOLBOX_SECRET_KEY: &str = "c4569c54-e167-4d34-8de6-f4113bc82414";
const INSTITUTION_ID: u32 = 14;
const AUTHORIZE_TOKEN_REFUSED: &str = "You must provide a valid authorize token";

// The routes faults can hit; `faults` tells the stage of a request by them.
pub(crate) const AUTHORIZE_ROUTE: &str = "/v3/{customer_id}/BankingServices/Authorize";
pub(crate) const ACCOUNTS_DETAIL_ROUTE: &str =
    "/v3/{customer_id}/BankingServices/GetAccountsDetail";
pub(crate) const ACCOUNTS_DETAIL_ASYNC_ROUTE: &str =
    "/v3/{customer_id}/BankingServices/GetAccountsDetailAsync/{request_id}";
pub(crate) const PACKAGE_ATTRIBUTES_ROUTE: &str =
    "/v3/{customer_id}/insight/login/{login_id}/attributes/{request_id}/{endpoint}";
pub(crate) const CUSTOM_ATTRIBUTES_ROUTE: &str =
    "/v3/{customer_id}/insight/login/{login_id}/attributes/{request_id}";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    /// The day the data ends ("today" for the personas).
    pub as_of: NaiveDate,
    /// customerIds this instance answers to.
    pub customer_ids: Vec<String>,
    /// How long `GetAccountsDetail` answers `202 OPERATION_PENDING` after an Authorize.
    pub pending_for: Duration,
    /// How many GetAccountsDetail and GetAccountsDetailAsync calls of a `test_pending` or
    /// `test_dispatched` session answer 202 (`OPERATION_PENDING` / `OPERATION_DISPATCHED`)
    /// before the data, on top of `pending_for`.
    pub slow_polls: u32,
    /// A session (requestId) unused for this long is gone: `SESSION_NONEXISTENT`.
    pub session_ttl: Duration,
    /// The `flinks-auth-key` GenerateAuthorizeToken accepts.
    pub secret_key: String,
    /// An authorize token not used within this time is refused (30 minutes, as Flinks).
    pub authorize_token_ttl: Duration,
    /// Authorize refuses calls without a fresh authorize token (`ACCESS_DENIED`). Off by default.
    pub require_authorize_token: bool,
    /// DeleteCard answers `CARD_IN_USE` for this long after an Authorize of the login.
    pub card_in_use_for: Duration,
    /// The `x-api-key` data endpoints require; None checks nothing.
    pub api_key: Option<String>,
    /// Fault rules in force from the start (see [`crate::faults`]).
    pub faults: Vec<FaultRule>,
    /// How long a `timeout` fault holds the answer back: longer than clients wait, by default.
    pub fault_delay: Duration,
    /// A file where the instance keeps which test logins a live Authorize created and which
    /// logins DeleteCard deleted, so they outlive a restart as at Flinks. By username: the
    /// loginIds follow from the seed, and the file holds nothing secret. None: memory only.
    pub saved_logins: Option<std::path::PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: personas::DEFAULT_SEED,
            as_of: chrono::Utc::now().date_naive(),
            customer_ids: vec![TOOLBOX_CUSTOMER_ID.to_owned()],
            pending_for: Duration::from_secs(3),
            slow_polls: 3,
            session_ttl: Duration::from_secs(30 * 60),
            secret_key: TOOLBOX_SECRET_KEY.to_owned(),
            authorize_token_ttl: Duration::from_secs(30 * 60),
            require_authorize_token: false,
            card_in_use_for: Duration::from_secs(2),
            api_key: None,
            faults: Vec::new(),
            fault_delay: Duration::from_secs(60),
            saved_logins: None,
        }
    }
}

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

struct Session {
    login_id: Uuid,
    last_used: Instant,
    ready_at: Instant,
    /// The 202 a slow test login (test_pending, test_dispatched) answers, and how many more times.
    slow: Option<(Busy, u32)>,
    /// The options of the last GetAccountsDetail call, which the Async endpoint answers with.
    requested: Option<DetailOptions>,
    /// The options of the data GetAccountsDetail returned; none until it has returned some.
    served: Option<DetailOptions>,
    /// The options of the last GetAccountsSummary call, for GetAccountsSummaryAsync.
    summary_requested: Option<DetailOptions>,
}

/// A 203 waiting for its answer, by RequestId.
struct Challenge {
    login_id: Uuid,
    /// Index in [`QUESTIONS`].
    question: usize,
    french: bool,
    tag: Option<String>,
}

/// Who may sign in, per sandbox instance: nothing here leaks into another instance.
#[derive(Default)]
struct Logins {
    /// Unused authorize tokens and when each was issued.
    tokens: HashMap<String, Instant>,
    /// Every token ever issued, for audits that check where tokens end up.
    issued: Vec<String>,
    /// Test logins' loginIds that a live Authorize has created.
    linked: HashSet<Uuid>,
    deleted: HashSet<Uuid>,
    last_authorized: HashMap<Uuid, Instant>,
    challenges: HashMap<Uuid, Challenge>,
}

/// What [`SandboxConfig::saved_logins`] holds: usernames only.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct SavedLogins {
    linked: Vec<String>,
    deleted: Vec<String>,
}

impl Logins {
    /// The saved state of `path`; a missing or unreadable file starts afresh (it is the
    /// sandbox's own bookkeeping, and the sample cast is always there).
    fn load<'p>(path: &std::path::Path, cast: impl Iterator<Item = &'p Persona> + Clone) -> Logins {
        let saved: SavedLogins = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, path = %path.display(), "saved sandbox logins unreadable; starting afresh");
                SavedLogins::default()
            }),
            Err(_) => SavedLogins::default(),
        };
        let ids = |names: &[String]| -> HashSet<Uuid> {
            cast.clone()
                .filter(|p| names.iter().any(|n| n.eq_ignore_ascii_case(&p.username)))
                .map(|p| p.login_id)
                .collect()
        };
        Logins {
            linked: ids(&saved.linked),
            deleted: ids(&saved.deleted),
            ..Logins::default()
        }
    }
}

impl AppState {
    /// Writes which logins exist to [`SandboxConfig::saved_logins`], if set. A write that
    /// fails is logged: the sandbox goes on serving from memory.
    fn save_logins(&self, logins: &Logins) {
        let Some(path) = &self.config.saved_logins else {
            return;
        };
        let names = |ids: &HashSet<Uuid>| -> Vec<String> {
            let mut names: Vec<String> = self
                .personas
                .iter()
                .chain(&self.test_logins)
                .filter(|p| ids.contains(&p.login_id))
                .map(|p| p.username.clone())
                .collect();
            names.sort();
            names
        };
        let saved = SavedLogins {
            linked: names(&logins.linked),
            deleted: names(&logins.deleted),
        };
        let tmp = path.with_extension("tmp");
        let written = serde_json::to_vec_pretty(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            tracing::warn!(error = %e, path = %path.display(), "sandbox logins not saved");
        }
    }
}

pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    pub(crate) faults: Arc<FaultBook>,
    personas: Vec<Persona>,
    /// The test logins that sign in (Greatday, greatday_nomfa), with loginIds of their own.
    test_logins: Vec<Persona>,
    sessions: Mutex<HashMap<Uuid, Session>>,
    logins: Mutex<Logins>,
}

impl AppState {
    fn persona(&self, login_id: Uuid) -> Option<&Persona> {
        self.personas
            .iter()
            .chain(&self.test_logins)
            .find(|p| p.login_id == login_id)
    }

    fn logins(&self) -> std::sync::MutexGuard<'_, Logins> {
        self.logins.lock().expect("logins lock")
    }

    /// A loginId cached Authorize and DeleteCard accept: a persona's, or a test login's once a
    /// live Authorize has created it, and not deleted since.
    fn stored_login(&self, login_id: &str) -> Result<&Persona, Response> {
        let logins = self.logins();
        Uuid::parse_str(login_id.trim())
            .ok()
            .filter(|id| !logins.deleted.contains(id))
            .and_then(|id| {
                self.personas.iter().find(|p| p.login_id == id).or_else(|| {
                    self.test_logins
                        .iter()
                        .find(|p| p.login_id == id && logins.linked.contains(&id))
                })
            })
            .ok_or_else(invalid_login_id)
    }

    /// Takes the authorize token of `headers` when tokens are required: each serves once, and
    /// only within its lifetime.
    fn take_authorize_token(&self, headers: &HeaderMap) -> Result<(), Response> {
        if !self.config.require_authorize_token {
            return Ok(());
        }
        if self.take_token(header_text(headers, "flinks-auth-key")) {
            Ok(())
        } else {
            Err(flinks_error(
                StatusCode::UNAUTHORIZED,
                "ACCESS_DENIED",
                AUTHORIZE_TOKEN_REFUSED,
                None,
            ))
        }
    }

    /// Uses up an authorize token; false if it was unknown, used or expired.
    fn take_token(&self, token: &str) -> bool {
        let issued = self.logins().tokens.remove(token);
        issued.is_some_and(|at| at.elapsed() < self.config.authorize_token_ttl)
    }

    fn mint_token(&self) -> String {
        let token = Uuid::new_v4().to_string();
        let ttl = self.config.authorize_token_ttl;
        let mut logins = self.logins();
        logins.tokens.retain(|_, at| at.elapsed() < ttl);
        logins.tokens.insert(token.clone(), Instant::now());
        logins.issued.push(token.clone());
        token
    }

    /// A new session on `persona`, under `request_id`; the 200 of Authorize.
    fn open_session(&self, persona: &Persona, request_id: Uuid, tag: Option<&str>) -> Response {
        let now = Instant::now();
        let slow = match capital::test_login(&persona.username).map(|t| t.behaviour) {
            Some(Behaviour::Pending) => Some((Busy::Pending, self.config.slow_polls)),
            Some(Behaviour::Dispatched) => Some((Busy::Dispatched, self.config.slow_polls)),
            _ => None,
        };
        self.sessions.lock().expect("sessions lock").insert(
            request_id,
            Session {
                login_id: persona.login_id,
                last_used: now,
                ready_at: now + self.config.pending_for,
                slow,
                requested: None,
                served: None,
                summary_requested: None,
            },
        );
        self.logins().last_authorized.insert(persona.login_id, now);
        let mut reply = json!({
            "HttpStatusCode": 200,
            "Links": [
                { "rel": "AccountsDetail", "href": "/GetAccountsDetail", "example": null },
                { "rel": "AccountsSummary", "href": "/GetAccountsSummary", "example": null },
                { "rel": "Statements", "href": "/GetStatements", "example": null }
            ],
            "InstitutionName": INSTITUTION,
            "Login": login_json(persona, self.config.as_of),
            "InstitutionId": INSTITUTION_ID,
            "Institution": INSTITUTION,
            "RequestId": request_id,
        });
        with_tag(&mut reply, tag);
        Json(reply).into_response()
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

    /// The login of a live session or of a sign-in waiting for its MFA answer.
    pub(crate) fn login_of_request(&self, request_id: &str) -> Option<Uuid> {
        let id = Uuid::parse_str(request_id.trim()).ok()?;
        let ttl = self.config.session_ttl;
        let session = self
            .sessions
            .lock()
            .expect("sessions lock")
            .get(&id)
            .filter(|s| s.last_used.elapsed() < ttl)
            .map(|s| s.login_id);
        session.or_else(|| self.logins().challenges.get(&id).map(|c| c.login_id))
    }

    /// The loginId a live sign-in as `username` opens.
    pub(crate) fn login_of_username(&self, username: &str) -> Option<Uuid> {
        self.personas
            .iter()
            .chain(&self.test_logins)
            .find(|p| p.username.eq_ignore_ascii_case(username.trim()))
            .map(|p| p.login_id)
    }

    /// Ends the session, or the waiting sign-in, of `request_id`.
    pub(crate) fn forget_request(&self, request_id: &str) {
        if let Ok(id) = Uuid::parse_str(request_id.trim()) {
            self.sessions.lock().expect("sessions lock").remove(&id);
            self.logins().challenges.remove(&id);
        }
    }

    /// Touches the session of `request_id`, as a call that reached it would.
    pub(crate) fn keep_alive(&self, request_id: &str) {
        let _ = self.with_session(request_id, |_| ());
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
    faults: Arc<FaultBook>,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free one) and serves on the current tokio runtime.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let personas = personas::cast(config.seed, config.as_of);
        let faults = Arc::new(FaultBook::new(config.faults.clone()));
        let test_logins = test_login_personas(&personas, config.seed);
        let logins = config
            .saved_logins
            .as_deref()
            .map(|path| Logins::load(path, personas.iter().chain(&test_logins)))
            .unwrap_or_default();
        let state = Arc::new(AppState {
            config: config.clone(),
            faults: faults.clone(),
            test_logins,
            personas: personas.clone(),
            sessions: Mutex::new(HashMap::new()),
            logins: Mutex::new(logins),
        });
        let (tx, rx) = oneshot::channel::<()>();
        let served_state = state.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router(served_state))
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
            faults,
            state,
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

    /// The configuration the sandbox started with; its `faults` are those of the start, not
    /// the rules in force (see [`Sandbox::faults`]).
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Replaces the fault rules in force, as `PUT /sandbox/faults` does.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        self.faults.replace(rules);
    }

    /// Every authorize token this sandbox has issued (GenerateAuthorizeToken and Connect pages),
    /// used or not: what a secrets audit looks for in files that should never hold one.
    pub fn issued_authorize_tokens(&self) -> Vec<String> {
        self.state.logins().issued.clone()
    }

    /// The fault rules in force, with the times each has left.
    pub fn faults(&self) -> Vec<FaultRule> {
        self.faults.rules()
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

/// The test logins that sign in: the salaried customer's accounts under their own loginIds.
fn test_login_personas(personas: &[Persona], seed: u64) -> Vec<Persona> {
    let Some(data) = personas
        .iter()
        .find(|p| p.username == capital::TEST_LOGIN_DATA_OF)
    else {
        return Vec::new();
    };
    capital::TEST_LOGINS
        .iter()
        .filter(|t| t.behaviour.signs_in())
        .map(|t| Persona {
            username: t.username.to_owned(),
            login_id: personas::live_login_id(seed, t.username),
            ..data.clone()
        })
        .collect()
}

fn router(state: Arc<AppState>) -> Router {
    // Data endpoints check x-api-key when the sandbox has one; the authorize ones never do.
    let data = Router::new()
        .route(ACCOUNTS_DETAIL_ROUTE, post(accounts_detail))
        .route(ACCOUNTS_DETAIL_ASYNC_ROUTE, get(accounts_detail_async))
        .route(
            "/v3/{customer_id}/BankingServices/GetAccountsSummary",
            post(accounts_summary),
        )
        .route(
            "/v3/{customer_id}/BankingServices/GetAccountsSummaryAsync/{request_id}",
            get(accounts_summary_async),
        )
        .route(
            "/v3/{customer_id}/BankingServices/DeleteCard/{login_id}",
            delete(delete_card),
        )
        .route(PACKAGE_ATTRIBUTES_ROUTE, get(package_attributes))
        .route(CUSTOM_ATTRIBUTES_ROUTE, post(custom_attributes))
        .route("/v3/{customer_id}/attributes/library", get(library))
        .route_layer(middleware::from_fn_with_state(state.clone(), api_key));
    Router::new()
        .route(
            "/v3/{customer_id}/BankingServices/GenerateAuthorizeToken",
            post(generate_authorize_token),
        )
        .route(AUTHORIZE_ROUTE, post(authorize))
        .route(
            "/v3/{customer_id}/BankingServices/OAuth/Authorize",
            get(oauth_page).post(oauth_sign_in),
        )
        .merge(data)
        // Inside the customer check, so only requests to this instance are faulted, and outside
        // the x-api-key check: a proxy in front of Flinks fails whatever the key.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            known_customer,
        ))
        .route("/sandbox/faults", get(faults::list).put(faults::replace))
        .route("/", get(about))
        .route("/v2/", get(connect_page))
        .route("/v2", get(connect_page))
        .route("/connect", get(connect_page))
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

/// `x-api-key` must be the sandbox's, when it has one.
async fn api_key(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match &state.config.api_key {
        Some(key) if header_text(request.headers(), "x-api-key") != key.as_str() => flinks_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You must provide a valid x-api-key",
            None,
        ),
        _ => next.run(request).await,
    }
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or("", str::trim)
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

fn pending(request_id: Uuid) -> Response {
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

fn with_tag(reply: &mut Value, tag: Option<&str>) {
    if let Some(tag) = tag {
        reply["Tag"] = json!(tag);
    }
}

fn invalid_login_id() -> Response {
    flinks_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_LOGIN",
        "The LoginId provided is either invalid or does not belong to the CustomerId",
        None,
    )
}

async fn generate_authorize_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    if header_text(&headers, "flinks-auth-key") != state.config.secret_key.trim() {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You must provide a valid auth key",
            None,
        );
    }
    let token = state.mint_token();
    Json(json!({ "HttpStatusCode": 200, "Token": token })).into_response()
}

/// The Connect page (`/v2/`, also `/connect`): takes `authorizeToken` (checked and used up
/// when the sandbox requires tokens), `redirectUrl`, `language` and `tag`. A refused token goes
/// straight back to `redirectUrl` with `error=ACCESS_DENIED`.
async fn connect_page(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| param(&params, name);
    let Some(redirect_url) = param("redirectUrl").and_then(connect::redirect_target) else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<!doctype html><title>Flinks Capital</title><p>redirectUrl (an http or https URL) is required.</p>"),
        )
            .into_response();
    };
    let mut tokens = Vec::new();
    if state.config.require_authorize_token {
        if !state.take_token(param("authorizeToken").unwrap_or_default()) {
            let back = connect::with_query(
                redirect_url,
                &[
                    ("error", "ACCESS_DENIED"),
                    ("error_description", AUTHORIZE_TOKEN_REFUSED),
                ],
            );
            return Redirect::to(&back).into_response();
        }
        // The page's own Authorize calls: a sign-in, answers and a few retries.
        tokens = (0..6).map(|_| state.mint_token()).collect();
    }
    let authorize_path = format!(
        "/v3/{}/BankingServices/Authorize",
        state.config.customer_ids[0]
    );
    // The page carries single-use authorize tokens: no browser cache may keep a copy.
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(connect::html(&connect::Page {
            authorize_path: &authorize_path,
            redirect_url,
            tokens: &tokens,
            french: param("language").is_some_and(|l| l.eq_ignore_ascii_case("fr")),
            tag: param("tag"),
        })),
    )
        .into_response()
}

/// A query or form parameter by name in any case, trimmed.
fn param<'p>(params: &'p HashMap<String, String>, name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// What an OAuth sign-in carries from the page's URL to its form and back: where to send the
/// browser, and the client's `state`, echoed untouched.
struct OAuthRequest<'p> {
    redirect_url: &'p str,
    state: Option<&'p str>,
}

impl<'p> OAuthRequest<'p> {
    /// A missing or unusable `redirect_url` cannot be redirected to: 400 `INVALID_REQUEST`. An
    /// institution other than FlinksCapital goes back with `access_denied`.
    fn read(params: &'p HashMap<String, String>) -> Result<Self, Response> {
        let redirect_url = param(params, "redirect_url")
            .and_then(connect::redirect_target)
            .ok_or_else(|| {
                invalid_request("redirect_url (an absolute http or https URL) is required.")
            })?;
        let request = Self {
            redirect_url,
            state: param(params, "state").filter(|s| !s.is_empty()),
        };
        let institution = param(params, "institution").unwrap_or_default();
        if !institution.eq_ignore_ascii_case(INSTITUTION) {
            return Err(request.deny(&format!(
                "The institution {institution:?} is not offered by this sandbox; it offers {INSTITUTION}."
            )));
        }
        Ok(request)
    }

    /// A 303 to `redirect_url` with `before`, the state, then `after` in its query.
    fn back(&self, before: &[(&str, &str)], after: &[(&str, &str)]) -> Response {
        let state = self.state.map(|s| ("state", s));
        let all: Vec<(&str, &str)> = before
            .iter()
            .copied()
            .chain(state)
            .chain(after.iter().copied())
            .collect();
        Redirect::to(&connect::with_query(self.redirect_url, &all)).into_response()
    }

    /// `{redirect_url}?state=…&error=access_denied&error_description=…`.
    fn deny(&self, description: &str) -> Response {
        let error = [
            ("error", "access_denied"),
            ("error_description", description),
        ];
        self.back(&[], &error)
    }

    fn page(
        &self,
        customer_id: &str,
        question: Option<(&str, &str)>,
        error: Option<&str>,
    ) -> Response {
        let action = format!("/v3/{customer_id}/BankingServices/OAuth/Authorize");
        Html(connect::oauth_html(&connect::OAuthPage {
            action: &action,
            redirect_url: self.redirect_url,
            state: self.state,
            question,
            error,
        }))
        .into_response()
    }
}

/// `GET /v3/{customerId}/BankingServices/OAuth/Authorize?institution=FlinksCapital&redirect_url=…&state=…`:
/// the custom-integration OAuth sign-in, as a small Flinks Capital bank login page. Signing in
/// (and answering Greatday's security question) sends the browser to
/// `{redirect_url}?loginId=…&state=…` (303); Cancel, or an institution other than FlinksCapital,
/// to `{redirect_url}?state=…&error=access_denied&error_description=…`.
///
/// This path is NOT verified in Flinks' documentation: flinks-api.md §2.6 and §8 found no
/// `/BankingServices/OAuth/Authorize` in any source. Its parameters follow the documented
/// open-banking authorize redirect (`?code=…&state=…` or `?error=access_denied&…`), with the
/// loginId in place of the code.
async fn oauth_page(
    Path(customer_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = match OAuthRequest::read(&params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    request.page(&customer_id, None, None)
}

/// The OAuth page's form: Cancel, a username and password, or an answer to the security
/// question. A refused sign-in or a wrong answer shows the page again with the reason.
async fn oauth_sign_in(
    State(state): State<Arc<AppState>>,
    Path(customer_id): Path<String>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let request = match OAuthRequest::read(&params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if param(&params, "action").is_some_and(|a| a.eq_ignore_ascii_case("cancel")) {
        return request.deny("The customer cancelled the sign-in.");
    }
    let signed_in = match param(&params, "request_id") {
        Some(request_id) => answer_once(&state, request_id, param(&params, "answer")),
        None => sign_in(
            &state,
            Some(INSTITUTION),
            param(&params, "username"),
            param(&params, "password"),
            false,
            None,
        ),
    };
    let (waiting, error) = match signed_in {
        Ok(SignIn::Authorized(persona)) => {
            return request.back(&[("loginId", &persona.login_id.to_string())], &[])
        }
        Ok(SignIn::Challenge(request_id)) => (Some(request_id), None),
        // A wrong answer asks the same question again; a refused sign-in, for credentials again.
        Err(refusal) => (
            param(&params, "request_id").and_then(|id| Uuid::parse_str(id).ok()),
            Some(refusal.2),
        ),
    };
    let question = waiting.and_then(|id| {
        let logins = state.logins();
        let c = logins.challenges.get(&id)?;
        Some((id.to_string(), QUESTIONS[c.question].prompt(c.french)))
    });
    let question = question.as_ref().map(|(id, prompt)| (id.as_str(), *prompt));
    request.page(&customer_id, question, error)
}

/// A live sign-in that got past username and password.
enum SignIn<'s> {
    Authorized(&'s Persona),
    /// A security question waits under this RequestId.
    Challenge(Uuid),
}

/// Why a sign-in was refused: Flinks' status, code and message.
#[derive(Clone, Copy)]
struct Refusal(StatusCode, &'static str, &'static str);

impl Refusal {
    fn response(&self) -> Response {
        flinks_error(self.0, self.1, self.2, None)
    }
}

/// One answer to a waiting security question (the OAuth page's; Authorize's JSON form has its
/// own rules): right opens the login, wrong is `INVALID_SECURITY_RESPONSE` and the question
/// stays open, none asks it again.
fn answer_once<'s>(
    state: &'s AppState,
    request_id: &str,
    answer: Option<&str>,
) -> Result<SignIn<'s>, Refusal> {
    let expired = Refusal(
        StatusCode::BAD_REQUEST,
        "SESSION_NONEXISTENT",
        "The sign-in has expired. Please sign in again.",
    );
    let id = Uuid::parse_str(request_id).map_err(|_| expired)?;
    let mut logins = state.logins();
    let challenge = logins.challenges.get(&id).ok_or(expired)?;
    if !answer.is_some_and(|a| QUESTIONS[challenge.question].accepts(a)) {
        drop(logins);
        return match answer.filter(|a| !a.is_empty()) {
            None => Ok(SignIn::Challenge(id)),
            Some(_) => Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "INVALID_SECURITY_RESPONSE",
                "The security response is different from what the institution expected.",
            )),
        };
    }
    let challenge = logins.challenges.remove(&id).ok_or(expired)?;
    drop(logins);
    let persona = state.persona(challenge.login_id).ok_or(expired)?;
    link(state, persona.login_id);
    Ok(SignIn::Authorized(persona))
}

/// Authorize in its three forms: an answer to a security question (`RequestId` and
/// `SecurityResponses`), a live sign-in (`Username`, `Password`), or a cached session (`LoginId`).
async fn authorize(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    FlinksBody(body): FlinksBody,
) -> Response {
    if let Err(refused) = state.take_authorize_token(&headers) {
        return refused;
    }
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim);
    let tag = text("tag");
    if body.contains_key("securityresponses")
        || (text("requestid").is_some() && !body.contains_key("loginid"))
    {
        return answer_challenge(&state, &body);
    }
    if body.contains_key("username") {
        return live_authorize(&state, &body);
    }
    let Some(login_id) = text("loginid") else {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "A LoginId (cached mode), or Institution, Username and Password (live mode), is required.",
            None,
        );
    };
    match state.stored_login(login_id) {
        Ok(persona) => state.open_session(persona, Uuid::new_v4(), tag),
        Err(refused) => refused,
    }
}

/// Live mode (flinks-api.md §5.1, §7 item 2): the documented test logins, and the personas
/// with the same password and no security question.
fn live_authorize(state: &AppState, body: &Map<String, Value>) -> Response {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim);
    let tag = text("tag");
    let french = text("language").is_some_and(|l| l.eq_ignore_ascii_case("fr"));
    let signed_in = sign_in(
        state,
        text("institution"),
        text("username"),
        text("password"),
        french,
        tag,
    );
    match signed_in {
        Ok(SignIn::Authorized(persona)) => state.open_session(persona, Uuid::new_v4(), tag),
        Ok(SignIn::Challenge(request_id)) => match state.logins().challenges.get(&request_id) {
            Some(challenge) => challenge_reply(challenge, request_id),
            None => session_nonexistent(),
        },
        Err(refusal) => refusal.response(),
    }
}

/// Checks a live sign-in; a login without a security question exists from now on, one with a
/// question waits for its answer under a new RequestId.
fn sign_in<'s>(
    state: &'s AppState,
    institution: Option<&str>,
    username: Option<&str>,
    password: Option<&str>,
    french: bool,
    tag: Option<&str>,
) -> Result<SignIn<'s>, Refusal> {
    if !institution.is_some_and(|i| i.eq_ignore_ascii_case(INSTITUTION)) {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "Institution must be FlinksCapital, the one institution of this sandbox.",
        ));
    }
    let (Some(username), Some(password)) = (username, password) else {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "Username and Password are required in live mode.",
        ));
    };
    let known_persona = state
        .personas
        .iter()
        .find(|p| p.username.eq_ignore_ascii_case(username));
    let test_login = capital::test_login(username);
    if !password.eq_ignore_ascii_case(capital::PASSWORD)
        || (test_login.is_none() && known_persona.is_none())
    {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "The card number (username) or password provided is invalid",
        ));
    }
    let behaviour = test_login.map_or(Behaviour::NoMfa, |t| t.behaviour);
    let login = test_login
        .and_then(|t| state.test_logins.iter().find(|p| p.username == t.username))
        .or(known_persona);
    match (behaviour, login) {
        (Behaviour::Disabled, _) => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "DISABLED_LOGIN",
            "This account has been disabled by the institution.",
        )),
        (Behaviour::Unavailable, _) | (_, None) => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "RETRY_LATER",
            "The institution cannot be reached at the moment. Please retry later.",
        )),
        (Behaviour::NoMfa | Behaviour::Pending | Behaviour::Dispatched, Some(persona)) => {
            link(state, persona.login_id);
            Ok(SignIn::Authorized(persona))
        }
        (Behaviour::Mfa, Some(persona)) => {
            let request_id = Uuid::new_v4();
            let challenge = Challenge {
                login_id: persona.login_id,
                question: usize::from(Uuid::new_v4().as_bytes()[0]) % QUESTIONS.len(),
                french,
                tag: tag.map(str::to_owned),
            };
            state.logins().challenges.insert(request_id, challenge);
            Ok(SignIn::Challenge(request_id))
        }
    }
}

/// The login exists from now on (again, if it had been deleted).
fn link(state: &AppState, login_id: Uuid) {
    let mut logins = state.logins();
    let new = logins.deleted.remove(&login_id) | logins.linked.insert(login_id);
    if new {
        state.save_logins(&logins);
    }
}

fn challenge_reply(challenge: &Challenge, request_id: Uuid) -> Response {
    let mut reply = json!({
        "Links": [{ "rel": "Authorization", "href": "/Authorize", "example": null }],
        "HttpStatusCode": 203,
        "SecurityChallenges": [{
            "Type": "QuestionAndAnswer",
            "Prompt": QUESTIONS[challenge.question].prompt(challenge.french),
        }],
        "Institution": INSTITUTION,
        "RequestId": request_id,
    });
    with_tag(&mut reply, challenge.tag.as_deref());
    (StatusCode::NON_AUTHORITATIVE_INFORMATION, Json(reply)).into_response()
}

/// `{RequestId, SecurityResponses: {prompt: [answers]}}`: no answer asks again, an answer to
/// another prompt is `UNKNOWN_CHALLENGE_KEY`, a wrong one `INVALID_SECURITY_RESPONSE` (and the
/// question stays open for another try), the right one opens the session under the same RequestId.
fn answer_challenge(state: &AppState, body: &Map<String, Value>) -> Response {
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id.trim()).ok());
    let mut logins = state.logins();
    let Some((request_id, challenge)) =
        request_id.and_then(|id| logins.challenges.get(&id).map(|c| (id, c)))
    else {
        return session_nonexistent();
    };
    let question = &QUESTIONS[challenge.question];
    let asked = question.prompt(challenge.french);
    let responses: Vec<(&String, Vec<&str>)> = body
        .get("securityresponses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(prompt, answers)| {
            let answers = match answers {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                Value::String(one) => vec![one.as_str()],
                _ => Vec::new(),
            };
            let answers = answers.into_iter().filter(|a| !a.trim().is_empty());
            (prompt, answers.collect::<Vec<_>>())
        })
        .filter(|(_, answers)| !answers.is_empty())
        .collect();
    if responses.is_empty() {
        return challenge_reply(challenge, request_id);
    }
    let refuse = |code, message: &str| {
        flinks_error(StatusCode::UNAUTHORIZED, code, message, Some(request_id))
    };
    if responses
        .iter()
        .any(|(prompt, _)| !prompt.trim().eq_ignore_ascii_case(asked))
    {
        return refuse(
            "UNKNOWN_CHALLENGE_KEY",
            "The security responses answer a question that was not asked.",
        );
    }
    if !responses
        .iter()
        .flat_map(|(_, answers)| answers)
        .all(|a| question.accepts(a))
    {
        return refuse(
            "INVALID_SECURITY_RESPONSE",
            "The security response is different from what the institution expected.",
        );
    }
    let Some(challenge) = logins.challenges.remove(&request_id) else {
        return session_nonexistent();
    };
    drop(logins);
    let Some(persona) = state.persona(challenge.login_id) else {
        return session_nonexistent();
    };
    link(state, persona.login_id);
    let tag = body.get("tag").and_then(Value::as_str);
    state.open_session(persona, request_id, tag.or(challenge.tag.as_deref()))
}

/// DeleteCard: forgets a login (for this sandbox instance only) and ends its sessions.
async fn delete_card(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id)): Path<(String, String)>,
) -> Response {
    let id = match state.stored_login(&login_id) {
        Ok(persona) => persona.login_id,
        Err(refused) => return refused,
    };
    {
        let mut logins = state.logins();
        let busy = logins
            .last_authorized
            .get(&id)
            .is_some_and(|at| at.elapsed() < state.config.card_in_use_for);
        if busy {
            return flinks_error(
                StatusCode::BAD_REQUEST,
                "CARD_IN_USE",
                "This login is still being processed after its last Authorize. Try again in a moment.",
                None,
            );
        }
        logins.deleted.insert(id);
        logins.linked.remove(&id);
        state.save_logins(&logins);
    }
    state
        .sessions
        .lock()
        .expect("sessions lock")
        .retain(|_, s| s.login_id != id);
    Json(json!({
        "HttpStatusCode": 200,
        "Message": format!("All of the information about LoginId {id} has been removed"),
    }))
    .into_response()
}

/// What a GetAccountsDetail call asked for. The session keeps it: the Async endpoint answers
/// with the same options, and attributes are computed from the data it returned.
#[derive(Debug, Clone)]
struct DetailOptions {
    with_transactions: bool,
    with_identity: bool,
    with_balance: bool,
    days: i64,
    /// `AccountsFilter`: only these accounts.
    accounts: Option<Vec<Uuid>>,
}

impl Default for DetailOptions {
    fn default() -> Self {
        Self::from_body(&Map::new())
    }
}

impl DetailOptions {
    fn from_body(body: &Map<String, Value>) -> Self {
        let days = match body.get("daysoftransactions").and_then(Value::as_str) {
            Some(d) if d.eq_ignore_ascii_case("days90") => 90,
            _ => 365,
        };
        // Ids that are not GUIDs match no account; an empty filter is no filter.
        let accounts = body
            .get("accountsfilter")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()))
                    .collect::<Vec<_>>()
            })
            .filter(|ids| !ids.is_empty());
        Self {
            with_transactions: flag(body, "withtransactions", true),
            with_identity: flag(body, "withaccountidentity", true),
            with_balance: flag(body, "withbalance", true),
            days,
            accounts,
        }
    }

    /// The accounts and days of data attributes are computed from.
    fn scope(&self) -> Scope {
        Scope {
            accounts: self.accounts.clone(),
            categories: None,
            days: Some(self.days),
        }
    }

    fn includes(&self, account: &Account) -> bool {
        self.accounts
            .as_ref()
            .map_or(true, |ids| ids.contains(&account.id))
    }
}

/// GetAccountsDetail gives accounts with transactions and lets attributes be computed;
/// GetAccountsSummary gives the accounts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    Detail,
    Summary,
}

async fn accounts_detail(state: State<Arc<AppState>>, body: FlinksBody) -> Response {
    data_call(state, body, Data::Detail)
}

async fn accounts_summary(state: State<Arc<AppState>>, body: FlinksBody) -> Response {
    data_call(state, body, Data::Summary)
}

fn data_call(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
    data: Data,
) -> Response {
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let options = DetailOptions::from_body(&body);
    detail_reply(&state, &request_id, Some(options), data)
}

async fn accounts_detail_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    detail_reply(&state, &request_id, None, Data::Detail)
}

async fn accounts_summary_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    detail_reply(&state, &request_id, None, Data::Summary)
}

/// `options` are those of a GetAccountsDetail (or Summary) call; the Async endpoint passes none
/// and gets those of the last call.
fn detail_reply(
    state: &AppState,
    request_id: &str,
    options: Option<DetailOptions>,
    data: Data,
) -> Response {
    let outcome = state.with_session(request_id, |s| {
        let requested = match data {
            Data::Detail => &mut s.requested,
            Data::Summary => &mut s.summary_requested,
        };
        if let Some(o) = options {
            *requested = Some(o);
        }
        let options = requested.clone().unwrap_or_default();
        if Instant::now() < s.ready_at {
            return Err(Busy::Pending);
        }
        if data == Data::Detail {
            if let Some((busy, left @ 1..)) = s.slow {
                s.slow = Some((busy, left - 1));
                return Err(busy);
            }
            s.served = Some(options.clone());
        }
        Ok((s.login_id, options))
    });
    let request_id = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    let (login_id, options) = match outcome {
        Err(r) => return r,
        Ok(Err(busy)) if data == Data::Summary => {
            return pending_at(request_id, "AccountsSummaryAsync", busy)
        }
        Ok(Err(busy)) => return pending_at(request_id, "AccountsDetailAsync", busy),
        Ok(Ok(served)) => served,
    };
    let Some(persona) = state.persona(login_id) else {
        return session_nonexistent();
    };
    let since = state.config.as_of - chrono::Days::new(options.days as u64);
    let accounts: Vec<Value> = persona
        .accounts
        .iter()
        .filter(|a| options.includes(a))
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
            let mut account = json!({
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
            });
            if data == Data::Summary {
                account.as_object_mut().map(|o| o.remove("Transactions"));
            }
            account
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

pub(crate) fn session_nonexistent() -> Response {
    flinks_error(
        StatusCode::BAD_REQUEST,
        "SESSION_NONEXISTENT",
        "Inputs session id or card if were not found.",
        None,
    )
}

fn invalid_request(message: &str) -> Response {
    flinks_error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message, None)
}

/// The login and the scope an attributes request computes from, once GetAccountsDetail has
/// served the session: the accounts and days that call returned.
fn attributes_session<'s>(
    state: &'s AppState,
    login_id: &str,
    request_id: &str,
) -> Result<(&'s Persona, Scope, Uuid), Response> {
    let (session_login, served) =
        state.with_session(request_id, |s| (s.login_id, s.served.clone()))?;
    let request_uuid = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    if Uuid::parse_str(login_id.trim()).ok() != Some(session_login) {
        return Err(flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "The LoginId provided is either invalid or does not belong to the CustomerId",
            None,
        ));
    }
    // Attributes are computed from the data GetAccountsDetail gathered; until then, poll.
    let Some(served) = served else {
        return Err(pending(request_uuid));
    };
    let persona = state
        .persona(session_login)
        .ok_or_else(session_nonexistent)?;
    Ok((persona, served.scope(), request_uuid))
}

/// `limitDays`: a whole number of days from 1 to 365, from a header or a body field.
fn limit_days(value: &Value) -> Result<i64, Response> {
    let days = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    days.filter(|d| (1..=365).contains(d)).ok_or_else(|| {
        invalid_request(&format!(
            "limitDays must be a whole number of days from 1 to 365; got {value}."
        ))
    })
}

fn header_limit_days(headers: &HeaderMap) -> Result<Option<i64>, Response> {
    headers
        .get("limitdays")
        .map(|h| {
            let text = h.to_str().unwrap_or_default();
            limit_days(&Value::String(text.to_owned()))
        })
        .transpose()
}

fn attributes_reply(
    persona: &Persona,
    as_of: NaiveDate,
    request_id: Uuid,
    card: Value,
) -> Response {
    Json(json!({
        "HttpStatusCode": 200,
        "Card": card,
        "Login": login_json(persona, as_of),
        "RequestId": request_id,
    }))
    .into_response()
}

async fn package_attributes(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id, request_id, endpoint)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (persona, scope, request_uuid) = match attributes_session(&state, &login_id, &request_id) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(package) = Package::from_endpoint(&endpoint) else {
        let offered: Vec<&str> = Package::ALL.iter().map(|p| p.endpoint()).collect();
        return flinks_error(
            StatusCode::NOT_FOUND,
            "INVALID_REQUEST",
            &format!(
                "{endpoint} is not an attributes endpoint of this sandbox; it offers {}.",
                offered.join(", ")
            ),
            None,
        );
    };
    let days = match header_limit_days(&headers) {
        Ok(days) => days,
        Err(r) => return r,
    };
    let scope = scope.narrowed(&Scope {
        days,
        ..Scope::default()
    });
    let attributes = engine::package(package, persona, state.config.as_of, &scope);
    let card = card_json(persona, &attributes, |a| !a.detail.is_empty());
    attributes_reply(persona, state.config.as_of, request_uuid, card)
}

/// A custom /Attributes request (flinks-api.md §4.3), read from a body whose top-level keys are
/// already lower case; nested keys match in any case too.
#[derive(Debug)]
struct CustomRequest {
    names: Vec<String>,
    categories: Option<Vec<String>>,
    accounts: Option<Vec<Uuid>>,
    detail: Vec<String>,
    limit_days: Option<i64>,
}

/// A field of a JSON object by name in any case; null counts as absent.
fn field<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn string_list(value: &Value, what: &str) -> Result<Vec<String>, Response> {
    let bad = || invalid_request(&format!("{what} must be a list of strings; got {value}."));
    value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(bad))
        .collect()
}

/// `object.key` as a list of strings, when `object` is present.
fn nested_list(
    object: Option<&Value>,
    object_name: &str,
    key: &str,
) -> Result<Option<Vec<String>>, Response> {
    let Some(object) = object else {
        return Ok(None);
    };
    let map = object.as_object().ok_or_else(|| {
        invalid_request(&format!(
            "{object_name} must be an object with a {key} list; got {object}."
        ))
    })?;
    field(map, key)
        .map(|v| string_list(v, &format!("{object_name}.{key}")))
        .transpose()
}

impl CustomRequest {
    fn from_body(body: &Map<String, Value>, headers: &HeaderMap) -> Result<Self, Response> {
        let names = nested_list(body.get("attributes"), "Attributes", "Card")?.ok_or_else(|| {
            invalid_request(
                "Attributes.Card is required: the names of the attributes to compute, as in {\"Attributes\":{\"Card\":[\"balance_min\"]}}.",
            )
        })?;
        if names.is_empty() {
            return Err(invalid_request("Attributes.Card lists no attribute."));
        }
        let categories = nested_list(body.get("filters"), "Filters", "AccountCategory")?;
        let accounts = match field(body, "accountfilter") {
            None => None,
            Some(v) => Some(
                string_list(v, "AccountFilter")?
                    .iter()
                    .map(|id| {
                        Uuid::parse_str(id).map_err(|_| {
                            invalid_request(&format!(
                                "AccountFilter must list account ids (the Id of GetAccountsDetail's accounts); {id:?} is not one."
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let top = field(body, "attributesdetail")
            .map(|v| string_list(v, "AttributesDetail"))
            .transpose()?;
        let in_options = nested_list(body.get("options"), "Options", "AttributesDetail")?;
        let detail = top.into_iter().chain(in_options).flatten().collect();
        let in_body = field(body, "limitdays").map(limit_days).transpose()?;
        let in_header = header_limit_days(headers)?;
        let limit_days = match (in_body, in_header) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(CustomRequest {
            names,
            categories,
            accounts,
            detail,
            limit_days,
        })
    }
}

async fn custom_attributes(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id, request_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    FlinksBody(body): FlinksBody,
) -> Response {
    let request = match CustomRequest::from_body(&body, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (persona, scope, request_uuid) = match attributes_session(&state, &login_id, &request_id) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Some(stranger) = request
        .accounts
        .iter()
        .flatten()
        .find(|id| !persona.accounts.iter().any(|a| a.id == **id))
    {
        return invalid_request(&format!(
            "AccountFilter names {stranger}, which is not an account of this login."
        ));
    }
    let scope = scope.narrowed(&Scope {
        accounts: request.accounts,
        categories: request.categories,
        days: request.limit_days,
    });
    // The names in the order asked, once each; known ones under their catalog spelling.
    let catalog = catalog::catalog();
    let mut asked: Vec<(String, Option<&Spec>)> = Vec::new();
    for name in &request.names {
        let spec = catalog.get(name);
        let key = spec.map_or_else(|| name.clone(), |s| s.name.clone());
        if !asked.iter().any(|(k, _)| *k == key) {
            asked.push((key, spec));
        }
    }
    let computed = engine::compute(
        asked.iter().filter_map(|(_, s)| *s),
        persona,
        state.config.as_of,
        &scope,
    );
    let wanted: Vec<String> = request
        .detail
        .iter()
        .map(|n| {
            catalog
                .get(n)
                .map_or_else(|| n.to_ascii_lowercase(), |s| s.name.clone())
        })
        .collect();
    let mut card = card_json(persona, &computed, |a| wanted.contains(&a.name));
    let unknown = asked.iter().filter(|(_, s)| s.is_none());
    if let Value::Object(map) = &mut card {
        for (name, _) in unknown {
            map.insert(name.clone(), Value::Null);
        }
        // Back in the order asked, `Id` first and `AttributesDetail` last.
        let mut ordered = Map::new();
        for key in std::iter::once("Id")
            .chain(asked.iter().map(|(k, _)| k.as_str()))
            .chain(std::iter::once("AttributesDetail"))
        {
            if let Some(v) = map.remove(key) {
                ordered.insert(key.to_owned(), v);
            }
        }
        *map = ordered;
    }
    attributes_reply(persona, state.config.as_of, request_uuid, card)
}

/// The attribute library: every attribute's name, packages, unit, category and definition.
async fn library() -> Json<Value> {
    let attributes: Vec<Value> = catalog::catalog()
        .specs()
        .iter()
        .map(|s| {
            json!({
                "Name": s.name,
                "Packages": s.packages.iter().map(|p| p.title()).collect::<Vec<_>>(),
                "Unit": s.unit.as_str(),
                "Category": s.category,
                "Definition": s.definition,
            })
        })
        .collect();
    Json(json!({ "HttpStatusCode": 200, "Attributes": attributes }))
}

/// `Card`: `Id`, the values by name, and `AttributesDetail` for the attributes `detailed` picks.
fn card_json(
    persona: &Persona,
    attributes: &[Attribute],
    detailed: impl Fn(&Attribute) -> bool,
) -> Value {
    let mut card = Map::new();
    card.insert("Id".into(), json!(persona.login_id));
    for a in attributes {
        card.insert(a.name.clone(), a.value.to_json());
    }
    let transactions: HashMap<(Uuid, Uuid), &Transaction> = persona
        .accounts
        .iter()
        .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
        .collect();
    let details: Vec<Value> = attributes
        .iter()
        .filter(|a| detailed(a))
        .map(|a| {
            let rows: Vec<Value> = a
                .detail
                .iter()
                .filter_map(|key| {
                    let t = transactions.get(key)?;
                    Some(json!({
                        "TransactionId": t.id,
                        "AccountId": key.0,
                        "Date": t.date.format("%Y/%m/%d").to_string(),
                        "Description": t.description,
                        "Debit": t.debit.map(money_json),
                        "Credit": t.credit.map(money_json),
                        "Balance": money_json(t.balance),
                    }))
                })
                .collect();
            json!({ "Attribute": a.name, "Transactions": rows })
        })
        .collect();
    card.insert("AttributesDetail".into(), Value::Array(details));
    Value::Object(card)
}
