//! The team store's tables: made and migrated by `desk team setup` as the database's owner,
//! only checked by the desks, which sign in as a role that may read and add records and
//! nothing else.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient, NoTls};

use super::conn::{self, Target};
use super::Pg;
use crate::team::TeamError;

/// The migrations in `migrations/postgres/`, in order; a migration's version is its place.
const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/postgres/0001_team.sql")];

/// The schema version this code reads and writes.
pub(super) const KNOWN: i64 = MIGRATIONS.len() as i64;

/// Taken by setup so that two setups at once migrate one after the other. Any constant works,
/// as long as nothing else in the database takes it: this is "desk" and "setup" in ASCII.
const SETUP_LOCK: i64 = 0x6465_736b_7365_7475;

/// The desks' tables, for the grants: read and add, never change.
const TABLES: &[&str] = &[
    "runs",
    "attribute_values",
    "run_transactions",
    "attribute_detail_lists",
    "account_balances",
    "policies",
    "policy_versions",
    "decisions",
    "audit_log",
    "team_feed",
];

/// The sequences behind the tables' ids, which an INSERT draws from.
const SEQUENCES: &[&str] = &[
    "runs_id_seq",
    "policies_id_seq",
    "policy_versions_id_seq",
    "decisions_id_seq",
    "audit_log_id_seq",
    "team_feed_seq_seq",
];

/// One connection (no pool): setup runs once, from `desk team setup`.
pub(super) async fn connect_one(target: &Target) -> Result<Client, TeamError> {
    let at = &target.at;
    let config = &target.config;
    // The connection runs on a task of its own until the client is dropped.
    let client = if target.tls {
        let (client, connection) = config
            .connect(conn::tls_connector(target)?)
            .await
            .map_err(|e| conn::pg_error(at, e))?;
        tokio::spawn(connection);
        client
    } else {
        let (client, connection) = config
            .connect(NoTls)
            .await
            .map_err(|e| conn::pg_error(at, e))?;
        tokio::spawn(connection);
        client
    };
    Ok(client)
}

/// Applies what `migrations/postgres/` has that the database does not, and lets `app_role`
/// (made if missing, its password set either way) sign in to read and add records.
pub(super) async fn setup(
    admin_url: &str,
    app_role: &str,
    app_password: &str,
) -> Result<(), TeamError> {
    if app_role.is_empty() || app_role.len() > 63 || app_role.contains('\0') {
        return Err(TeamError::BadUrl(format!(
            "{app_role:?} is not a role name PostgreSQL takes (1 to 63 bytes)"
        )));
    }
    if app_password.is_empty() {
        return Err(TeamError::BadUrl("the desks' role needs a password".into()));
    }
    let target = conn::target(admin_url)?;
    let at = target.at.clone();
    let mut client = connect_one(&target).await?;
    let tx = client.transaction().await.at(&at)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK])
        .await
        .at(&at)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS team_schema (
             version     bigint PRIMARY KEY,
             applied_at  timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .at(&at)?;
    let found = version(&tx, &at).await?;
    if found > KNOWN {
        return Err(TeamError::TooNew {
            found,
            known: KNOWN,
        });
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await.at(&at)?;
        tx.execute(
            "INSERT INTO team_schema (version) VALUES ($1)",
            &[&(done as i64 + 1)],
        )
        .await
        .at(&at)?;
    }

    tx.commit().await.at(&at)?;

    // Roles belong to the whole server, not to this database, so the lock above does not keep
    // out a setup of another database making or changing the same role at the same moment;
    // PostgreSQL then refuses one of the two, which is done again.
    let mut attempt = 1;
    loop {
        match grant(&mut client, &at, app_role, app_password).await {
            Err(TeamError::Database(why)) if attempt < 5 && why.contains(RACED) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            }
            done => return done,
        }
    }
}

/// What PostgreSQL says when two sessions make or change one role at once.
const RACED: &str = "concurrently updated";

async fn grant(
    client: &mut Client,
    at: &str,
    app_role: &str,
    app_password: &str,
) -> Result<(), TeamError> {
    let tx = client.transaction().await.at(at)?;
    let me: String = tx
        .query_one("SELECT current_user::text", &[])
        .await
        .at(at)?
        .get(0);
    if me == app_role {
        return Err(TeamError::BadUrl(format!(
            "the desks' role must not be the one setting up ({app_role}): it may only add records"
        )));
    }
    let role = ident(app_role);
    // The password goes as a SCRAM verifier, as psql's \password sends it: never in clear,
    // so not in the server's log either.
    let verifier = postgres_protocol::password::scram_sha_256(app_password.as_bytes());
    let exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&app_role])
        .await
        .at(at)?
        .is_some();
    let verb = if exists { "ALTER" } else { "CREATE" };
    let made = tx
        .batch_execute(&format!(
            "{verb} ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}",
            literal(&verifier)
        ))
        .await;
    if let Err(e) = made {
        // Made by another setup since we looked: the same as a concurrent update.
        let code = e.code();
        if code == Some(&SqlState::DUPLICATE_OBJECT) || code == Some(&SqlState::UNIQUE_VIOLATION) {
            return Err(TeamError::Database(format!("role {app_role} {RACED}")));
        }
        return Err(conn::pg_error(at, e));
    }
    let db: String = tx
        .query_one("SELECT current_database()::text", &[])
        .await
        .at(at)?
        .get(0);
    let tables = TABLES.join(", ");
    let sequences = SEQUENCES.join(", ");
    tx.batch_execute(&format!(
        "GRANT CONNECT ON DATABASE {db} TO {role};
         GRANT USAGE ON SCHEMA public TO {role};
         REVOKE ALL ON {tables}, team_schema FROM {role};
         GRANT SELECT, INSERT ON {tables} TO {role};
         GRANT SELECT ON team_schema TO {role};
         GRANT USAGE ON SEQUENCE {sequences} TO {role};",
        db = ident(&db)
    ))
    .await
    .at(at)?;
    tx.commit().await.at(at)?;
    Ok(())
}

/// The schema's version as the desks' role sees it: `NotSetUp` without the tables, `TooNew`
/// past what this code knows.
pub(super) async fn check(client: &impl GenericClient, at: &str) -> Result<(), TeamError> {
    match version(client, at).await? {
        found if found > KNOWN => Err(TeamError::TooNew {
            found,
            known: KNOWN,
        }),
        // Set up by an older desk: setup brings it to this one's version.
        found if found < KNOWN => Err(TeamError::NotSetUp),
        _ => Ok(()),
    }
}

async fn version(client: &impl GenericClient, at: &str) -> Result<i64, TeamError> {
    let row = client
        .query_one("SELECT coalesce(max(version), 0) FROM team_schema", &[])
        .await
        .at(at)?;
    Ok(row.get(0))
}

/// A name quoted for SQL: in double quotes, each inner one doubled.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string quoted for SQL (standard_conforming_strings, on by default since 9.1: a backslash is
/// an ordinary character). Only ever given a SCRAM verifier, which is base64 and `$:`.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_strings_are_quoted() {
        assert_eq!(ident("desk"), "\"desk\"");
        assert_eq!(ident("a\"b; DROP"), "\"a\"\"b; DROP\"");
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn every_table_of_the_schema_is_granted() {
        let sql = MIGRATIONS.join("\n");
        let made = sql.matches("CREATE TABLE ").count();
        assert_eq!(
            made,
            TABLES.len(),
            "a table missing from TABLES gets no grant"
        );
        for table in TABLES {
            assert!(sql.contains(&format!("CREATE TABLE {table} (")), "{table}");
        }
        assert_eq!(sql.matches("bigserial").count(), SEQUENCES.len());
    }
}
