//! The one surface the app, the CLI and the tests call: a desk bound to an environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flinks_client::{
    AttributeValue, CallRecord, Environment, FlinksClient, LibraryEntry, LoginId, Package,
    PollPolicy,
};
use flinks_sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::catalog::{self, Unit};
use crate::export::{self, CsvOptions};
use crate::flow::{Flow, RetryPolicy, RunEvent};
use crate::store::{Completion, RunRecord, RunStatus, Store, StoredDetail, StoredValue};
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
}

/// Where an export went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub path: String,
    pub rows: usize,
}

struct Customer {
    db_id: i64,
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
    store: Arc<Store>,
    runs: Mutex<HashMap<i64, CancellationToken>>,
    /// The environment's attribute library by name: units, categories, definitions.
    library: HashMap<String, LibraryEntry>,
}

impl Desk {
    /// Starts the built-in Flinks Capital sandbox on loopback and a desk talking to it over HTTP,
    /// through the same client as for Flinks itself, keeping its history in `store`.
    pub async fn start_builtin(options: BuiltinOptions, store: Store) -> Result<Desk, DeskError> {
        let config = SandboxConfig {
            pending_for: options.pending_for,
            ..SandboxConfig::default()
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], options.port.unwrap_or(0)));
        let sandbox = Sandbox::start(config, addr)
            .await
            .map_err(DeskError::SandboxStart)?;
        let store = Arc::new(store);
        let env_id = store.upsert_environment(
            "builtin",
            BUILTIN_NAME,
            "builtin",
            &sandbox.base_url(),
            sandbox.customer_id(),
            false,
        )?;
        let ledger = store.clone();
        let observer = move |call: &CallRecord| {
            let recorded = ledger.record_request(
                env_id,
                call.endpoint,
                call.status,
                call.flinks_code.as_deref(),
                call.duration.as_millis() as i64,
                // Nothing the sandbox answers is billed.
                false,
            );
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "a request could not be written to the ledger");
            }
        };
        let env = Environment::new(&sandbox.base_url(), sandbox.customer_id())?;
        let client = FlinksClient::new(env)?.with_observer(Arc::new(observer));
        // Without the library the app still works: its own catalog and the naming grammar
        // describe the attributes.
        let library = match client.attribute_library().await {
            Ok(entries) => entries.into_iter().map(|e| (e.name.clone(), e)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "no attribute library; using the built-in catalog");
                HashMap::new()
            }
        };
        let customers = sandbox
            .personas()
            .iter()
            .map(|p| {
                let login_id = LoginId::new(p.login_id.to_string());
                let db_id = store.upsert_customer(
                    env_id,
                    &p.username,
                    &p.holder_name,
                    flinks_sandbox::INSTITUTION,
                    login_id.last4(),
                )?;
                Ok(Customer {
                    db_id,
                    id: p.username.clone(),
                    label: p.holder_name.clone(),
                    story: p.story.clone(),
                    login_id,
                })
            })
            .collect::<Result<_, DeskError>>()?;
        Ok(Desk {
            sandbox,
            client,
            customers,
            poll: PollPolicy {
                interval: options.poll_interval,
                ..PollPolicy::default()
            },
            store,
            runs: Mutex::new(HashMap::new()),
            library,
        })
    }

    pub fn environment(&self) -> EnvironmentView {
        EnvironmentView {
            name: BUILTIN_NAME.into(),
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
                available: true,
            })
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
        let customer = self
            .customers
            .iter()
            .find(|c| c.id == customer_id)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))?;
        let run_id = self.store.start_run(customer.db_id, package.slug())?;
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
        self.store.complete_run(
            run_id,
            &Completion {
                request_id: &output.request_id.0,
                duration_ms,
                accounts: output.accounts as i64,
                transactions: output.transactions as i64,
                values: &values,
                details: &details,
            },
        )?;
        tracing::info!(
            run_id,
            customer = %customer.id,
            package = package.slug(),
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

    /// The request ledger, newest first.
    pub fn ledger(&self, limit: usize) -> Result<Vec<crate::store::LedgerEntry>, DeskError> {
        Ok(self.store.ledger(limit)?)
    }

    /// A stored run with its values, as the Results view shows it.
    pub fn open_run(&self, run_id: i64) -> Result<RunResult, DeskError> {
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        let package = record
            .package
            .parse::<Package>()
            .map_or("Unknown package", Package::title);
        let counts = self.store.detail_counts(run_id)?;
        let rows = self
            .store
            .values(run_id)?
            .into_iter()
            .map(|v| {
                let behind = counts.get(&v.name).copied().unwrap_or(0);
                let info = self.describe(&v.name);
                row(v, info, behind)
            })
            .collect();
        Ok(RunResult {
            run_id,
            customer_label: record.customer_label,
            package,
            environment: record.environment,
            request_id: record.request_id.unwrap_or_default(),
            accounts: record.accounts.unwrap_or_default() as usize,
            transactions: record.transactions.unwrap_or_default() as usize,
            duration_ms: record.duration_ms.unwrap_or_default() as u64,
            finished_at: record.finished_at.unwrap_or_default(),
            rows,
        })
    }

    fn describe(&self, name: &str) -> catalog::AttributeInfo {
        catalog::describe_with(name, self.library.get(name))
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
        let info = self.describe(name);
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

    /// The run's charts as SVG.
    pub fn charts(&self, run_id: i64) -> Result<Vec<crate::charts::Chart>, DeskError> {
        Ok(crate::charts::charts_for(&self.open_run(run_id)?)?)
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
