//! The one surface the app, the CLI and the tests call: a desk over its environments.
//!
//! Each use case has its own file, each adding to `impl Desk`: starting (`start`), environments
//! (`environments`), customers and their in-memory list (`customers`), runs (`runs`) and
//! portfolio runs (`portfolio`), what a run shows once stored (`results`), Connect (`connect`)
//! and live sign-in (`live`). The flow's output becomes store rows in one place (`record`).
//! What they return to a front end is in `crate::view`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use flinks_client::{FlinksClient, LibraryEntry, LoginId, PollPolicy};
use flinks_sandbox::Sandbox;
use tokio_util::sync::CancellationToken;

use crate::secrets::{SecretError, SecretStore};
use crate::store::{EnvironmentRow, Store};

pub(crate) mod connect;
mod credit_file;
mod customers;
mod decisions;
pub(crate) mod environments;
pub(crate) mod live;
mod policies;
mod portfolio;
pub(crate) mod production;
mod record;
mod results;
mod runs;
mod start;
mod statements;
pub(crate) mod sync;
pub(crate) mod team;
mod what_if;

pub use runs::package_named;
pub use start::BuiltinOptions;

/// The package slug of a custom `/Attributes` run.
const CUSTOM: &str = "custom";

/// Where a customer's whole loginId is: the sandbox's cast, or the OS keyring.
#[derive(Clone)]
pub(super) enum LoginSource {
    Builtin(LoginId),
    Keyring(String),
}

#[derive(Clone)]
pub(super) struct Customer {
    db_id: i64,
    id: String,
    env_key: String,
    label: String,
    story: String,
    institution: String,
    last4: String,
    login: LoginSource,
}

/// A live environment: its client, and its attribute library once read.
pub(super) struct Env {
    row: EnvironmentRow,
    client: FlinksClient,
    poll: PollPolicy,
    library: RwLock<Option<HashMap<String, LibraryEntry>>>,
    /// The keyring's refusal when the client was built: it has no keys, and makes no call
    /// until they are read (see `Desk::with_keys`).
    keys_unread: Option<SecretError>,
}

/// A desk: the built-in sandbox, the environments with their clients, the customers, the store
/// and the keyring, and the runs in progress (so they can be cancelled).
pub struct Desk {
    // Held so the server lives as long as the desk.
    sandbox: Sandbox,
    envs: RwLock<Vec<Arc<Env>>>,
    customers: RwLock<Vec<Customer>>,
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    runs: Mutex<HashMap<i64, CancellationToken>>,
    /// The portfolio run in progress, so one cancel stops it: one at a time per desk.
    portfolio: Mutex<Option<CancellationToken>>,
    /// Production environments the person confirmed in this session.
    confirmed: production::Confirmed,
    sign_ins: live::SignIns,
    team: team::Team,
}

fn secret_key_entry(env_key: &str) -> String {
    format!("secret-key:{env_key}")
}

fn api_key_entry(env_key: &str) -> String {
    format!("x-api-key:{env_key}")
}

fn login_entry(env_key: &str, customer_key: &str) -> String {
    format!("login-id:{env_key}:{customer_key}")
}

impl Desk {
    pub(super) fn env(&self, key: &str) -> Option<Arc<Env>> {
        self.envs
            .read()
            .expect("envs lock")
            .iter()
            .find(|e| e.row.key == key)
            .cloned()
    }

    /// Reads the environment's attribute library once; without it the app's own catalog and
    /// the naming grammar describe the attributes.
    pub(super) async fn ensure_library(&self, env: &Env) {
        // Without its keys the call would go without its x-api-key: left for when they are read.
        if env.library.read().expect("library lock").is_some() || env.keys_unread.is_some() {
            return;
        }
        let library = match env.client.attribute_library().await {
            Ok(entries) => entries.into_iter().map(|e| (e.name.clone(), e)).collect(),
            Err(e) => {
                tracing::info!(error = %e, env = %env.row.key, "no attribute library; using the built-in catalog");
                HashMap::new()
            }
        };
        *env.library.write().expect("library lock") = Some(library);
    }

    /// The environment's library as far as it has been read (empty when not yet, or never).
    pub(super) fn library_of(&self, env_key: &str) -> HashMap<String, LibraryEntry> {
        self.env(env_key)
            .and_then(|env| env.library.read().expect("library lock").clone())
            .unwrap_or_default()
    }
}
