//! `desk team`: set up the team's PostgreSQL store once, then see where a desk stands with it and
//! sync it. A URL's password is never printed: what is shown is the URL without it.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use desk_core::team::postgres::{redacted, PgTeamStore};
use desk_core::team::Stored;
use desk_core::{Desk, DeskError, TeamStatus};

use crate::Format;

/// The variable `desk team setup` reads the desks' role's password from.
const PASSWORD_VAR: &str = "FLINKS_DESK_TEAM_PASSWORD";

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Once per team, as the database's owner: makes the team store's tables and the role the
    /// desks sign in as (read and add records, never change or remove them). Safe to run again
    /// after an update. The role's password comes from FLINKS_DESK_TEAM_PASSWORD, else it is
    /// asked for.
    Setup {
        /// The database as its owner: postgres://owner:password@host:5432/lending (add
        /// ?sslmode=require for any host but this machine).
        #[arg(long, env = "FLINKS_DESK_TEAM_ADMIN_URL", hide_env_values = true)]
        admin_url: String,
        /// The role the desks sign in as (made, or its password set).
        #[arg(long)]
        role: String,
    },
    /// Where this desk stands with the team store: reached or not, what waits to be shared,
    /// what the sync it makes to find out moved.
    Status {
        /// The team store: postgres://role:password@host:5432/lending.
        #[arg(long, env = "FLINKS_DESK_STORE", hide_env_values = true)]
        store: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Shares this desk's new runs, decisions, policy versions and audit lines with the team
    /// store and fetches the other desks'. Fails when the store cannot be reached.
    Sync {
        #[arg(long, env = "FLINKS_DESK_STORE", hide_env_values = true)]
        store: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `desk team setup`, which needs no desk.
pub async fn setup(admin_url: &str, role: &str) -> Result<()> {
    let password = role_password(role)?;
    PgTeamStore::setup(admin_url, role, &password)
        .await
        .map_err(DeskError::from)?;
    let at = redacted(admin_url);
    println!("The team store at {at} is set up; desks sign in as {role}.");
    println!(
        "Each desk joins it with FLINKS_DESK_STORE={} (or --store).",
        desk_url(&at, role)
    );
    Ok(())
}

/// The URL the desks use: the admin URL (already without its password) with the role for user.
fn desk_url(at: &str, role: &str) -> String {
    let (scheme, rest) = at.split_at(at.find("://").map_or(0, |i| i + 3));
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..path_start].rfind('@') {
        Some(i) => &rest[i + 1..],
        None => rest,
    };
    format!("{scheme}{role}:PASSWORD@{host}")
}

/// FLINKS_DESK_TEAM_PASSWORD, else asked on the terminal without echo (twice), else a line of
/// standard input.
fn role_password(role: &str) -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        if password.is_empty() {
            bail!("{PASSWORD_VAR} is empty: the role {role} needs a password");
        }
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let password = read_line(&mut stdin.lock())?;
        if password.is_empty() {
            bail!("no password on standard input for the role {role} (or set {PASSWORD_VAR})");
        }
        return Ok(password);
    }
    let first = ask_hidden(&format!("Password for the role {role}: "))?;
    if first.is_empty() {
        bail!("the role {role} needs a password");
    }
    let again = ask_hidden("The same password again: ")?;
    if first != again {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

fn read_line(input: &mut impl BufRead) -> Result<String> {
    let mut line = String::new();
    input.read_line(&mut line).context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Asks on stderr with the terminal's echo off (`stty -echo`), and turns it back on whatever
/// happens.
fn ask_hidden(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !stty("-echo") {
        bail!("cannot turn the terminal's echo off to ask for the password: set {PASSWORD_VAR}");
    }
    let answer = read_line(&mut std::io::stdin().lock());
    stty("echo");
    eprintln!();
    answer
}

/// `desk team status` and `desk team sync`: both join the store, which syncs.
pub async fn status_or_sync(desk: &Desk, url: &str, format: Format, sync: bool) -> Result<()> {
    let status = desk.join_team(url).await?;
    print_status(&status, format)?;
    if sync && !status.online {
        let why = status
            .message
            .as_deref()
            .unwrap_or("the team store cannot be reached");
        bail!("the sync did not happen: {why}");
    }
    Ok(())
}

fn print_status(s: &TeamStatus, format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(s)?),
        Format::Table => {
            println!("desk        {} ({})", s.desk.desk, s.desk.user);
            println!("team store  {}", s.at.as_deref().unwrap_or("none"));
            let state = if s.online {
                format!("in sync at {}", s.last_sync.as_deref().unwrap_or("?"))
            } else {
                format!(
                    "unreachable: {}",
                    s.message.as_deref().unwrap_or("not synced yet")
                )
            };
            println!("state       {state}");
            println!("waiting     {} records to share", s.waiting);
            println!("shared      {}", moved(&s.last_report.pushed));
            println!("received    {}", moved(&s.last_report.pulled));
        }
    }
    Ok(())
}

fn moved(s: &Stored) -> String {
    format!(
        "{} runs, {} decisions, {} policy versions, {} audit lines",
        s.runs, s.decisions, s.policy_versions, s.audit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desks_url_names_the_role_and_hides_the_password() {
        assert_eq!(
            desk_url(
                "postgres://owner@db.example:5432/lending?sslmode=require",
                "desk"
            ),
            "postgres://desk:PASSWORD@db.example:5432/lending?sslmode=require"
        );
        assert_eq!(
            desk_url("postgres://127.0.0.1/team", "desk"),
            "postgres://desk:PASSWORD@127.0.0.1/team"
        );
    }

    #[test]
    fn a_password_line_loses_its_line_end_only() {
        let mut input = std::io::Cursor::new(b" p@ss word \r\nnext\n".to_vec());
        assert_eq!(read_line(&mut input).unwrap(), " p@ss word ");
    }
}
