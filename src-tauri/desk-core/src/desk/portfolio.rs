//! Portfolio runs: one package for many customers, a few in flight at a time, each failure
//! its own, and one cancel for all that the desk holds (so every front end cancels the same way).

use std::path::Path;
use std::time::Instant;

use flinks_client::{Package, Wanted};
use tokio_util::sync::CancellationToken;

use super::production::PortfolioCost;
use super::Desk;
use crate::export::{self, CsvOptions};
use crate::flow::RunEvent;
use crate::store::RunStatus;
use crate::view::{ExportSummary, PortfolioEntry, PortfolioEvent, PortfolioResult};
use crate::DeskError;

impl Desk {
    /// One package for many customers, `concurrency` runs in flight at a time (Flinks serves
    /// each login's wait separately, so the wall time is about ⌈n / concurrency⌉ waits). A failed
    /// customer does not stop the others; [`Desk::cancel_portfolio`] stops all, started or
    /// queued. One portfolio at a time: a second is refused while one runs. Customers on a
    /// production environment need `confirmed` to be exactly [`Desk::portfolio_cost`].
    pub async fn run_portfolio(
        &self,
        customer_ids: &[String],
        package: Package,
        concurrency: usize,
        confirmed: Option<PortfolioCost>,
        progress: &(dyn Fn(PortfolioEvent) + Send + Sync),
    ) -> Result<PortfolioResult, DeskError> {
        if customer_ids.is_empty() {
            return Err(DeskError::Invalid("choose at least one customer".into()));
        }
        self.require_portfolio_confirmed(customer_ids, package, confirmed)?;
        let cancel = CancellationToken::new();
        {
            let mut running = self.portfolio.lock().expect("portfolio lock");
            if running.as_ref().is_some_and(|c| !c.is_cancelled()) {
                return Err(DeskError::PortfolioRunning);
            }
            *running = Some(cancel.clone());
        }
        let result = self
            .portfolio_runs(customer_ids, package, concurrency, &cancel, progress)
            .await;
        self.portfolio.lock().expect("portfolio lock").take();
        Ok(result)
    }

    /// Stops the portfolio run in progress, started and queued runs alike; false when none runs.
    pub fn cancel_portfolio(&self) -> bool {
        match self.portfolio.lock().expect("portfolio lock").as_ref() {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }

    pub(super) async fn portfolio_runs(
        &self,
        customer_ids: &[String],
        package: Package,
        concurrency: usize,
        cancel: &CancellationToken,
        progress: &(dyn Fn(PortfolioEvent) + Send + Sync),
    ) -> PortfolioResult {
        use futures::StreamExt;
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
        let count = |status: RunStatus| entries.iter().filter(|e| e.status == status).count();
        PortfolioResult {
            package: package.slug(),
            completed: count(RunStatus::Completed),
            failed: count(RunStatus::Failed),
            cancelled: count(RunStatus::Cancelled),
            duration_ms: started.elapsed().as_millis() as u64,
            entries,
        }
    }

    /// One customer of a portfolio: its run, or why there is none. An `async fn` rather than a
    /// closure so the future's lifetimes are nameable and it stays `Send` for Tauri.
    pub(super) async fn portfolio_entry(
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
            Err(DeskError::Cancelled)
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
                status: RunStatus::Completed,
                values: run.rows.len(),
                error: None,
            },
            Err(e) => PortfolioEntry {
                customer_id,
                label,
                run_id: None,
                status: if e.is_cancelled() {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Failed
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

    /// The completed runs of a portfolio as one wide CSV (one row per customer), each with its
    /// final decision (empty when it was not decided).
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
        let decisions = run_ids
            .iter()
            .map(|id| {
                Ok(self
                    .store
                    .decisions(*id)?
                    .pop()
                    .map(|d| super::results::decision_cells(&d).decision))
            })
            .collect::<Result<Vec<_>, DeskError>>()?;
        let rows = export::write_wide_file(path, &runs, &decisions, options)?;
        Ok(ExportSummary {
            path: path.display().to_string(),
            rows,
        })
    }
}
