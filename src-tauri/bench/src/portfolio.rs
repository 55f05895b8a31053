//! portfolio: 200 customers, one package, against a sandbox that answers OPERATION_PENDING for
//! 1 s, 32 at a time, through the desk's portfolio run: the wall time over the ideal,
//! ⌈200/32⌉ × 1 s. The same portfolio with no pending at all is timed too, with the CPU time
//! it takes: it is the work the desk and the sandbox do besides waiting, which the ideal leaves
//! out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use desk_core::{BuiltinOptions, Desk, MemoryStore, Package, Store};

use crate::proc;
use crate::report::{Figure, Goal};

const CUSTOMERS: usize = 200;
const CONCURRENCY: usize = 32;
const PENDING: Duration = Duration::from_secs(1);

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    let cpu_before = proc::cpu_seconds();
    let (work, detail_rows) = rt.block_on(portfolio(Duration::ZERO))?;
    // Desk and sandbox share this process: its CPU time is what one run costs the machine.
    let cpu_per_run = cpu_before
        .zip(proc::cpu_seconds())
        .map(|(before, after)| (after - before) / CUSTOMERS as f64 * 1e3);
    let (wall, _) = rt.block_on(portfolio(PENDING))?;
    let ideal = CUSTOMERS.div_ceil(CONCURRENCY) as f64 * PENDING.as_secs_f64();
    let mut figures = vec![
        Figure::new("portfolio_wall_over_ideal", wall / ideal, "ratio").goal(Goal::AtMost(1.3)),
        Figure::new("portfolio_wall", wall, "s"),
        Figure::new("portfolio_ideal", ideal, "s"),
        Figure::new("portfolio_wall_pending_0", work, "s"),
    ];
    figures.extend(cpu_per_run.map(|ms| Figure::new("portfolio_cpu_per_run", ms, "ms")));
    // Each run writes the transactions behind its values: most of what a run stores.
    figures.push(Figure::new(
        "portfolio_detail_rows_per_run",
        detail_rows as f64 / CUSTOMERS as f64,
        "rows",
    ));
    Ok(figures)
}

/// Seconds for the portfolio run of a fresh desk whose sandbox is pending for `pending`, and
/// how many transactions behind values its runs stored.
async fn portfolio(pending: Duration) -> Result<(f64, u64)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("flinks-desk.sqlite3");
    let desk = Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: pending,
            // The app's own polling of its built-in sandbox (FLINKS_DESK_POLL_MS's default):
            // the first poll after the pending second finds the data.
            poll_interval: Duration::from_secs(1),
        },
        Store::open(&db)?,
        Arc::new(MemoryStore::default()),
    )
    .await?;
    // The built-in sandbox serves its cast of eight; the 200 runs go round it, each with its own
    // Authorize, session, 202 and attributes, as 200 distinct loginIds would.
    let cast: Vec<String> = desk
        .customers()
        .into_iter()
        .filter(|c| c.environment == "builtin")
        .map(|c| c.id)
        .collect();
    if cast.is_empty() {
        bail!("the built-in sandbox has no customers");
    }
    let ids: Vec<String> = (0..CUSTOMERS)
        .map(|i| cast[i % cast.len()].clone())
        .collect();
    let started = Instant::now();
    let result = desk
        .run_portfolio(&ids, Package::CreditRisk, CONCURRENCY, None, &|_| {})
        .await?;
    let wall = started.elapsed().as_secs_f64();
    if result.completed != CUSTOMERS {
        let why = result
            .entries
            .iter()
            .find_map(|e| e.error.as_ref())
            .map(|e| format!("{}: {}", e.code, e.message))
            .unwrap_or_default();
        bail!("{} of {CUSTOMERS} runs completed ({why})", result.completed);
    }
    let store = Store::open(&db)?;
    let mut detail_rows = 0;
    for run_id in result.entries.iter().filter_map(|e| e.run_id) {
        detail_rows += store
            .detail_counts(run_id)?
            .values()
            .map(|&n| u64::from(n))
            .sum::<u64>();
    }
    Ok((wall, detail_rows))
}
