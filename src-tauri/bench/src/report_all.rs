//! report_all: the credit file (PDF and Excel workbook) of an All run of the big customer
//! (50,000 transactions), beside the CSV export of the same run.
//!
//! The run is stored as big_customer stores it (the sandbox's engine over the customer, written
//! through the store's `complete_run`), then decided with the shipped personal-loan policy and
//! a loan, so the report carries a decision, its reasons and the transactions behind them.
//!
//! Measured, alternately, several rounds each (medians), all from the store, as the app does:
//! - CSV: `Desk::export_csv` to a file;
//! - report: `Desk::credit_file` (reading the run, its charts, decision and every transaction
//!   behind its values), then `desk_report::write_pdf` and `write_workbook` to files.
//!
//! Both sides read the run from the store and write files; the report does more (it lays out
//! pages and writes every transaction behind the values, which the CSV does not carry), and
//! its parts are reported so the difference is visible.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use desk_core::store::{Completion, EnvironmentKind};
use desk_core::{CsvOptions, LoanRequest};
use flinks_sandbox::catalog::Package;
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::personas;
use rust_decimal::Decimal;

use crate::big_customer::{stored, AS_OF, TRANSACTIONS};
use crate::proc;
use crate::report::{median, Figure, Goal};
use crate::temp_desk::TempDesk;

const ROUNDS: usize = 3;
const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

pub fn run() -> Result<Vec<Figure>> {
    let rt = tokio::runtime::Runtime::new()?;
    let temp = rt.block_on(TempDesk::start(Duration::from_millis(100)))?;
    let desk = &temp.desk;
    let store = temp.store()?;
    let builtin = store
        .environments()?
        .into_iter()
        .find(|e| e.kind == EnvironmentKind::Builtin)
        .context("no built-in environment")?;
    let customer = store
        .customers()?
        .into_iter()
        .find(|c| c.environment_id == builtin.id)
        .context("no built-in customer")?;
    let persona = personas::bulk(personas::DEFAULT_SEED, AS_OF, TRANSACTIONS);
    let attributes = engine::package(Package::All, &persona, AS_OF, &Scope::default());
    let (values, details) = stored(&persona, &attributes);
    let run_id = store.start_run(customer.id, "all")?;
    store.complete_run(
        run_id,
        &Completion {
            request_id: &uuid::Uuid::new_v4().to_string(),
            duration_ms: 0,
            accounts: persona.accounts.len() as i64,
            transactions: TRANSACTIONS as i64,
            values: &values,
            details: &details,
        },
    )?;
    let loan = LoanRequest::personal(Decimal::from(20_000), Decimal::new(799, 2), 5);
    let decided = desk.decide(run_id, "Personal loan", PERSONAL_LOAN, Some(&loan))?;
    eprintln!(
        "report_all: {} values, {} transactions behind them; decided {} with {} reasons",
        values.len(),
        details.len(),
        decided.summary.decision,
        decided.reasons.len()
    );

    let out = tempfile::tempdir()?;
    let mut parts: [Part; 4] = Default::default();
    let [csv, gather, pdf, xlsx] = &mut parts;
    let (mut pdf_bytes, mut xlsx_bytes) = (0, 0);
    for round in 0..=ROUNDS {
        // Round 0 warms the caches and is left out.
        let keep = round > 0;
        csv.time(keep, || {
            desk.export_csv(run_id, &out.path().join("run.csv"), CsvOptions::default())
        })?;
        let file = gather.time(keep, || desk.credit_file(run_id))?;
        pdf_bytes = pdf
            .time(keep, || {
                desk_report::write_pdf(&file, &out.path().join("run.pdf"))
            })?
            .bytes;
        xlsx_bytes = xlsx
            .time(keep, || {
                desk_report::write_workbook(&file, &out.path().join("run.xlsx"))
            })?
            .bytes;
    }
    let [csv, gather, pdf, xlsx] = parts.map(|mut p| (median(&mut p.wall), median(&mut p.cpu)));
    let total = gather.0 + pdf.0 + xlsx.0;
    let total_cpu = gather.1 + pdf.1 + xlsx.1;
    eprintln!(
        "report_all: gather {:.0} ms, PDF {:.0} ms ({} kB), workbook {:.0} ms ({} kB); CSV {:.0} ms",
        gather.0 * 1e3,
        pdf.0 * 1e3,
        pdf_bytes / 1024,
        xlsx.0 * 1e3,
        xlsx_bytes / 1024,
        csv.0 * 1e3
    );
    eprintln!(
        "report_all: CPU time (10 ms ticks): gather {:.0} ms, PDF {:.0} ms, workbook {:.0} ms, \
         together {:.0} ms; CSV {:.0} ms",
        gather.1 * 1e3,
        pdf.1 * 1e3,
        xlsx.1 * 1e3,
        total_cpu * 1e3,
        csv.1 * 1e3
    );
    Ok(vec![
        Figure::new("report_all_total", total, "s").goal(Goal::AtMost(2.0)),
        Figure::new("report_all_gather", gather.0 * 1e3, "ms"),
        Figure::new("report_all_pdf", pdf.0 * 1e3, "ms"),
        Figure::new("report_all_workbook", xlsx.0 * 1e3, "ms"),
        Figure::new("report_all_csv_export", csv.0 * 1e3, "ms"),
        Figure::new("report_all_over_csv", total / csv.0, "ratio"),
        Figure::new("report_all_cpu", total_cpu, "s"),
        Figure::new("report_all_pdf_size", pdf_bytes as f64 / 1024.0, "kB"),
        Figure::new("report_all_workbook_size", xlsx_bytes as f64 / 1024.0, "kB"),
    ])
}

/// One part's wall and CPU times over the kept rounds. The CPU time is the process's, so a
/// busy machine (others compiling on the same cores) shows in the wall time but not in it.
#[derive(Default)]
struct Part {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Part {
    fn time<T, E>(&mut self, keep: bool, work: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let cpu = proc::cpu_seconds();
        let started = Instant::now();
        let done = work()?;
        if keep {
            self.wall.push(started.elapsed().as_secs_f64());
            if let Some(used) = cpu.zip(proc::cpu_seconds()).map(|(a, b)| b - a) {
                self.cpu.push(used);
            }
        }
        Ok(done)
    }
}
