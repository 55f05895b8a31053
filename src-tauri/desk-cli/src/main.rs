//! `desk`: Flinks Desk without a window. The same `Desk` surface the app calls, on the same data
//! folder (or another one), with the built-in sandbox as the default environment: what an
//! underwriter does in the window, a script can do here.

mod history;
mod team;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use desk_core::{
    package_named, BuiltinOptions, DecisionView, Desk, DeskError, KeyringStore, LoanRequest, Store,
};
use rust_decimal::Decimal;
use serde_json::json;

/// The app's identifier (tauri.conf.json): its data folder is named after it.
const APP_IDENTIFIER: &str = "app.flinksdesk.desk";

#[derive(Parser)]
#[command(name = "desk", version, about = "Flinks Desk from a terminal")]
struct Cli {
    /// The desk's data folder: FLINKS_DESK_DATA_DIR, else the app's own.
    #[arg(long, env = "FLINKS_DESK_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a package for a customer through Flinks (the built-in sandbox by default), decides
    /// it with a policy, and prints the decision with its reasons.
    Decide {
        /// The customer's name as the desk shows it, or a sandbox username (`borrower_nsf`).
        #[arg(long)]
        customer: String,
        /// credit-risk, lending, income, user-analysis, business-analysis or all.
        #[arg(long)]
        package: String,
        /// A GoRules JDM file.
        #[arg(long)]
        policy: PathBuf,
        /// The name the policy's versions are kept under (default: the file's name).
        #[arg(long)]
        policy_name: Option<String>,
        /// The requested loan, for the affordability figures (GDS, TDS).
        #[arg(long, requires_all = ["rate", "amortization_years"])]
        loan_amount: Option<Decimal>,
        /// Its contract rate, in percent (5.49).
        #[arg(long)]
        rate: Option<Decimal>,
        #[arg(long)]
        amortization_years: Option<u32>,
        /// Calls to a production environment are billed: say yes to them for this command.
        #[arg(long)]
        yes_production: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Fetches a customer's PDF statements for a completed run (through the same flow) and saves
    /// them in a folder, attached to the run.
    Statements {
        #[arg(long)]
        run: i64,
        #[arg(long)]
        out: PathBuf,
        /// 3 or 12 months (default: the most recent statement of each account).
        #[arg(long)]
        months: Option<u32>,
    },
    /// Writes the credit file of a run — a PDF report, an Excel workbook, or both — with its
    /// decision: a new run of a customer (decided with --policy when given), or a stored run.
    #[command(group = clap::ArgGroup::new("out").required(true).multiple(true).args(["pdf", "xlsx"]))]
    Report {
        /// The customer to run, as the desk shows them or by sandbox username.
        #[arg(
            long,
            required_unless_present = "run",
            conflicts_with = "run",
            requires = "package"
        )]
        customer: Option<String>,
        /// credit-risk, lending, income, user-analysis, business-analysis or all.
        #[arg(long)]
        package: Option<String>,
        /// A stored run (its id in `desk history`) instead of a new one.
        #[arg(long)]
        run: Option<i64>,
        /// A GoRules JDM file to decide the run with before the report.
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long)]
        policy_name: Option<String>,
        #[arg(long, requires_all = ["rate", "amortization_years", "policy"])]
        loan_amount: Option<Decimal>,
        #[arg(long)]
        rate: Option<Decimal>,
        #[arg(long)]
        amortization_years: Option<u32>,
        #[arg(long)]
        pdf: Option<PathBuf>,
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long)]
        yes_production: bool,
    },
    /// Applies a policy to the past decisions (all, or one package's) without calling Flinks:
    /// how many would change, which, and why.
    Whatif {
        #[arg(long)]
        policy: PathBuf,
        #[arg(long)]
        package: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The runs in the history, newest first, with who ran them, their review and their latest
    /// decision: this desk's (its own and those pulled from its team), or with --store the
    /// team's as the team store has them (this desk's, said on stderr, when it is unreachable).
    History {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// At most this many runs.
        #[arg(long, default_value_t = 200)]
        limit: usize,
        /// The team store: postgres://role:password@host:5432/lending.
        #[arg(long, env = "FLINKS_DESK_STORE", hide_env_values = true)]
        store: Option<String>,
        /// Runs this OS user ran or decided.
        #[arg(long)]
        underwriter: Option<String>,
        /// Runs where their review stands so.
        #[arg(long, value_enum)]
        review: Option<history::Review>,
    },
    /// The team store: set it up, see where this desk stands with it, sync.
    Team {
        #[command(subcommand)]
        command: team::TeamCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Json,
    Table,
}

fn data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir),
        None => Ok(dirs::data_dir()
            .context("no data folder on this system: pass --data-dir")?
            .join(APP_IDENTIFIER)),
    }
}

async fn open(dir: PathBuf) -> Result<Desk> {
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let store = Store::open(&dir.join("flinks-desk.sqlite3")).map_err(DeskError::from)?;
    // The built-in sandbox answers at once here: a script should not wait on a demo's delay.
    let options = BuiltinOptions {
        pending_for: Duration::ZERO,
        poll_interval: Duration::from_millis(50),
        ..BuiltinOptions::default()
    };
    Ok(Desk::start(options, store, Arc::new(KeyringStore)).await?)
}

async fn run(cli: Cli) -> Result<()> {
    // Setting up the team store needs no desk.
    if let Command::Team {
        command: team::TeamCommand::Setup { admin_url, role },
    } = &cli.command
    {
        return team::setup(admin_url, role).await;
    }
    let desk = open(data_dir(cli.data_dir)?).await?;
    match cli.command {
        Command::Decide {
            customer,
            package,
            policy,
            policy_name,
            loan_amount,
            rate,
            amortization_years,
            yes_production,
            format,
        } => {
            let document = read_policy(&policy)?;
            let package = package_named(&package)?;
            let customer = find_customer(&desk, &customer)?;
            if yes_production {
                desk.confirm_production(&customer.environment)?;
            }
            let run = desk
                .run(&customer.id, package, &|e| eprintln!("{}", progress(&e)))
                .await?;
            let name = policy_name.unwrap_or_else(|| policy_stem(&policy));
            let loan = loan_of(loan_amount, rate, amortization_years);
            let decided = desk.decide(run.run_id, &name, &document, loan.as_ref())?;
            print_decision(&decided, format)?;
        }
        Command::Report {
            customer,
            package,
            run,
            policy,
            policy_name,
            loan_amount,
            rate,
            amortization_years,
            pdf,
            xlsx,
            yes_production,
        } => {
            let run_id = match (run, customer) {
                (Some(run), _) => run,
                (None, Some(customer)) => {
                    let package = package_named(package.as_deref().unwrap_or_default())?;
                    let customer = find_customer(&desk, &customer)?;
                    if yes_production {
                        desk.confirm_production(&customer.environment)?;
                    }
                    desk.run(&customer.id, package, &|e| eprintln!("{}", progress(&e)))
                        .await?
                        .run_id
                }
                (None, None) => unreachable!("clap requires --customer or --run"),
            };
            if let Some(policy) = &policy {
                let name = policy_name.unwrap_or_else(|| policy_stem(policy));
                let loan = loan_of(loan_amount, rate, amortization_years);
                desk.decide(run_id, &name, &read_policy(policy)?, loan.as_ref())?;
            }
            let file = desk.credit_file(run_id)?;
            for (path, written) in [
                (pdf.as_deref(), desk_report::write_pdf as Writer),
                (xlsx.as_deref(), desk_report::write_workbook as Writer),
            ] {
                if let Some(path) = path {
                    let done = written(&file, path)?;
                    println!("{}  {} bytes", path.display(), done.bytes);
                }
            }
        }
        Command::Statements { run, out, months } => {
            let attached = desk
                .attach_statements(run, &out, months, &|e| eprintln!("{}", progress(&e)))
                .await?;
            for s in &attached {
                println!("{}  {} bytes  sha256 {}", s.path, s.bytes, s.sha256);
            }
        }
        Command::Whatif {
            policy,
            package,
            format,
        } => {
            let document = read_policy(&policy)?;
            let package = package.as_deref().map(package_named).transpose()?;
            let what_if = desk.what_if(&document, package)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&what_if)?),
                Format::Table => {
                    println!(
                        "{} of {} past decisions would change (policy {})",
                        what_if.changed,
                        what_if.evaluated,
                        &what_if.policy_sha256[..12]
                    );
                    for c in &what_if.changes {
                        println!(
                            "  run {:>5}  {:<28} {} -> {}",
                            c.run_id, c.customer_label, c.before, c.after
                        );
                        for r in &c.after_reasons {
                            println!("      {}", r.text);
                        }
                    }
                }
            }
        }
        Command::History {
            format,
            limit,
            store,
            underwriter,
            review,
        } => {
            let query = history::Query {
                store,
                underwriter,
                review,
                limit,
                format,
            };
            history::print(&desk, query).await?;
        }
        Command::Team { command } => match command {
            team::TeamCommand::Setup { .. } => unreachable!("set up before the desk opens"),
            team::TeamCommand::Status { store, format } => {
                team::status_or_sync(&desk, &store, format, false).await?;
            }
            team::TeamCommand::Sync { store, format } => {
                team::status_or_sync(&desk, &store, format, true).await?;
            }
        },
    }
    Ok(())
}

type Writer = fn(
    &desk_core::credit_file::CreditFile,
    &std::path::Path,
) -> Result<desk_report::Written, desk_report::ReportError>;

fn loan_of(
    amount: Option<Decimal>,
    rate: Option<Decimal>,
    years: Option<u32>,
) -> Option<LoanRequest> {
    match (amount, rate, years) {
        (Some(amount), Some(rate), Some(years)) => Some(LoanRequest::personal(amount, rate, years)),
        _ => None,
    }
}

fn read_policy(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading the policy {}", path.display()))
}

fn policy_stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map_or_else(|| "policy".into(), |s| s.to_string_lossy().into_owned())
}

/// By the name the desk shows, or by its key (a sandbox username).
fn find_customer(desk: &Desk, name: &str) -> Result<desk_core::CustomerView> {
    let customers = desk.customers();
    let wanted = name.trim();
    customers
        .iter()
        .find(|c| c.id == wanted)
        .or_else(|| {
            customers
                .iter()
                .find(|c| c.label.eq_ignore_ascii_case(wanted))
        })
        .cloned()
        .ok_or_else(|| DeskError::UnknownCustomer(wanted.to_owned()).into())
}

fn progress(event: &desk_core::RunEvent) -> String {
    serde_json::to_string(event).unwrap_or_default()
}

fn print_decision(d: &DecisionView, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            let reasons: Vec<_> = d
                .reasons
                .iter()
                .map(|r| json!({"rule": r.rule, "attribute": r.attribute, "value": r.value, "text": r.text}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "decision": d.summary.decision,
                    "reasons": reasons,
                    "policy_sha256": d.summary.policy_sha256,
                    "run_id": d.run_id,
                }))?
            );
        }
        Format::Table => {
            println!(
                "{}: {} (policy {} {}, run {})",
                d.customer_label,
                d.summary.decision.to_uppercase(),
                d.summary.policy,
                &d.summary.policy_sha256[..12],
                d.run_id
            );
            for r in &d.reasons {
                println!("  - {} [{} = {}]", r.text, r.attribute, r.value);
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A desk error says what to do next as well.
            match e.downcast_ref::<DeskError>() {
                Some(d) => eprintln!("desk: {d}\n  {}", d.hint()),
                None => eprintln!("desk: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}
