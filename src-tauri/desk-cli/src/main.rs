//! `desk`: Flinks Desk without a window. The same `Desk` surface the app calls, on the same data
//! folder (or another one), with the built-in sandbox as the default environment: what an
//! underwriter does in the window, a script can do here.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use desk_core::{BuiltinOptions, Desk, DeskError, KeyringStore, Store};

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
    /// The runs in the history, newest first, with their decisions.
    History {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// At most this many runs.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
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
    let desk = open(data_dir(cli.data_dir)?).await?;
    match cli.command {
        Command::History { format, limit } => {
            let history = desk.history_with_decisions(limit)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&history)?),
                Format::Table => {
                    println!(
                        "{:>6}  {:<28}  {:<18}  {:<10}  {:<8}  started",
                        "run", "customer", "package", "status", "decision"
                    );
                    for h in &history {
                        println!(
                            "{:>6}  {:<28}  {:<18}  {:<10}  {:<8}  {}",
                            h.run.id,
                            h.run.customer_label,
                            h.run.package,
                            format!("{:?}", h.run.status).to_lowercase(),
                            h.decision
                                .as_ref()
                                .map_or("", |d| d.final_decision.as_str()),
                            h.run.started_at
                        );
                    }
                }
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
