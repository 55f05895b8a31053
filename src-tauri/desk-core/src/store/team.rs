//! The desk's own SQLite file as a team store: what this desk made, and what it pulled from the
//! team, with the same meaning as the team's PostgreSQL (`crate::team::postgres`). Records come
//! in by `push` (a pulled batch) and go out by `pull` (what this desk pushes), in team_feed order.
//!
//! A run pulled from another desk is stored as a run of this desk's history, under the
//! environment with the same key (made when this desk has none) and a customer marked with the
//! desk it came from: it shows like any run, and cannot run again here (its loginId is in the
//! other desk's keyring).

mod read;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now, Store, StoreError, StoredValue};
use crate::team::{
    AuditEntry, Batch, DeskId, Desks, Pulled, SharedDecision, SharedPolicyVersion, SharedRun,
    Stored, TeamError, TeamFilter, TeamRun, TeamStore,
};

impl From<StoreError> for TeamError {
    fn from(e: StoreError) -> Self {
        TeamError::Local(e.to_string())
    }
}

impl Store {
    /// Adds a line to the audit log: this desk and user did `action` on `subject`.
    pub fn audit(&self, action: &str, subject: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO audit_log (uid, at, desk_id, os_user, action, subject)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                crate::team::new_uid(),
                now(),
                self.desk.desk,
                self.desk.user,
                action,
                subject
            ],
        )?;
        Ok(())
    }

    /// A run's uid, the same on every desk.
    pub fn run_uid(&self, run_id: i64) -> Result<String, StoreError> {
        self.conn()
            .query_row("SELECT uid FROM runs WHERE id = ?1", params![run_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NoSuchRun(run_id))
    }

    /// The desk a run's customer came from, when it is not this desk's own customer.
    pub fn shared_from(&self, run_id: i64) -> Result<Option<DeskId>, StoreError> {
        self.conn()
            .query_row(
                "SELECT r.desk_id, coalesce(r.made_by, '') FROM runs r
                 JOIN customers c ON c.id = r.customer_id
                 WHERE r.id = ?1 AND c.desk_id IS NOT NULL",
                params![run_id],
                |r| {
                    Ok(DeskId {
                        desk: r.get(0)?,
                        user: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(StoreError::from)
    }

    /// Stores what `batch` brings that this file does not have yet, in one transaction.
    pub fn store_batch(&self, batch: &Batch) -> Result<Stored, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut stored = Stored::default();
        for run in &batch.runs {
            stored.runs += usize::from(store_run(&tx, run)?);
        }
        for version in &batch.policy_versions {
            stored.policy_versions += usize::from(store_policy_version(&tx, version)?);
        }
        for decision in &batch.decisions {
            stored.decisions += usize::from(store_decision(&tx, decision)?);
        }
        for entry in &batch.audit {
            stored.audit += tx.execute(
                "INSERT INTO audit_log (uid, at, desk_id, os_user, action, subject)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (uid) DO NOTHING",
                params![
                    entry.uid,
                    entry.at,
                    entry.made_on.desk,
                    entry.made_on.user,
                    entry.action,
                    entry.subject
                ],
            )?;
        }
        tx.commit()?;
        Ok(stored)
    }
}

fn store_run(tx: &Transaction<'_>, run: &SharedRun) -> Result<bool, StoreError> {
    let known: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM runs WHERE uid = ?1)",
        params![run.uid],
        |r| r.get(0),
    )?;
    if known {
        return Ok(false);
    }
    let env = &run.environment;
    // The environment of this desk with the same key (the built-in sandbox, the toolbox, an
    // instance both desks use); else one made from what the other desk shows, with no keys.
    tx.execute(
        "INSERT INTO environments (key, name, kind, api_base_url, customer_id, production, created_at)
         VALUES (?1, ?2, CASE WHEN ?3 IN ('builtin', 'toolbox', 'private') THEN ?3 ELSE 'private' END,
                 ?4, ?5, ?6, ?7)
         ON CONFLICT (key) DO NOTHING",
        params![
            env.key,
            env.name,
            env.kind,
            env.api_base_url,
            env.customer_id,
            env.production,
            now()
        ],
    )?;
    let env_id: i64 = tx.query_row(
        "SELECT id FROM environments WHERE key = ?1",
        params![env.key],
        |r| r.get(0),
    )?;
    let c = &run.customer;
    // A customer this desk has itself (same environment and key) keeps its row; one it does not
    // have is marked with the desk it came from, and never listed among this desk's customers.
    tx.execute(
        "INSERT INTO customers (environment_id, key, label, institution, login_last4, created_at,
             desk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (environment_id, key) DO NOTHING",
        params![
            env_id,
            c.key,
            c.label,
            c.institution,
            last4(&c.login_last4),
            now(),
            run.made_on.desk
        ],
    )?;
    let customer_id: i64 = tx.query_row(
        "SELECT id FROM customers WHERE environment_id = ?1 AND key = ?2",
        params![env_id, c.key],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO runs (customer_id, package, status, request_id, started_at, finished_at,
             duration_ms, accounts, transactions, error_code, error_message, uid, desk_id, made_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            customer_id,
            run.package,
            ended(&run.status),
            run.request_id,
            run.started_at,
            run.finished_at,
            run.duration_ms,
            run.accounts,
            run.transactions,
            run.error_code,
            run.error_message,
            run.uid,
            run.made_on.desk,
            run.made_on.user
        ],
    )?;
    let run_id = tx.last_insert_rowid();
    let values: Vec<StoredValue> = run
        .values
        .iter()
        .map(|v| StoredValue {
            scope: v.scope.clone(),
            name: v.name.clone(),
            raw: v.raw.clone(),
            number: v.number,
        })
        .collect();
    super::runs::write_values(tx, run_id, &values)?;
    {
        let mut transaction = tx.prepare_cached(
            "INSERT INTO run_transactions (run_id, id, account_id, transaction_id, date,
                 description, debit, credit, balance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (id, t) in run.details.iter().enumerate() {
            transaction.execute(params![
                run_id,
                id as i64,
                t.account_id,
                t.transaction_id,
                t.date,
                t.description,
                t.debit,
                t.credit,
                t.balance
            ])?;
        }
        let mut list = tx.prepare_cached(
            "INSERT INTO attribute_detail_lists (run_id, name, txns) VALUES (?1, ?2, ?3)",
        )?;
        for (name, places) in &run.detail_lists {
            if let Some(bad) = places.iter().find(|p| **p as usize >= run.details.len()) {
                return Err(StoreError::Invalid(format!(
                    "the shared run {} lists transaction {bad} behind {name}, of {}",
                    run.uid,
                    run.details.len()
                )));
            }
            list.execute(params![
                run_id,
                name,
                serde_json::to_string(places).expect("a list of numbers")
            ])?;
        }
        let mut balance = tx.prepare_cached(
            "INSERT INTO account_balances (run_id, position, account_id, title, last4, date, balance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for b in &run.balances {
            balance.execute(params![
                run_id,
                b.position,
                b.account_id,
                b.title,
                b.last4,
                b.date,
                b.balance
            ])?;
        }
    }
    Ok(true)
}

/// At most the last four characters, all a customer row ever holds of a loginId.
fn last4(text: &str) -> &str {
    let start = text.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &text[start..]
}

/// A shared run has ended; one that comes as running (a desk that pushed too early) is stored
/// as interrupted, the word for a run that did not finish.
fn ended(status: &str) -> &str {
    match status {
        "completed" | "failed" | "cancelled" | "interrupted" => status,
        _ => "interrupted",
    }
}

fn store_policy_version(
    tx: &Transaction<'_>,
    version: &SharedPolicyVersion,
) -> Result<bool, StoreError> {
    tx.execute(
        "INSERT INTO policies (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        params![version.policy, version.saved_at],
    )?;
    // Marked as the team's, not this desk's: it came from the team and is not pushed back.
    Ok(tx.execute(
        "INSERT INTO policy_versions (policy_id, sha256, document, note, saved_at, desk_id)
         SELECT id, ?2, ?3, ?4, ?5, 'team' FROM policies WHERE name = ?1
         ON CONFLICT (policy_id, sha256) DO NOTHING",
        params![
            version.policy,
            version.sha256,
            version.document,
            version.note,
            version.saved_at
        ],
    )? == 1)
}

fn store_decision(tx: &Transaction<'_>, d: &SharedDecision) -> Result<bool, StoreError> {
    let known: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM decisions WHERE uid = ?1)",
        params![d.uid],
        |r| r.get(0),
    )?;
    if known {
        return Ok(false);
    }
    let run_id: i64 = tx
        .query_row(
            "SELECT id FROM runs WHERE uid = ?1",
            params![d.run_uid],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "the decision {} is on run {}, which this desk does not have",
                d.uid, d.run_uid
            ))
        })?;
    let version_id: i64 = tx
        .query_row(
            "SELECT v.id FROM policy_versions v JOIN policies p ON p.id = v.policy_id
             WHERE p.name = ?1 AND v.sha256 = ?2",
            params![d.policy, d.policy_sha256],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "the decision {} was made with a version of {} this desk does not have",
                d.uid, d.policy
            ))
        })?;
    tx.execute(
        "INSERT INTO decisions (run_id, policy_version_id, decision, reasons, input, trace,
             affordability, override_decision, override_comment, decided_at, decided_by, uid,
             desk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            run_id,
            version_id,
            d.decision,
            d.reasons,
            d.input,
            d.trace,
            d.affordability,
            d.override_decision,
            d.override_comment,
            d.decided_at,
            d.decided_by,
            d.uid,
            d.made_on.desk
        ],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests;

/// The local store answers at once: its calls run on the caller's thread, as every other store
/// call of the desk does.
#[async_trait::async_trait]
impl TeamStore for Store {
    async fn push(&self, batch: &Batch) -> Result<Stored, TeamError> {
        Ok(self.store_batch(batch)?)
    }

    async fn pull(&self, cursor: i64, from: Desks<'_>, max: usize) -> Result<Pulled, TeamError> {
        Ok(self.feed_after(cursor, from, max)?)
    }

    async fn history(&self, filter: &TeamFilter) -> Result<Vec<TeamRun>, TeamError> {
        Ok(self.team_history(filter)?)
    }

    async fn decisions_of(&self, run_uid: &str) -> Result<Vec<SharedDecision>, TeamError> {
        Ok(self.shared_decisions(run_uid)?)
    }

    async fn audit_log(&self) -> Result<Vec<AuditEntry>, TeamError> {
        Ok(self.audit_entries()?)
    }
}
