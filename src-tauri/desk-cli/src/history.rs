//! `desk history`: the runs on this desk (its own and those pulled from its team), or with
//! `--store` the whole team's as the team store has them, filtered by underwriter and review.

use anyhow::Result;
use clap::ValueEnum;
use desk_core::team::{ReviewStatus, TeamFilter, TeamRun};
use desk_core::view::HistoryEntry;
use desk_core::{Desk, TeamStatus};
use serde::Serialize;

use crate::Format;

/// Where a run stands with its decisions, as `--review` takes it.
#[derive(Clone, Copy, ValueEnum)]
pub enum Review {
    /// Not decided yet.
    Undecided,
    /// Decided once, as the policy said.
    Decided,
    /// Decided again, by a second underwriter or later.
    Reviewed,
    /// An underwriter overrode the policy.
    Overridden,
}

impl From<Review> for ReviewStatus {
    fn from(review: Review) -> ReviewStatus {
        match review {
            Review::Undecided => ReviewStatus::Undecided,
            Review::Decided => ReviewStatus::Decided,
            Review::Reviewed => ReviewStatus::Reviewed,
            Review::Overridden => ReviewStatus::Overridden,
        }
    }
}

pub struct Query {
    pub store: Option<String>,
    pub underwriter: Option<String>,
    pub review: Option<Review>,
    pub limit: usize,
    pub format: Format,
}

pub async fn print(desk: &Desk, query: Query) -> Result<()> {
    let filter = TeamFilter {
        underwriter: query.underwriter,
        review: query.review.map(ReviewStatus::from),
        limit: Some(query.limit),
    };
    match query.store {
        None => print_local(&desk.history_filtered(&filter)?, query.format),
        Some(url) => {
            desk.join_team(&url).await?;
            let (runs, status) = desk.team_store_history(&filter).await?;
            if !status.online {
                eprintln!("{}", offline_note(&status));
            }
            print_team(&runs, query.format)
        }
    }
}

/// What stderr says when the list is this desk's copy rather than the team store's.
fn offline_note(status: &TeamStatus) -> String {
    let at = status.at.as_deref().unwrap_or("the team store");
    let why = status
        .message
        .clone()
        .unwrap_or_else(|| format!("the team store at {at} is unreachable"));
    format!(
        "desk: {why}\n  The team store is unreachable: these are the runs on this desk ({} of its records wait to be shared).",
        status.waiting
    )
}

/// A team run as printed: `madeBy` beside `madeOn`, as this desk's own history names it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    #[serde(flatten)]
    run: &'a TeamRun,
    made_by: &'a str,
}

fn print_team(runs: &[TeamRun], format: Format) -> Result<()> {
    match format {
        Format::Json => {
            let listed: Vec<Listed> = runs
                .iter()
                .map(|run| Listed {
                    run,
                    made_by: &run.made_on.user,
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&listed)?);
        }
        Format::Table => {
            header("run");
            for r in runs {
                row(Row {
                    run: &r.uid[..r.uid.len().min(8)],
                    customer: &r.customer_label,
                    package: &r.package,
                    status: &r.status,
                    underwriter: &r.made_on.user,
                    review: &review_text(r.review, &r.deciders),
                    decision: r.decision.as_deref().unwrap_or(""),
                    started: &r.started_at,
                });
            }
        }
    }
    Ok(())
}

fn print_local(history: &[HistoryEntry], format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(history)?),
        Format::Table => {
            header("run");
            for h in history {
                let shared = if h.run.shared { " (shared)" } else { "" };
                row(Row {
                    run: &h.run.id.to_string(),
                    customer: &format!("{}{shared}", h.run.customer_label),
                    package: &h.run.package,
                    status: h.run.status.as_str(),
                    underwriter: h.run.made_by.as_deref().unwrap_or("—"),
                    review: &review_text(h.review, &h.deciders),
                    decision: h
                        .decision
                        .as_ref()
                        .map_or("", |d| d.final_decision.as_str()),
                    started: &h.run.started_at,
                });
            }
        }
    }
    Ok(())
}

/// "reviewed by ana, ben": the status word, and who decided once a second one did or one
/// overrode.
fn review_text(review: ReviewStatus, deciders: &[String]) -> String {
    let mut who: Vec<&str> = Vec::new();
    for d in deciders {
        if !who.contains(&d.as_str()) {
            who.push(d);
        }
    }
    match review {
        ReviewStatus::Reviewed | ReviewStatus::Overridden if !who.is_empty() => {
            format!("{} by {}", review.as_str(), who.join(", "))
        }
        _ => review.as_str().to_owned(),
    }
}

struct Row<'a> {
    run: &'a str,
    customer: &'a str,
    package: &'a str,
    status: &'a str,
    underwriter: &'a str,
    review: &'a str,
    decision: &'a str,
    started: &'a str,
}

fn header(run: &str) {
    row(Row {
        run,
        customer: "customer",
        package: "package",
        status: "status",
        underwriter: "underwriter",
        review: "review",
        decision: "decision",
        started: "started",
    });
}

fn row(r: Row) {
    println!(
        "{:>8}  {:<28}  {:<18}  {:<10}  {:<12}  {:<24}  {:<8}  {}",
        r.run, r.customer, r.package, r.status, r.underwriter, r.review, r.decision, r.started
    );
}
