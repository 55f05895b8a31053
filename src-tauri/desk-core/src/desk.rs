//! The one surface the app, the CLI and the tests call: a desk bound to an environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use flinks_client::{
    AttributeValue, CallRecord, Environment, FlinksClient, LibraryEntry, LoginId, Package,
    PollPolicy, Secret, Wanted,
};
use flinks_sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::catalog::{self, Unit};
use crate::export::{self, CsvOptions};
use crate::flow::RunEvent;
use crate::secrets::SecretStore;
use crate::store::{
    BalanceSeries, Completion, DayBalance, EnvironmentRow, RunRecord, RunStatus, Store,
    StoredDetail, StoredValue,
};
use crate::{DeskError, ErrorView};

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

/// An environment as the UI sees it: where, whom, and whether its secrets are in the keyring —
/// never the secrets.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView {
    pub key: String,
    pub name: String,
    /// `builtin`, `toolbox` or `private`.
    pub kind: String,
    pub api_base_url: String,
    pub customer_id: String,
    pub production: bool,
    /// The built-in sandbox: runs on this machine, nothing leaves it.
    pub offline: bool,
    pub has_secret_key: bool,
    pub has_api_key: bool,
    /// Each Authorize gets a fresh authorize token bought with the secret key.
    pub authorize_tokens: bool,
    /// Connect's address when set by hand; otherwise it follows from the API URL.
    pub iframe_url: Option<String>,
    pub poll_interval_secs: u64,
    pub poll_max_wait_mins: u64,
}

/// What the person types to add an environment. Secrets go straight to the keyring.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEnvironment {
    pub name: String,
    pub api_base_url: String,
    pub customer_id: String,
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub secret_key: Option<String>,
    #[serde(default)]
    pub api_key: Option<String>,
    /// The instance wants an authorize token on every Authorize (integrations since 2024).
    #[serde(default)]
    pub authorize_tokens: bool,
    #[serde(flatten)]
    pub settings: environments::EnvironmentSettings,
}

/// A customer as the UI may see it: never the whole loginId.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: String,
    pub environment: String,
    pub label: String,
    pub story: String,
    pub institution: String,
    pub login_last4: String,
    /// When its latest completed run ended (RFC 3339, UTC): how fresh the desk's view of it is.
    pub last_run: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageView {
    pub slug: &'static str,
    pub title: &'static str,
    pub available: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeRow {
    /// `login` for the whole login, or an account id.
    pub scope: String,
    pub name: String,
    pub label: String,
    pub category: String,
    pub unit: Unit,
    pub definition: String,
    /// The value as Flinks sent it, exactly (decimal text for numbers).
    pub raw: String,
    /// The value as a number when it is one, for formatting and sorting.
    pub number: Option<f64>,
    pub known: bool,
    /// How many transactions Flinks named behind the value (0: nothing to explain).
    pub transactions: u32,
}

/// The transactions behind one value, and what they add up to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub name: String,
    pub label: String,
    pub unit: Unit,
    pub raw: String,
    pub transactions: Vec<StoredDetail>,
    /// Credits minus debits of those transactions, exact.
    pub net: String,
    /// Credits plus debits: what a sum of payments or of deposits adds up to.
    pub gross: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub run_id: i64,
    pub customer_label: String,
    pub package: &'static str,
    pub environment: String,
    pub request_id: String,
    pub accounts: usize,
    pub transactions: usize,
    pub duration_ms: u64,
    pub finished_at: String,
    pub rows: Vec<AttributeRow>,
    /// The package's headline attributes that this run has, most telling first: what an
    /// underwriter reads before the full table.
    pub summary: Vec<SummaryItem>,
}

/// One headline attribute of a run, with its value and why it is read first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryItem {
    pub name: String,
    pub label: String,
    /// The value as Flinks sent it.
    pub raw: String,
    pub number: Option<f64>,
    pub unit: Unit,
    /// One sentence: why an underwriter looks at it.
    pub why: String,
}

pub(crate) mod connect;
pub(crate) mod environments;
pub(crate) mod live;

/// The package slug of a custom `/Attributes` run.
const CUSTOM: &str = "custom";

/// An attribute the custom request's picker offers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeChoice {
    pub name: String,
    pub label: String,
    pub category: String,
}

/// One customer of a portfolio run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioEntry {
    pub customer_id: String,
    pub label: String,
    /// The run in the history, when it completed.
    pub run_id: Option<i64>,
    /// `completed`, `failed` or `cancelled`.
    pub status: &'static str,
    pub values: usize,
    pub error: Option<ErrorView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioResult {
    pub package: &'static str,
    /// In the order the customers were given.
    pub entries: Vec<PortfolioEntry>,
    pub completed: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub duration_ms: u64,
}

/// A portfolio's progress: each customer's run events, and each customer's end.
#[derive(Debug, Clone, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PortfolioEvent {
    Run {
        customer_id: String,
        event: RunEvent,
    },
    Finished {
        entry: PortfolioEntry,
    },
}

/// Two runs side by side: the same attribute names lined up.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub left: RunResult,
    pub right: RunResult,
    pub rows: Vec<ComparedRow>,
    /// Both runs in each chart they can share (`charts::comparison_charts`): none when they
    /// share no series, or when drawing failed, since the table alone still compares them.
    pub charts: Vec<crate::charts::Chart>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComparedRow {
    pub name: String,
    pub label: String,
    pub unit: Unit,
    pub left: Option<String>,
    pub left_number: Option<f64>,
    pub right: Option<String>,
    pub right_number: Option<f64>,
    /// right − left when both are numbers.
    pub difference: Option<f64>,
}

/// Where an export went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub path: String,
    pub rows: usize,
}

/// Where a customer's whole loginId is: the sandbox's cast, or the OS keyring.
#[derive(Clone)]
enum LoginSource {
    Builtin(LoginId),
    Keyring(String),
}

#[derive(Clone)]
struct Customer {
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
struct Env {
    row: EnvironmentRow,
    client: FlinksClient,
    poll: PollPolicy,
    library: RwLock<Option<HashMap<String, LibraryEntry>>>,
}

pub struct Desk {
    // Held so the server lives as long as the desk.
    sandbox: Sandbox,
    envs: RwLock<Vec<Arc<Env>>>,
    customers: RwLock<Vec<Customer>>,
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    runs: Mutex<HashMap<i64, CancellationToken>>,
    sign_ins: live::SignIns,
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

/// Public values of the Flinks toolbox (flinks-api.md §1): documented, so not secrets, but kept
/// in the keyring like any other key so every environment works the same way.
const TOOLBOX_SECRET_KEY: &str = "c4569c54-e167-4d34-8de6-f4113bc82414";
const TOOLBOX_API_KEY: &str = "3d5266a8-b697-48d4-8de6-52e2e2662acc";

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
            "builtin",
            &sandbox.base_url(),
            sandbox.customer_id(),
            false,
        )?;
        let first_start = !store.environments()?.iter().any(|e| e.key == "toolbox");
        if first_start {
            store.upsert_environment(
                "toolbox",
                "Flinks toolbox",
                "toolbox",
                flinks_client::TOOLBOX_API_BASE_URL,
                flinks_client::TOOLBOX_CUSTOMER_ID,
                false,
            )?;
            let seeded = secrets
                .set(
                    &secret_key_entry("toolbox"),
                    &Secret::new(TOOLBOX_SECRET_KEY),
                )
                .and_then(|()| {
                    secrets.set(&api_key_entry("toolbox"), &Secret::new(TOOLBOX_API_KEY))
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
            sign_ins: live::SignIns::default(),
        };
        let builtin_poll = PollPolicy {
            interval: options.poll_interval,
            ..PollPolicy::default()
        };
        for row in desk.store.environments()? {
            let poll = if row.kind == "builtin" {
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
    fn connect(&self, row: EnvironmentRow, poll: PollPolicy) -> Result<Env, DeskError> {
        let ledger = self.store.clone();
        let (env_id, production) = (row.id, row.production);
        let observer = move |call: &CallRecord| {
            // Flinks bills successful live requests; the ledger counts them.
            let billable = production && call.status.is_some_and(|s| (200..300).contains(&s));
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
        if row.kind != "builtin" {
            environment.x_api_key =
                self.secrets
                    .get(&api_key_entry(&row.key))
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, env = %row.key, "x-api-key not readable now");
                        None
                    });
        }
        let client = FlinksClient::new(environment)?.with_observer(Arc::new(observer));
        Ok(Env {
            row,
            client,
            poll,
            library: RwLock::new(None),
        })
    }

    fn load_customers(&self) -> Result<(), DeskError> {
        let envs = self.envs.read().expect("envs lock");
        let personas = self.sandbox.personas();
        let customers = self
            .store
            .customers()?
            .into_iter()
            .filter_map(|row| {
                let env = envs.iter().find(|e| e.row.id == row.environment_id)?;
                let persona = personas.iter().find(|p| p.username == row.key);
                // The sample cast's loginIds are the sandbox's; customers connected later are
                // in the keyring like everywhere else.
                let (login, story) = if let (true, Some(p)) = (env.row.kind == "builtin", persona) {
                    (
                        LoginSource::Builtin(LoginId::new(p.login_id.to_string())),
                        p.story.clone(),
                    )
                } else {
                    (
                        LoginSource::Keyring(login_entry(&env.row.key, &row.key)),
                        String::new(),
                    )
                };
                Some(Customer {
                    db_id: row.id,
                    id: row.key,
                    env_key: env.row.key.clone(),
                    label: row.label,
                    story,
                    institution: row.institution.unwrap_or_default(),
                    last4: row.login_last4,
                    login,
                })
            })
            .collect();
        *self.customers.write().expect("customers lock") = customers;
        Ok(())
    }

    fn env(&self, key: &str) -> Option<Arc<Env>> {
        self.envs
            .read()
            .expect("envs lock")
            .iter()
            .find(|e| e.row.key == key)
            .cloned()
    }

    /// Reads the environment's attribute library once; without it the app's own catalog and
    /// the naming grammar describe the attributes.
    async fn ensure_library(&self, env: &Env) {
        if env.library.read().expect("library lock").is_some() {
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

    fn view(&self, env: &Env) -> EnvironmentView {
        let has = |entry: String| matches!(self.secrets.get(&entry), Ok(Some(_)));
        let builtin = env.row.kind == "builtin";
        EnvironmentView {
            key: env.row.key.clone(),
            name: env.row.name.clone(),
            kind: env.row.kind.clone(),
            api_base_url: env.row.api_base_url.clone(),
            customer_id: env.row.customer_id.clone(),
            production: env.row.production,
            offline: builtin,
            has_secret_key: !builtin && has(secret_key_entry(&env.row.key)),
            has_api_key: !builtin && has(api_key_entry(&env.row.key)),
            authorize_tokens: env.row.authorize_tokens,
            iframe_url: env.row.iframe_url.clone(),
            poll_interval_secs: env.poll.interval.as_secs(),
            poll_max_wait_mins: env.poll.max_wait.as_secs() / 60,
        }
    }

    /// The built-in sandbox first, then the toolbox, then private instances.
    pub fn environments(&self) -> Vec<EnvironmentView> {
        let envs: Vec<Arc<Env>> = self.envs.read().expect("envs lock").clone();
        envs.iter().map(|e| self.view(e)).collect()
    }

    /// Adds a private Flinks instance. Its keys go to the keyring first: if the keyring refuses,
    /// nothing is saved.
    pub fn add_environment(&self, input: NewEnvironment) -> Result<EnvironmentView, DeskError> {
        let name = input.name.trim();
        let url = environments::api_base_url(&input.api_base_url);
        let has_secret_key = input
            .secret_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty());
        environments::check_fields(
            name,
            &url,
            &input.customer_id,
            input.authorize_tokens,
            has_secret_key,
        )?;
        // Checked before anything is written, applied once the row exists.
        input.settings.apply(&mut EnvironmentRow::default())?;
        let key = uuid::Uuid::new_v4().to_string();
        let secrets = [
            (secret_key_entry(&key), input.secret_key),
            (api_key_entry(&key), input.api_key),
        ];
        for (entry, value) in &secrets {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                if let Err(e) = self.secrets.set(entry, &Secret::new(value)) {
                    for (written, _) in &secrets {
                        let _ = self.secrets.delete(written);
                    }
                    return Err(e.into());
                }
            }
        }
        let id = self.store.upsert_environment(
            &key,
            name,
            "private",
            &url,
            input.customer_id.trim(),
            input.production,
        )?;
        self.store
            .set_authorize_tokens(id, input.authorize_tokens)?;
        let mut row = self
            .store
            .environments()?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| DeskError::Invalid("the environment was not saved".into()))?;
        input.settings.apply(&mut row)?;
        self.store.update_environment(&row)?;
        let env = Arc::new(self.connect(row.clone(), environments::poll_of(&row))?);
        let view = self.view(&env);
        self.envs.write().expect("envs lock").push(env);
        Ok(view)
    }

    pub fn customers(&self) -> Vec<CustomerView> {
        // The list still shows without its dates if the history cannot be read.
        let last_runs = self.store.last_completed_runs().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "last runs not readable");
            HashMap::new()
        });
        self.customers
            .read()
            .expect("customers lock")
            .iter()
            .map(|c| CustomerView {
                last_run: last_runs.get(&c.db_id).cloned(),
                id: c.id.clone(),
                environment: c.env_key.clone(),
                label: c.label.clone(),
                story: c.story.clone(),
                institution: c.institution.clone(),
                login_last4: c.last4.clone(),
            })
            .collect()
    }

    pub fn rename_customer(
        &self,
        customer_id: &str,
        label: &str,
    ) -> Result<CustomerView, DeskError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(DeskError::Invalid("the customer needs a name".into()));
        }
        let customer = self.customer(customer_id)?;
        self.store.rename_customer(customer.db_id, label)?;
        self.load_customers()?;
        self.customers()
            .into_iter()
            .find(|c| c.id == customer_id)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))
    }

    /// Adds a customer to an environment by its loginId (pasted from the Flinks Dashboard or a
    /// Connect redirect). The loginId goes to the keyring; the database keeps its last four.
    pub fn add_customer(
        &self,
        environment: &str,
        label: &str,
        login_id: &str,
    ) -> Result<CustomerView, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::Invalid(format!("no environment {environment:?}")))?;
        let login_id = LoginId::new(login_id);
        if uuid::Uuid::parse_str(login_id.expose()).is_err() {
            // The message never repeats what was typed: it may be a real loginId with a typo.
            return Err(DeskError::Invalid(
                "a loginId is a GUID: 32 hexadecimal digits in groups of 8, 4, 4, 4 and 12, separated by dashes".into(),
            ));
        }
        let label = label.trim();
        if label.is_empty() {
            return Err(DeskError::Invalid("the customer needs a name".into()));
        }
        let key = uuid::Uuid::new_v4().to_string();
        let entry = login_entry(&env.row.key, &key);
        self.secrets.set(&entry, &Secret::new(login_id.expose()))?;
        if let Err(e) = self
            .store
            .upsert_customer(env.row.id, &key, label, "", login_id.last4())
        {
            let _ = self.secrets.delete(&entry);
            return Err(e.into());
        }
        self.load_customers()?;
        self.customers()
            .into_iter()
            .find(|c| c.id == key)
            .ok_or_else(|| DeskError::Invalid("the customer was not saved".into()))
    }

    /// Deletes a customer: Flinks forgets the loginId (`DeleteCard`), then the keyring entry
    /// goes, then the row and its runs. If Flinks or the keyring refuses, everything stays as it
    /// was and the error says why. A loginId Flinks no longer knows counts as deleted there.
    pub async fn remove_customer(&self, customer_id: &str) -> Result<(), DeskError> {
        let customer = self.customer(customer_id)?;
        let LoginSource::Keyring(entry) = &customer.login else {
            return Err(DeskError::Invalid(
                "the built-in sandbox's sample customers cannot be removed".into(),
            ));
        };
        let env = self
            .env(&customer.env_key)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))?;
        if let Some(login_id) = self.secrets.get(entry)?.map(|s| LoginId::new(s.expose())) {
            match env.client.delete_card(&login_id).await {
                Ok(()) => {}
                Err(e) if e.code() == Some(&flinks_client::FlinksCode::InvalidLogin) => {
                    tracing::info!(customer = %customer.id, "Flinks no longer knew this loginId");
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.secrets.delete(entry)?;
        self.store.delete_customer(customer.db_id)?;
        self.load_customers()
    }

    /// The secret key that buys this environment's authorize tokens, when it requires them.
    fn token_key(&self, env: &Env) -> Result<Option<Secret>, DeskError> {
        if !env.row.authorize_tokens {
            return Ok(None);
        }
        self.secrets
            .get(&secret_key_entry(&env.row.key))?
            .map(Some)
            .ok_or_else(|| {
                DeskError::Invalid(
                    "this environment requires authorize tokens, and its secret key is not in the keyring: edit the environment and enter its secret key".into(),
                )
            })
    }

    /// A single-use authorize token for one Authorize, when the environment requires them.
    async fn fresh_authorize_token(&self, env: &Env) -> Result<Option<Secret>, DeskError> {
        match self.token_key(env)? {
            Some(key) => Ok(Some(env.client.generate_authorize_token(&key).await?)),
            None => Ok(None),
        }
    }

    fn env_or_invalid(&self, environment: &str) -> Result<Arc<Env>, DeskError> {
        self.env(environment)
            .ok_or_else(|| DeskError::Invalid(format!("no environment {environment:?}")))
    }

    fn customer(&self, customer_id: &str) -> Result<Customer, DeskError> {
        self.customers
            .read()
            .expect("customers lock")
            .iter()
            .find(|c| c.id == customer_id)
            .cloned()
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))
    }

    fn login_of(&self, customer: &Customer) -> Result<LoginId, DeskError> {
        match &customer.login {
            LoginSource::Builtin(id) => Ok(id.clone()),
            LoginSource::Keyring(entry) => self
                .secrets
                .get(entry)?
                .map(|s| LoginId::new(s.expose()))
                .ok_or(DeskError::LoginIdMissing),
        }
    }

    pub fn packages(&self) -> Vec<PackageView> {
        Package::ALL
            .iter()
            .map(|p| PackageView {
                slug: p.slug(),
                title: p.title(),
                available: true,
            })
            // The custom /Attributes call: the attributes the person picks.
            .chain([PackageView {
                slug: CUSTOM,
                title: "Custom",
                available: true,
            }])
            .collect()
    }

    /// Cancels a run in progress; false when it already ended.
    pub fn cancel(&self, run_id: i64) -> bool {
        match self.runs.lock().expect("runs lock").get(&run_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Runs a package for a customer. Progress goes to `progress`, starting with
    /// [`RunEvent::Started`] which carries the id [`Desk::cancel`] takes.
    pub async fn run(
        &self,
        customer_id: &str,
        package: Package,
        progress: &(dyn Fn(RunEvent) + Send + Sync),
    ) -> Result<RunResult, DeskError> {
        self.run_under(customer_id, &Wanted::Package(package), None, progress)
            .await
    }

    /// Runs the custom `/Attributes` call for a customer: the attributes named, in that order.
    pub async fn run_custom(
        &self,
        customer_id: &str,
        names: &[String],
        progress: &(dyn Fn(RunEvent) + Send + Sync),
    ) -> Result<RunResult, DeskError> {
        let mut wanted: Vec<String> = Vec::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if !wanted.iter().any(|w| w.eq_ignore_ascii_case(name)) {
                wanted.push(name.to_owned());
            }
        }
        if wanted.is_empty() {
            return Err(DeskError::Invalid(
                "pick at least one attribute for a custom request".into(),
            ));
        }
        self.run_under(customer_id, &Wanted::Custom(wanted), None, progress)
            .await
    }

    /// Every attribute the environment can compute, for the custom request's picker: from its
    /// attribute library when it has one, else from the desk's own catalog.
    pub async fn attribute_choices(
        &self,
        environment: &str,
    ) -> Result<Vec<AttributeChoice>, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::Invalid(format!("no environment {environment:?}")))?;
        self.ensure_library(&env).await;
        let library = self.library_of(&env.row.key);
        let mut names: Vec<String> = library.keys().cloned().collect();
        if names.is_empty() {
            names = catalog::known_names().map(str::to_owned).collect();
        }
        let mut choices: Vec<AttributeChoice> = names
            .into_iter()
            .map(|name| {
                let info = catalog::describe_with(&name, library.get(&name));
                AttributeChoice {
                    label: info.label,
                    category: info.category,
                    name,
                }
            })
            .collect();
        choices.sort_by(|a, b| (&a.category, &a.label).cmp(&(&b.category, &b.label)));
        Ok(choices)
    }

    /// One package for many customers, `concurrency` runs in flight at a time (Flinks serves
    /// each login's wait separately, so the wall time is about ⌈n / concurrency⌉ waits). A failed
    /// customer does not stop the others; `cancel` stops all, started or queued.
    pub async fn run_portfolio(
        &self,
        customer_ids: &[String],
        package: Package,
        concurrency: usize,
        cancel: &CancellationToken,
        progress: &(dyn Fn(PortfolioEvent) + Send + Sync),
    ) -> Result<PortfolioResult, DeskError> {
        use futures::StreamExt;
        if customer_ids.is_empty() {
            return Err(DeskError::Invalid("choose at least one customer".into()));
        }
        let started = Instant::now();
        // Futures do nothing until polled, so building them all first starts none of them;
        // (a `.map` closure here makes the future too generic to be `Send` for Tauri).
        let runs: Vec<_> = customer_ids
            .iter()
            .enumerate()
            .map(|(i, id)| self.portfolio_entry(i, id.clone(), package, cancel, progress))
            .collect();
        let mut entries: Vec<(usize, PortfolioEntry)> = futures::stream::iter(runs)
            .buffer_unordered(concurrency.clamp(1, 64))
            .collect()
            .await;
        entries.sort_by_key(|(i, _)| *i);
        let entries: Vec<PortfolioEntry> = entries.into_iter().map(|(_, e)| e).collect();
        let count = |status: RunStatus| {
            entries
                .iter()
                .filter(|e| e.status == status.as_str())
                .count()
        };
        Ok(PortfolioResult {
            package: package.slug(),
            completed: count(RunStatus::Completed),
            failed: count(RunStatus::Failed),
            cancelled: count(RunStatus::Cancelled),
            duration_ms: started.elapsed().as_millis() as u64,
            entries,
        })
    }

    /// One customer of a portfolio: its run, or why there is none. An `async fn` rather than a
    /// closure so the future's lifetimes are nameable and it stays `Send` for Tauri.
    async fn portfolio_entry(
        &self,
        position: usize,
        customer_id: String,
        package: Package,
        cancel: &CancellationToken,
        progress: &(dyn Fn(PortfolioEvent) + Send + Sync),
    ) -> (usize, PortfolioEntry) {
        let label = self
            .customer(&customer_id)
            .map(|c| c.label)
            .unwrap_or_else(|_| customer_id.clone());
        let outcome = if cancel.is_cancelled() {
            Err(DeskError::Flinks(flinks_client::FlinksError::Cancelled))
        } else {
            let forward = |event: RunEvent| {
                progress(PortfolioEvent::Run {
                    customer_id: customer_id.clone(),
                    event,
                })
            };
            self.run_under(
                &customer_id,
                &Wanted::Package(package),
                Some(cancel),
                &forward,
            )
            .await
        };
        let entry = match outcome {
            Ok(run) => PortfolioEntry {
                customer_id,
                label,
                run_id: Some(run.run_id),
                status: RunStatus::Completed.as_str(),
                values: run.rows.len(),
                error: None,
            },
            Err(e) => PortfolioEntry {
                customer_id,
                label,
                run_id: None,
                status: if e.code() == "cancelled" {
                    RunStatus::Cancelled.as_str()
                } else {
                    RunStatus::Failed.as_str()
                },
                values: 0,
                error: Some(e.view()),
            },
        };
        progress(PortfolioEvent::Finished {
            entry: entry.clone(),
        });
        (position, entry)
    }

    /// The completed runs of a portfolio as one wide CSV (one row per customer).
    pub fn export_portfolio_csv(
        &self,
        run_ids: &[i64],
        path: &Path,
        options: CsvOptions,
    ) -> Result<ExportSummary, DeskError> {
        let runs = run_ids
            .iter()
            .map(|id| self.open_run(*id))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = export::write_wide_file(path, &runs, options)?;
        Ok(ExportSummary {
            path: path.display().to_string(),
            rows,
        })
    }

    async fn run_under(
        &self,
        customer_id: &str,
        wanted: &Wanted,
        parent: Option<&CancellationToken>,
        progress: &(dyn Fn(RunEvent) + Send + Sync),
    ) -> Result<RunResult, DeskError> {
        let customer = self.customer(customer_id)?;
        let env = self
            .env(&customer.env_key)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))?;
        let login_id = self.login_of(&customer)?;
        self.ensure_library(&env).await;
        let secret_key = self.token_key(&env)?;
        let slug = match wanted {
            Wanted::Package(p) => p.slug(),
            Wanted::Custom(_) => CUSTOM,
        };
        let run_id = self.store.start_run(customer.db_id, slug)?;
        let cancel = parent.map_or_else(CancellationToken::new, CancellationToken::child_token);
        self.runs
            .lock()
            .expect("runs lock")
            .insert(run_id, cancel.clone());
        progress(RunEvent::Started { run_id });
        let started = Instant::now();
        let flow_progress = |e: flinks_client::FlowEvent| progress(e.into());
        let flow = flinks_client::Flow {
            client: &env.client,
            poll: env.poll,
            retry: flinks_client::RetryPolicy::default(),
            authorize_key: secret_key.as_ref(),
            cancel: &cancel,
            progress: &flow_progress,
        };
        let output = flow
            .run_wanted(&login_id, wanted)
            .await
            .map_err(DeskError::from);
        self.runs.lock().expect("runs lock").remove(&run_id);
        let duration_ms = started.elapsed().as_millis() as i64;
        let output = match output {
            Ok(output) => output,
            Err(e) => {
                let status = if e.code() == "cancelled" {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Failed
                };
                // The error's text is already free of secrets (flinks-client scrubs it).
                if let Err(store_error) =
                    self.store
                        .end_run(run_id, status, duration_ms, &e.code(), &e.to_string())
                {
                    tracing::error!(run_id, error = %store_error, "the run's end could not be saved");
                }
                return Err(e);
            }
        };
        let values: Vec<StoredValue> = output
            .attributes
            .values
            .iter()
            .map(|(name, value)| stored(name, value))
            .collect();
        let details: Vec<StoredDetail> = output
            .attributes
            .details
            .iter()
            .flat_map(|d| {
                d.transactions.iter().map(|t| {
                    let amount =
                        |a: Option<rust_decimal::Decimal>| a.map(|d| d.normalize().to_string());
                    StoredDetail {
                        name: d.attribute.clone(),
                        account_id: t.account_id.clone(),
                        transaction_id: t.transaction.id.clone(),
                        date: t.transaction.date.to_string(),
                        description: t.transaction.description.clone(),
                        debit: amount(t.transaction.debit),
                        credit: amount(t.transaction.credit),
                        balance: amount(t.transaction.balance),
                    }
                })
            })
            .collect();
        let balances: Vec<BalanceSeries> = output
            .balances
            .iter()
            .filter(|a| !a.days.is_empty())
            .map(|a| BalanceSeries {
                account_id: a.account_id.clone(),
                title: a.title.clone(),
                last4: a.number_last4.clone(),
                days: a
                    .days
                    .iter()
                    .map(|&(date, balance)| DayBalance { date, balance })
                    .collect(),
            })
            .collect();
        self.store.complete_run_with_balances(
            run_id,
            &Completion {
                request_id: &output.request_id.0,
                duration_ms,
                accounts: output.accounts as i64,
                transactions: output.transactions as i64,
                values: &values,
                details: &details,
            },
            &balances,
        )?;
        tracing::info!(
            run_id,
            customer = %customer.id,
            package = slug,
            values = values.len(),
            "run finished"
        );
        // What the screen shows is read back from the store: the history shows the same.
        self.open_run(run_id)
    }

    /// Past runs, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<RunRecord>, DeskError> {
        Ok(self.store.history(limit)?)
    }

    /// The request ledger, newest first: every environment's, or one environment's by its key.
    /// An environment the desk does not have is refused, as everywhere else, rather than shown
    /// as an empty log that would look like "no calls".
    pub fn ledger(
        &self,
        limit: usize,
        environment: Option<&str>,
    ) -> Result<Vec<crate::store::LedgerEntry>, DeskError> {
        if let Some(key) = environment {
            self.env(key)
                .ok_or_else(|| DeskError::Invalid(format!("no environment {key:?}")))?;
        }
        Ok(self.store.ledger(limit, environment)?)
    }

    /// A stored run with its values, as the Results view shows it.
    pub fn open_run(&self, run_id: i64) -> Result<RunResult, DeskError> {
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        let package = record.package.parse::<Package>().ok();
        let counts = self.store.detail_counts(run_id)?;
        let library = self.library_of(&record.environment_key);
        let rows = self
            .store
            .values(run_id)?
            .into_iter()
            .map(|v| {
                let behind = counts.get(&v.name).copied().unwrap_or(0);
                let info = catalog::describe_with(&v.name, library.get(&v.name));
                row(v, info, behind)
            })
            .collect::<Vec<AttributeRow>>();
        let summary = package.map_or_else(Vec::new, |p| summary(p, &rows));
        Ok(RunResult {
            run_id,
            customer_label: record.customer_label,
            package: match package {
                Some(p) => p.title(),
                None if record.package == CUSTOM => "Custom",
                None => "Unknown package",
            },
            environment: record.environment,
            request_id: record.request_id.unwrap_or_default(),
            accounts: record.accounts.unwrap_or_default() as usize,
            transactions: record.transactions.unwrap_or_default() as usize,
            duration_ms: record.duration_ms.unwrap_or_default() as u64,
            finished_at: record.finished_at.unwrap_or_default(),
            rows,
            summary,
        })
    }

    /// A completed run's end-of-day balances by account (none for runs kept before they were).
    pub fn balances(&self, run_id: i64) -> Result<Vec<BalanceSeries>, DeskError> {
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        Ok(self.store.balances(run_id)?)
    }

    /// The environment's library as far as it has been read (empty when not yet, or never).
    fn library_of(&self, env_key: &str) -> HashMap<String, LibraryEntry> {
        self.env(env_key)
            .and_then(|env| env.library.read().expect("library lock").clone())
            .unwrap_or_default()
    }

    /// Lines up two completed runs by attribute (another customer, or an earlier run): the
    /// left run's order first, then what only the right one has.
    pub fn compare(&self, left: i64, right: i64) -> Result<Comparison, DeskError> {
        let (left, right) = (self.open_run(left)?, self.open_run(right)?);
        let mut rows: Vec<ComparedRow> = left
            .rows
            .iter()
            .map(|l| {
                let r = right.rows.iter().find(|r| r.name == l.name);
                compared(l, r.map(|r| (r.raw.clone(), r.number)), true)
            })
            .collect();
        rows.extend(
            right
                .rows
                .iter()
                .filter(|r| !left.rows.iter().any(|l| l.name == r.name))
                .map(|r| compared(r, None, false)),
        );
        let charts = crate::charts::comparison_charts(&left, &right).unwrap_or_else(|e| {
            // Unlike a run's charts, these come with the table: a chart that fails to draw
            // must not take the table down with it.
            tracing::warn!(
                error = %e,
                left = left.run_id,
                right = right.run_id,
                "the comparison's charts could not be drawn"
            );
            Vec::new()
        });
        Ok(Comparison {
            left,
            right,
            rows,
            charts,
        })
    }

    /// The transactions behind a value of a run ("explain").
    pub fn explain(&self, run_id: i64, name: &str) -> Result<Explanation, DeskError> {
        let value = self
            .store
            .values(run_id)?
            .into_iter()
            .find(|v| v.name == name)
            .ok_or_else(|| DeskError::UnknownAttribute(name.to_owned()))?;
        let transactions = self.store.details(run_id, name)?;
        let env_key = self.store.run(run_id)?.environment_key;
        let parse = |a: &Option<String>| {
            a.as_deref()
                .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
                .unwrap_or_default()
        };
        let net: rust_decimal::Decimal = transactions
            .iter()
            .map(|t| parse(&t.credit) - parse(&t.debit))
            .sum();
        let gross: rust_decimal::Decimal = transactions
            .iter()
            .map(|t| parse(&t.credit) + parse(&t.debit))
            .sum();
        let info = catalog::describe_with(name, self.library_of(&env_key).get(name));
        Ok(Explanation {
            name: value.name,
            label: info.label,
            unit: info.unit,
            raw: value.raw,
            transactions,
            net: net.normalize().to_string(),
            gross: gross.normalize().to_string(),
        })
    }

    /// The run's charts as SVG: the balance over time first, when the run kept its balances,
    /// then the charts of its attributes. Both come from the store, so a reopened run draws the
    /// same.
    pub fn charts(&self, run_id: i64) -> Result<Vec<crate::charts::Chart>, DeskError> {
        let run = self.open_run(run_id)?;
        let mut charts: Vec<crate::charts::Chart> =
            crate::charts::balance_chart(&self.store.balances(run_id)?)?
                .into_iter()
                .collect();
        charts.extend(crate::charts::charts_for(&run)?);
        Ok(charts)
    }

    /// The file name an export of the run gets by default: the customer's label, never a loginId.
    pub fn export_file_name(&self, run_id: i64) -> Result<String, DeskError> {
        Ok(export::file_name(&self.open_run(run_id)?))
    }

    /// Writes a run as CSV to `path`.
    pub fn export_csv(
        &self,
        run_id: i64,
        path: &Path,
        options: CsvOptions,
    ) -> Result<ExportSummary, DeskError> {
        let run = self.open_run(run_id)?;
        let rows = export::write_file(path, &run, options)?;
        Ok(ExportSummary {
            path: path.display().to_string(),
            rows,
        })
    }
}

const BUILTIN_NAME: &str = "Flinks Capital sandbox";

fn stored(name: &str, value: &AttributeValue) -> StoredValue {
    let (raw, number) = match value {
        AttributeValue::Number(d) => (
            d.normalize().to_string(),
            rust_decimal::prelude::ToPrimitive::to_f64(d),
        ),
        AttributeValue::Text(s) => (s.clone(), None),
        AttributeValue::Bool(b) => (if *b { "YES" } else { "NO" }.to_owned(), None),
        AttributeValue::Null => (String::new(), None),
    };
    StoredValue {
        scope: "login".into(),
        name: name.to_owned(),
        raw,
        number,
    }
}

/// `row` is the side it came from (`from_left`); `other` is the other side's value, if any.
fn compared(
    row: &AttributeRow,
    other: Option<(String, Option<f64>)>,
    from_left: bool,
) -> ComparedRow {
    let this = (Some(row.raw.clone()), row.number);
    let that = other.map_or((None, None), |(raw, n)| (Some(raw), n));
    let ((left, left_number), (right, right_number)) = if from_left {
        (this, that)
    } else {
        (that, this)
    };
    ComparedRow {
        name: row.name.clone(),
        label: row.label.clone(),
        unit: row.unit,
        difference: left_number.zip(right_number).map(|(l, r)| r - l),
        left,
        left_number,
        right,
        right_number,
    }
}

/// The package's headlines that the run has, in the headlines' order, with the row's value.
fn summary(package: Package, rows: &[AttributeRow]) -> Vec<SummaryItem> {
    catalog::headlines(package)
        .into_iter()
        .filter_map(|h| {
            let row = rows.iter().find(|r| r.name == h.name)?;
            Some(SummaryItem {
                name: row.name.clone(),
                label: row.label.clone(),
                raw: row.raw.clone(),
                number: row.number,
                unit: row.unit,
                why: h.why.to_owned(),
            })
        })
        .collect()
}

fn row(value: StoredValue, info: catalog::AttributeInfo, transactions: u32) -> AttributeRow {
    AttributeRow {
        transactions,
        scope: value.scope,
        name: value.name,
        label: info.label,
        category: info.category,
        unit: info.unit,
        definition: info.definition,
        raw: value.raw,
        number: value.number,
        known: info.known,
    }
}
