//! Starting a desk: the built-in sandbox on loopback, the environments the store knows (the
//! toolbox seeded on the first start), a client for each, and the customers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use flinks_client::{toolbox, CallRecord, Environment, FlinksClient, LoginId, PollPolicy, Secret};
use flinks_sandbox::{Sandbox, SandboxConfig};

use super::{api_key_entry, environments, live, secret_key_entry, Desk, Env};
use crate::secrets::SecretStore;
use crate::store::EnvironmentKind;
use crate::store::{EnvironmentRow, Store};
use crate::DeskError;

const BUILTIN_NAME: &str = "Flinks Capital sandbox";

/// Settings of the built-in sandbox, from the app's environment variables.
#[derive(Debug, Clone)]
pub struct BuiltinOptions {
    /// Fixed loopback port; a free one when `None`.
    pub port: Option<u16>,
    /// How long the sandbox keeps answering `OPERATION_PENDING`.
    pub pending_for: Duration,
    /// How often to poll it: our own server, so faster than the 10 s Flinks asks for.
    pub poll_interval: Duration,
}

impl Default for BuiltinOptions {
    fn default() -> Self {
        Self {
            port: None,
            pending_for: Duration::from_secs(3),
            poll_interval: Duration::from_secs(1),
        }
    }
}

impl Desk {
    /// Starts the built-in Flinks Capital sandbox on loopback and a desk talking to it over HTTP,
    /// through the same client as for Flinks itself, keeping its history in `store` and its
    /// secrets in `secrets`.
    pub async fn start(
        options: BuiltinOptions,
        store: Store,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Desk, DeskError> {
        let config = SandboxConfig {
            pending_for: options.pending_for,
            // Customers signed in on the built-in sandbox must still open after a restart.
            saved_logins: store.path().parent().map(|d| d.join("sandbox-logins.json")),
            ..SandboxConfig::default()
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], options.port.unwrap_or(0)));
        let sandbox = Sandbox::start(config, addr)
            .await
            .map_err(DeskError::SandboxStart)?;
        let store = Arc::new(store);
        let builtin_id = store.upsert_environment(
            "builtin",
            BUILTIN_NAME,
            EnvironmentKind::Builtin,
            &sandbox.base_url(),
            sandbox.customer_id(),
            false,
        )?;
        let first_start = !store.environments()?.iter().any(|e| e.key == "toolbox");
        // The toolbox's keys are public (flinks-api.md §1), but kept in the keyring like any
        // other environment's so every environment works the same way.
        if first_start {
            store.upsert_environment(
                "toolbox",
                "Flinks toolbox",
                EnvironmentKind::Toolbox,
                toolbox::API_BASE_URL,
                toolbox::CUSTOMER_ID,
                false,
            )?;
            let seeded = secrets
                .set(
                    &secret_key_entry("toolbox"),
                    &Secret::new(toolbox::SECRET_KEY),
                )
                .and_then(|()| {
                    secrets.set(&api_key_entry("toolbox"), &Secret::new(toolbox::API_KEY))
                });
            if let Err(e) = seeded {
                tracing::warn!(error = %e, "the toolbox keys could not be put in the keyring");
            }
        }
        for p in sandbox.personas() {
            let login_id = LoginId::new(p.login_id.to_string());
            store.upsert_customer(
                builtin_id,
                &p.username,
                &p.holder_name,
                flinks_sandbox::INSTITUTION,
                login_id.last4(),
            )?;
        }
        let desk = Desk {
            sandbox,
            envs: RwLock::new(Vec::new()),
            customers: RwLock::new(Vec::new()),
            store,
            secrets,
            runs: Mutex::new(HashMap::new()),
            portfolio: Mutex::new(None),
            confirmed: Default::default(),
            sign_ins: live::SignIns::default(),
            team: Default::default(),
        };
        let builtin_poll = PollPolicy {
            interval: options.poll_interval,
            ..PollPolicy::default()
        };
        for row in desk.store.environments()? {
            let poll = if row.kind == EnvironmentKind::Builtin {
                builtin_poll
            } else {
                environments::poll_of(&row)
            };
            let env = desk.connect(row, poll)?;
            desk.envs.write().expect("envs lock").push(Arc::new(env));
        }
        desk.load_customers()?;
        // Read the built-in library now: the first run should not wait for it.
        if let Some(builtin) = desk.env("builtin") {
            desk.ensure_library(&builtin).await;
        }
        Ok(desk)
    }

    /// A client for an environment, reporting every call to the ledger.
    pub(super) fn connect(&self, row: EnvironmentRow, poll: PollPolicy) -> Result<Env, DeskError> {
        let ledger = self.store.clone();
        let (env_id, production) = (row.id, row.production);
        let observer = move |call: &CallRecord| {
            // What Flinks bills on production: the data and attributes it delivered, not the
            // polls, tokens, sessions, library or deletions around them.
            let billable = production && call.billable();
            let recorded = ledger.record_request(
                env_id,
                call.endpoint,
                call.status,
                call.flinks_code.as_deref(),
                call.duration.as_millis() as i64,
                billable,
            );
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "a request could not be written to the ledger");
            }
        };
        let mut environment = Environment::new(&row.api_base_url, &row.customer_id)?;
        let mut keys_unread = None;
        if row.kind != EnvironmentKind::Builtin {
            let mut read = |entry: String| match self.secrets.get(&entry) {
                Ok(value) => value,
                Err(e) => {
                    tracing::warn!(error = %e, env = %row.key, %entry, "key not readable now");
                    keys_unread = Some(e);
                    None
                }
            };
            environment.x_api_key = read(api_key_entry(&row.key));
            // Only for masking in errors: the client sends it only when handed it.
            environment.secret_key = read(secret_key_entry(&row.key));
        } else {
            environment.secret_key = Some(Secret::new(self.sandbox.config().secret_key.clone()));
        }
        let client = FlinksClient::new(environment)?.with_observer(Arc::new(observer));
        Ok(Env {
            row,
            client,
            poll,
            library: RwLock::new(None),
            keys_unread,
        })
    }

    /// The environment ready for calls. If its keys could not be read when its client was
    /// built (a keyring locked at start), they are read again now and the client rebuilt with
    /// them; if they still cannot be, the call is refused with the keyring's error rather than
    /// made without its x-api-key.
    pub(super) fn with_keys(&self, env: Arc<Env>) -> Result<Arc<Env>, DeskError> {
        if env.keys_unread.is_none() {
            return Ok(env);
        }
        let fresh = self.connect(env.row.clone(), env.poll)?;
        if let Some(e) = fresh.keys_unread {
            return Err(e.into());
        }
        let fresh = Arc::new(fresh);
        // Unless an edit replaced it meanwhile: that one read the keys itself.
        if let Some(slot) = self
            .envs
            .write()
            .expect("envs lock")
            .iter_mut()
            .find(|e| Arc::ptr_eq(e, &env))
        {
            *slot = fresh.clone();
        }
        Ok(fresh)
    }
}
