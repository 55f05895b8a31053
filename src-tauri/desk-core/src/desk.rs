//! The one surface the app, the CLI and the tests call: a desk bound to an environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use flinks_client::{AttributeValue, Environment, FlinksClient, LoginId, Package, PollPolicy};
use flinks_sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::catalog::{self, Unit};
use crate::flow::{Flow, RetryPolicy, RunEvent};
use crate::DeskError;

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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView {
    pub name: String,
    pub kind: &'static str,
    pub api_base_url: String,
    pub offline: bool,
}

/// A customer as the UI may see it: never the whole loginId.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: String,
    pub label: String,
    pub story: String,
    pub institution: String,
    pub login_last4: String,
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
    pub name: String,
    pub label: String,
    pub category: &'static str,
    pub unit: Unit,
    pub definition: String,
    /// The value as Flinks sent it, exactly (decimal text for numbers).
    pub raw: String,
    /// The value as a number when it is one, for formatting and sorting.
    pub number: Option<f64>,
    pub known: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub run_id: u64,
    pub customer_label: String,
    pub package: &'static str,
    pub environment: String,
    pub request_id: String,
    pub accounts: usize,
    pub transactions: usize,
    pub duration_ms: u64,
    pub finished_at: String,
    pub rows: Vec<AttributeRow>,
}

struct Customer {
    id: String,
    label: String,
    story: String,
    login_id: LoginId,
}

pub struct Desk {
    // Held so the server lives as long as the desk.
    sandbox: Sandbox,
    client: FlinksClient,
    customers: Vec<Customer>,
    poll: PollPolicy,
    runs: Mutex<HashMap<u64, CancellationToken>>,
    next_run: AtomicU64,
}

impl Desk {
    /// Starts the built-in Flinks Capital sandbox on loopback and a desk talking to it over HTTP,
    /// through the same client as for Flinks itself.
    pub async fn start_builtin(options: BuiltinOptions) -> Result<Desk, DeskError> {
        let config = SandboxConfig {
            pending_for: options.pending_for,
            ..SandboxConfig::default()
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], options.port.unwrap_or(0)));
        let sandbox = Sandbox::start(config, addr)
            .await
            .map_err(DeskError::SandboxStart)?;
        let env = Environment::new(&sandbox.base_url(), sandbox.customer_id())?;
        let client = FlinksClient::new(env)?;
        let customers = sandbox
            .personas()
            .iter()
            .map(|p| Customer {
                id: p.username.clone(),
                label: p.holder_name.clone(),
                story: p.story.clone(),
                login_id: LoginId::new(p.login_id.to_string()),
            })
            .collect();
        Ok(Desk {
            sandbox,
            client,
            customers,
            poll: PollPolicy {
                interval: options.poll_interval,
                ..PollPolicy::default()
            },
            runs: Mutex::new(HashMap::new()),
            next_run: AtomicU64::new(1),
        })
    }

    pub fn environment(&self) -> EnvironmentView {
        EnvironmentView {
            name: "Flinks Capital sandbox".into(),
            kind: "builtin",
            api_base_url: self.sandbox.base_url(),
            offline: true,
        }
    }

    pub fn customers(&self) -> Vec<CustomerView> {
        self.customers
            .iter()
            .map(|c| CustomerView {
                id: c.id.clone(),
                label: c.label.clone(),
                story: c.story.clone(),
                institution: flinks_sandbox::INSTITUTION.into(),
                login_last4: c.login_id.last4().into(),
            })
            .collect()
    }

    pub fn packages(&self) -> Vec<PackageView> {
        Package::ALL
            .iter()
            .map(|p| PackageView {
                slug: p.slug(),
                title: p.title(),
                available: *p == Package::CreditRisk,
            })
            .collect()
    }

    /// Cancels a run in progress; false when it already ended.
    pub fn cancel(&self, run_id: u64) -> bool {
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
        let customer = self
            .customers
            .iter()
            .find(|c| c.id == customer_id)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))?;
        if package != Package::CreditRisk {
            return Err(DeskError::PackageUnavailable(package.title()));
        }
        let run_id = self.next_run.fetch_add(1, Ordering::Relaxed);
        let cancel = CancellationToken::new();
        self.runs
            .lock()
            .expect("runs lock")
            .insert(run_id, cancel.clone());
        progress(RunEvent::Started { run_id });
        let started = Instant::now();
        let flow = Flow {
            client: &self.client,
            poll: self.poll,
            retry: RetryPolicy::default(),
            cancel: &cancel,
            progress,
        };
        let output = flow.run(&customer.login_id, package).await;
        self.runs.lock().expect("runs lock").remove(&run_id);
        let output = output?;
        tracing::info!(
            run_id,
            customer = %customer.id,
            package = package.slug(),
            values = output.attributes.values.len(),
            "run finished"
        );
        Ok(RunResult {
            run_id,
            customer_label: customer.label.clone(),
            package: package.title(),
            environment: self.environment().name,
            request_id: output.request_id.0,
            accounts: output.accounts,
            transactions: output.transactions,
            duration_ms: started.elapsed().as_millis() as u64,
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            rows: output
                .attributes
                .values
                .iter()
                .map(|(name, value)| row(name, value))
                .collect(),
        })
    }
}

fn row(name: &str, value: &AttributeValue) -> AttributeRow {
    let info = catalog::describe(name);
    let (raw, number) = match value {
        AttributeValue::Number(d) => (
            d.normalize().to_string(),
            rust_decimal::prelude::ToPrimitive::to_f64(d),
        ),
        AttributeValue::Text(s) => (s.clone(), None),
        AttributeValue::Bool(b) => (if *b { "YES" } else { "NO" }.to_owned(), None),
        AttributeValue::Null => (String::new(), None),
    };
    AttributeRow {
        name: name.to_owned(),
        label: info.label,
        category: info.category,
        unit: info.unit,
        definition: info.definition,
        raw,
        number,
        known: info.known,
    }
}
