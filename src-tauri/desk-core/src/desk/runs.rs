//! Runs: one package (or the custom `/Attributes` call) for one customer through the shared
//! flow, its progress, its cancel, and its result stored before it is shown.

use std::time::Instant;

use flinks_client::{Package, Wanted};
use tokio_util::sync::CancellationToken;

use super::record::RunRows;
use super::{Desk, CUSTOM};
use crate::catalog;
use crate::flow::RunEvent;
use crate::store::{Completion, RunStatus};
use crate::view::{AttributeChoice, PackageView, RunResult};
use crate::DeskError;

/// A package by the slug the UI and the command lines name it with (`credit-risk`, …).
pub fn package_named(slug: &str) -> Result<Package, DeskError> {
    slug.parse()
        .map_err(|_: String| DeskError::UnknownPackage(slug.to_owned()))
}

impl Desk {
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
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
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

    pub(super) async fn run_under(
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
        // A portfolio's runs (those with a parent cancel) were confirmed as a whole, with their
        // count; a run on its own needs the session's yes for a production environment.
        if parent.is_none() {
            let what = match wanted {
                Wanted::Package(p) => format!("A {} run", p.title()),
                Wanted::Custom(_) => "A custom attributes run".to_owned(),
            };
            self.require_confirmed(&env, &what)?;
        }
        let env = self.with_keys(env)?;
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
                let status = if e.is_cancelled() {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Failed
                };
                // The error's text is already free of secrets (flinks-client scrubs it).
                if let Err(store_error) = self.store.end_run(
                    run_id,
                    status,
                    duration_ms,
                    &e.code().to_string(),
                    &e.to_string(),
                ) {
                    tracing::error!(run_id, error = %store_error, "the run's end could not be saved");
                }
                self.audit_run(run_id, status.as_str(), slug);
                return Err(e);
            }
        };
        let rows = RunRows::from(&output);
        self.store.complete_run_gathered(
            run_id,
            &Completion {
                request_id: &output.request_id.0,
                duration_ms,
                accounts: output.accounts as i64,
                transactions: output.transactions as i64,
                values: &rows.values,
                details: &[],
            },
            &rows.details,
            &rows.balances,
        )?;
        self.audit_run(run_id, "completed", slug);
        tracing::info!(
            run_id,
            customer = %customer.id,
            package = slug,
            values = rows.values.len(),
            "run finished"
        );
        // What the screen shows is read back from the store: the history shows the same.
        self.open_run(run_id)
    }
}

impl Desk {
    fn audit_run(&self, run_id: i64, status: &str, package: &str) {
        match self.store.run_uid(run_id) {
            Ok(uid) => self.audit(&format!("run.{status}"), &format!("run {uid} ({package})")),
            Err(e) => tracing::error!(run_id, error = %e, "the run's audit line has no run"),
        }
    }
}
