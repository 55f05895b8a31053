//! Starting and stopping a sandbox: one axum server on its own port, with state of its own.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::admin::{adverts, Advert};
use super::config::SandboxConfig;
use super::router::router;
use super::state::{AppState, Logins};
use crate::capital;
use crate::fault_rules::{FaultBook, FaultRule};
use crate::model::Persona;
use crate::personas;

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
        let mut personas = personas::cast(config.seed, config.as_of);
        personas.extend(personas::applicants(
            config.seed,
            config.as_of,
            config.applicants,
        ));
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
            card_budget: Arc::default(),
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

    /// The links the sandbox gives people to try it with (its `/` page lists them too), each
    /// from the sandbox's root: what `flinks-sandbox` prints when it starts.
    pub fn adverts(&self) -> Vec<Advert> {
        adverts(
            self.customer_id(),
            self.personas.first().map(|p| p.login_id),
        )
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

    /// The attribute cards the live sessions keep (see the attributes endpoints), and their
    /// bytes together: what a check that the cache stays bounded, and goes with its session,
    /// reads. Sessions past their idle time count until the next call that looks one up.
    pub fn kept_attribute_cards(&self) -> (usize, usize) {
        let sessions = self.state.sessions.lock().expect("sessions lock");
        let cards = sessions.values().map(|s| s.cards.len()).sum();
        (cards, self.state.card_budget.held())
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
