//! Reading the desk's file as the team sees it: the feed after a cursor as shared records, the
//! history with each run's review status, a run's decisions, the audit log.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::super::details::share_transactions;
use super::super::{Store, StoreError, StoredDetail};
use crate::team::{
    AuditEntry, Batch, DeskId, Desks, Pulled, ReviewStatus, SharedBalance, SharedCustomer,
    SharedDecision, SharedEnvironment, SharedPolicyVersion, SharedRun, SharedTransaction,
    SharedValue, TeamFilter, TeamRun,
};

impl Store {
    /// The feed's records after `cursor` from the desks `from`, at most `max`.
    pub fn feed_after(
        &self,
        cursor: i64,
        from: Desks<'_>,
        max: usize,
    ) -> Result<Pulled, StoreError> {
        let conn = self.conn();
        let (only, except) = match from {
            Desks::All => (None, None),
            Desks::Only(d) => (Some(d), None),
            Desks::Except(d) => (None, Some(d)),
        };
        let mut stmt = conn.prepare_cached(
            "SELECT seq, kind, uid FROM team_feed
             WHERE seq > ?1 AND (?2 IS NULL OR desk_id = ?2) AND (?3 IS NULL OR desk_id <> ?3)
             ORDER BY seq LIMIT ?4",
        )?;
        let feed = stmt
            .query_map(params![cursor, only, except, max as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut batch = Batch::default();
        for (_, kind, uid) in &feed {
            match kind.as_str() {
                "run" => batch.runs.push(shared_run(&conn, uid)?),
                "policy" => batch.policy_versions.push(shared_policy(&conn, uid)?),
                "decision" => batch.decisions.push(
                    decisions_where(&conn, "d.uid = ?1", uid)?
                        .pop()
                        .ok_or_else(|| missing("decision", uid))?,
                ),
                _ => batch.audit.push(audit_entry(&conn, uid)?),
            }
        }
        Ok(Pulled {
            batch,
            cursor: feed.last().map_or(cursor, |(seq, ..)| *seq),
            more: feed.len() == max,
        })
    }

    /// How many of `desk`'s records the feed has after `cursor`.
    pub fn feed_count_after(&self, cursor: i64, desk: &str) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM team_feed WHERE seq > ?1 AND desk_id = ?2",
            params![cursor, desk],
            |r| r.get(0),
        )?)
    }

    /// The runs in this file, this desk's and those pulled from the team, newest first, with
    /// where each stands with its decisions.
    pub fn team_history(&self, filter: &TeamFilter) -> Result<Vec<TeamRun>, StoreError> {
        let conn = self.conn();
        let mut deciders: HashMap<i64, Vec<(String, String, bool)>> = HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT run_id, decided_by, coalesce(override_decision, decision),
                     override_decision IS NOT NULL
                 FROM decisions ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                deciders
                    .entry(r.get(0)?)
                    .or_default()
                    .push((r.get(1)?, r.get(2)?, r.get(3)?));
            }
        }
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.uid, r.desk_id, coalesce(r.made_by, ''), e.name, c.label, r.package,
                 r.status, r.started_at, r.finished_at,
                 (SELECT count(*) FROM attribute_values v WHERE v.run_id = r.id)
             FROM runs r JOIN customers c ON c.id = r.customer_id
             JOIN environments e ON e.id = c.environment_id
             ORDER BY r.started_at DESC, r.id DESC",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let decided = deciders.remove(&r.get::<_, i64>(0)?).unwrap_or_default();
            let run = TeamRun {
                uid: r.get(1)?,
                made_on: DeskId {
                    desk: r.get(2)?,
                    user: r.get(3)?,
                },
                environment: r.get(4)?,
                customer_label: r.get(5)?,
                package: r.get(6)?,
                status: r.get(7)?,
                started_at: r.get(8)?,
                finished_at: r.get(9)?,
                values: r.get(10)?,
                review: ReviewStatus::of(
                    decided.len() as i64,
                    decided.iter().any(|(.., overridden)| *overridden),
                ),
                decision: decided.last().map(|(_, word, _)| word.clone()),
                decided_by: decided.last().map(|(who, ..)| who.clone()),
                deciders: decided.into_iter().map(|(who, ..)| who).collect(),
            };
            if filter.admits(Some(&run.made_on.user), &run.deciders, run.review) {
                out.push(run);
                if filter.limit.is_some_and(|limit| out.len() >= limit) {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// A run's decisions by its uid, oldest first.
    pub fn shared_decisions(&self, run_uid: &str) -> Result<Vec<SharedDecision>, StoreError> {
        decisions_where(&self.conn(), "r.uid = ?1", run_uid)
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT uid, at, desk_id, os_user, action, subject FROM audit_log ORDER BY id",
        )?;
        let rows = stmt.query_map([], audit_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn missing(kind: &str, uid: &str) -> StoreError {
    StoreError::Invalid(format!(
        "the team feed names a {kind} {uid} that is not in the file"
    ))
}

fn shared_run(conn: &Connection, uid: &str) -> Result<SharedRun, StoreError> {
    let (run_id, mut run) = conn
        .query_row(
            "SELECT r.id, r.uid, r.desk_id, coalesce(r.made_by, ''), e.key, e.name, e.kind,
                 e.api_base_url, e.customer_id, e.production, c.key, c.label, c.institution,
                 c.login_last4, r.package, r.status, r.request_id, r.started_at, r.finished_at,
                 r.duration_ms, r.accounts, r.transactions, r.error_code, r.error_message
             FROM runs r JOIN customers c ON c.id = r.customer_id
             JOIN environments e ON e.id = c.environment_id WHERE r.uid = ?1",
            params![uid],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    SharedRun {
                        uid: r.get(1)?,
                        made_on: DeskId {
                            desk: r.get(2)?,
                            user: r.get(3)?,
                        },
                        environment: SharedEnvironment {
                            key: r.get(4)?,
                            name: r.get(5)?,
                            kind: r.get(6)?,
                            api_base_url: r.get(7)?,
                            customer_id: r.get(8)?,
                            production: r.get(9)?,
                        },
                        customer: SharedCustomer {
                            key: r.get(10)?,
                            label: r.get(11)?,
                            institution: r.get(12)?,
                            login_last4: r.get(13)?,
                        },
                        package: r.get(14)?,
                        status: r.get(15)?,
                        request_id: r.get(16)?,
                        started_at: r.get(17)?,
                        finished_at: r.get(18)?,
                        duration_ms: r.get(19)?,
                        accounts: r.get(20)?,
                        transactions: r.get(21)?,
                        error_code: r.get(22)?,
                        error_message: r.get(23)?,
                        values: Vec::new(),
                        details: Vec::new(),
                        detail_lists: Vec::new(),
                        balances: Vec::new(),
                    },
                ))
            },
        )
        .optional()?
        .ok_or_else(|| missing("run", uid))?;
    let mut values = conn.prepare_cached(
        "SELECT scope, name, raw, number FROM attribute_values WHERE run_id = ?1 ORDER BY position",
    )?;
    run.values = values
        .query_map(params![run_id], |r| {
            Ok(SharedValue {
                scope: r.get(0)?,
                name: r.get(1)?,
                raw: r.get(2)?,
                number: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut balances = conn.prepare_cached(
        "SELECT position, account_id, title, last4, date, balance FROM account_balances
         WHERE run_id = ?1 ORDER BY position, date",
    )?;
    run.balances = balances
        .query_map(params![run_id], |r| {
            Ok(SharedBalance {
                position: r.get(0)?,
                account_id: r.get(1)?,
                title: r.get(2)?,
                last4: r.get(3)?,
                date: r.get(4)?,
                balance: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    if Store::has_legacy_details(conn, run_id)? {
        legacy_details(conn, run_id, &mut run)?;
        return Ok(run);
    }
    let mut transactions = conn.prepare_cached(
        "SELECT account_id, transaction_id, date, description, debit, credit, balance
         FROM run_transactions WHERE run_id = ?1 ORDER BY id",
    )?;
    run.details = transactions
        .query_map(params![run_id], |r| {
            Ok(SharedTransaction {
                account_id: r.get(0)?,
                transaction_id: r.get(1)?,
                date: r.get(2)?,
                description: r.get(3)?,
                debit: r.get(4)?,
                credit: r.get(5)?,
                balance: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut lists = conn.prepare_cached(
        "SELECT name, txns FROM attribute_detail_lists WHERE run_id = ?1 ORDER BY rowid",
    )?;
    let rows = lists.query_map(params![run_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (name, txns) = row?;
        let places: Vec<u32> = serde_json::from_str(&txns)
            .map_err(|e| StoreError::Invalid(format!("the list of {name} is damaged: {e}")))?;
        run.detail_lists.push((name, places));
    }
    Ok(run)
}

/// A run stored before migration 0006 shares its details the way newer runs keep them.
fn legacy_details(conn: &Connection, run_id: i64, run: &mut SharedRun) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, account_id, transaction_id, date, description, debit, credit, balance
         FROM attribute_details WHERE run_id = ?1 ORDER BY name, position",
    )?;
    let details = stmt
        .query_map(params![run_id], |r| {
            Ok(StoredDetail {
                name: r.get(0)?,
                account_id: r.get(1)?,
                transaction_id: r.get(2)?,
                date: r.get(3)?,
                description: r.get(4)?,
                debit: r.get(5)?,
                credit: r.get(6)?,
                balance: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let shared = share_transactions(&details);
    run.details = shared
        .transactions
        .iter()
        .map(|d| SharedTransaction {
            account_id: d.account_id.clone(),
            transaction_id: d.transaction_id.clone(),
            date: d.date.clone(),
            description: d.description.clone(),
            debit: d.debit.clone(),
            credit: d.credit.clone(),
            balance: d.balance.clone(),
        })
        .collect();
    run.detail_lists = shared
        .lists
        .iter()
        .map(|(name, places)| (name.to_string(), places.iter().map(|p| *p as u32).collect()))
        .collect();
    Ok(())
}

fn shared_policy(conn: &Connection, uid: &str) -> Result<SharedPolicyVersion, StoreError> {
    let (sha256, name) = uid.split_once(':').ok_or_else(|| missing("policy", uid))?;
    conn.query_row(
        "SELECT p.name, v.sha256, v.document, v.note, v.saved_at
         FROM policy_versions v JOIN policies p ON p.id = v.policy_id
         WHERE v.sha256 = ?1 AND p.name = ?2",
        params![sha256, name],
        |r| {
            Ok(SharedPolicyVersion {
                policy: r.get(0)?,
                sha256: r.get(1)?,
                document: r.get(2)?,
                note: r.get(3)?,
                saved_at: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| missing("policy", uid))
}

fn decisions_where(
    conn: &Connection,
    condition: &str,
    uid: &str,
) -> Result<Vec<SharedDecision>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.uid, r.uid, d.desk_id, d.decided_by, p.name, v.sha256, d.decision, d.reasons,
             d.input, d.trace, d.affordability, d.override_decision, d.override_comment,
             d.decided_at
         FROM decisions d JOIN runs r ON r.id = d.run_id
         JOIN policy_versions v ON v.id = d.policy_version_id
         JOIN policies p ON p.id = v.policy_id
         WHERE {condition} ORDER BY d.id"
    ))?;
    let rows = stmt.query_map(params![uid], |r| {
        Ok(SharedDecision {
            uid: r.get(0)?,
            run_uid: r.get(1)?,
            made_on: DeskId {
                desk: r.get(2)?,
                user: r.get(3)?,
            },
            decided_by: r.get(3)?,
            policy: r.get(4)?,
            policy_sha256: r.get(5)?,
            decision: r.get(6)?,
            reasons: r.get(7)?,
            input: r.get(8)?,
            trace: r.get(9)?,
            affordability: r.get(10)?,
            override_decision: r.get(11)?,
            override_comment: r.get(12)?,
            decided_at: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn audit_entry(conn: &Connection, uid: &str) -> Result<AuditEntry, StoreError> {
    conn.query_row(
        "SELECT uid, at, desk_id, os_user, action, subject FROM audit_log WHERE uid = ?1",
        params![uid],
        audit_row,
    )
    .optional()?
    .ok_or_else(|| missing("audit entry", uid))
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        uid: r.get(0)?,
        at: r.get(1)?,
        made_on: DeskId {
            desk: r.get(2)?,
            user: r.get(3)?,
        },
        action: r.get(4)?,
        subject: r.get(5)?,
    })
}
