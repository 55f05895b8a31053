//! portfolio: 200 distinct customers, one package, 32 at a time, through the desk's portfolio
//! run, against a sandbox that answers OPERATION_PENDING for 1.5 s after each Authorize while
//! the desk polls every 1 s. The sandbox is a private environment of the desk over loopback
//! HTTP (as an instance of one's own is), serving its cast and 200 applicants made from the
//! cast's scripts under usernames of their own (`SandboxConfig::applicants`): 200 loginIds,
//! each with its own data, Authorize, session, 202s and attributes.
//!
//! The pending time is off the poll grid on purpose. A run asks GetAccountsDetail at once
//! (202), then GetAccountsDetailAsync 1 s after that reply (202: 1 s < 1.5 s), then 1 s after
//! that (200): no client polling every second can see the data before 2 s. So the ideal is
//! ⌈200/32⌉ × 2 s, the poll grid's, and `portfolio_wall_over_ideal` (goal ≤ 1.3) is the wall
//! time over it: the fair figure, because it charges the desk for everything it adds (each
//! call's time, which also pushes every later poll back, the queueing, the store) and not for
//! the half second between the data being ready and the next poll, which is the environment's
//! poll interval (a setting; Flinks asks for 10 s) and the same for any client.
//! `portfolio_wall_over_pending_ideal` is the wall time over ⌈200/32⌉ × 1.5 s, the pending time
//! alone, with no goal: what the poll grid costs on top.
//!
//! The same portfolio with no pending at all is timed too, with the CPU time it takes: it is
//! the work the desk and the sandbox do besides waiting, which the ideals leave out.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use desk_core::{EnvironmentSettings, LoginId, NewEnvironment, Package};
use flinks_sandbox::{Sandbox, SandboxConfig};

use crate::proc;
use crate::report::{Figure, Goal};
use crate::temp_desk::TempDesk;

const CUSTOMERS: usize = 200;
const CONCURRENCY: usize = 32;
const PENDING: Duration = Duration::from_millis(1_500);
/// The environment's poll interval, in whole seconds as the desk's settings take it.
const POLL_SECS: u64 = 1;

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    let no_wait = rt.block_on(portfolio(Duration::ZERO))?;
    // Desk and sandbox share this process: its CPU time is what one run costs the machine.
    let cpu_per_run = no_wait.cpu.map(|s| s / CUSTOMERS as f64 * 1e3);
    let wall = rt.block_on(portfolio(PENDING))?.wall;
    let (work, detail_rows) = (no_wait.wall, no_wait.detail_rows);
    let waves = CUSTOMERS.div_ceil(CONCURRENCY) as f64;
    let poll = Duration::from_secs(POLL_SECS);
    // The first poll at or after the pending time: GetAccountsDetail at 0, then every `poll`.
    let first_data = poll.as_secs_f64() * (PENDING.as_secs_f64() / poll.as_secs_f64()).ceil();
    let ideal = waves * first_data;
    let pending_ideal = waves * PENDING.as_secs_f64();
    let mut figures = vec![
        Figure::new("portfolio_wall_over_ideal", wall / ideal, "ratio").goal(Goal::AtMost(1.3)),
        Figure::new(
            "portfolio_wall_over_pending_ideal",
            wall / pending_ideal,
            "ratio",
        ),
        Figure::new("portfolio_wall", wall, "s"),
        Figure::new("portfolio_ideal", ideal, "s"),
        Figure::new("portfolio_pending_ideal", pending_ideal, "s"),
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

struct Measured {
    /// Seconds from the portfolio run's start to its end.
    wall: f64,
    /// CPU seconds of this process (desk and sandbox) over the same span, when the system
    /// says; starting the sandbox and the desk and adding the customers are not in it.
    cpu: Option<f64>,
    /// Transactions behind values the runs stored.
    detail_rows: u64,
}

/// The portfolio run of a fresh desk over a fresh sandbox of 200 applicants that is pending
/// for `pending`.
async fn portfolio(pending: Duration) -> Result<Measured> {
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: pending,
        applicants: CUSTOMERS.into(),
        ..SandboxConfig::default()
    })
    .await?;
    // The desk's own built-in sandbox is not used.
    let temp = TempDesk::start(Duration::from_secs(POLL_SECS)).await?;
    let desk = &temp.desk;
    let env = desk.add_environment(NewEnvironment {
        name: "Applicants".into(),
        api_base_url: sandbox.base_url(),
        customer_id: sandbox.customer_id().to_owned(),
        production: false,
        secret_key: None,
        api_key: None,
        authorize_tokens: false,
        settings: EnvironmentSettings {
            poll_interval_secs: Some(POLL_SECS),
            ..Default::default()
        },
    })?;
    // The applicants, not the cast: 200 usernames and loginIds no other run shares.
    let applicants = &sandbox.personas()[sandbox.personas().len() - CUSTOMERS..];
    let mut ids = Vec::with_capacity(CUSTOMERS);
    for persona in applicants {
        let customer = desk.add_customer(
            &env.key,
            &persona.username,
            LoginId::new(persona.login_id.to_string()),
        )?;
        ids.push(customer.id);
    }
    let cpu_before = proc::cpu_seconds();
    let started = Instant::now();
    let result = desk
        .run_portfolio(&ids, Package::CreditRisk, CONCURRENCY, None, &|_| {})
        .await?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_before
        .zip(proc::cpu_seconds())
        .map(|(before, after)| after - before);
    if result.completed != CUSTOMERS {
        let why = result
            .entries
            .iter()
            .find_map(|e| e.error.as_ref())
            .map(|e| format!("{}: {}", e.code, e.message))
            .unwrap_or_default();
        bail!("{} of {CUSTOMERS} runs completed ({why})", result.completed);
    }
    let store = temp.store()?;
    let mut detail_rows = 0;
    for run_id in result.entries.iter().filter_map(|e| e.run_id) {
        detail_rows += store
            .detail_counts(run_id)?
            .values()
            .map(|&n| u64::from(n))
            .sum::<u64>();
    }
    sandbox.stop().await;
    Ok(Measured {
        wall,
        cpu,
        detail_rows,
    })
}
