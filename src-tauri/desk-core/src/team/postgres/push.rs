//! A push: all of a batch the store does not have yet, in one transaction, each new record
//! given its place in the feed. Rows go in bulk, a statement per table per push (arrays
//! unnested for the records, binary COPY for a run's values, transactions, lists and balances):
//! a push of 1,000 ordinary runs is about a million rows.

use std::collections::{HashMap, HashSet};

use tokio_postgres::{Client, Transaction};

use super::copy::{self, count};
use super::Pg;
use crate::team::{
    AuditEntry, Batch, SharedDecision, SharedPolicyVersion, SharedRun, Stored, TeamError,
};

/// The lock every push holds until it commits: "deskpush" in ASCII, nothing else takes it.
const PUSH_LOCK: i64 = 0x6465_736b_7075_7368;

pub(super) async fn push(
    client: &mut Client,
    at: &str,
    batch: &Batch,
) -> Result<Stored, TeamError> {
    let tx = client.transaction().await.at(at)?;
    // One push at a time. A feed row's seq is drawn from a sequence when the row is inserted,
    // not when its transaction commits: two pushes at once could commit seq 11 before seq 10,
    // and a desk pulling in between would move its cursor to 11 and never see 10. Under this
    // lock a seq is only drawn after every lower one has committed (or rolled back, leaving a
    // gap nobody waits for), so the feed only ever grows at its end.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUSH_LOCK])
        .await
        .at(at)?;
    let mut feed = Feed::default();

    let runs = store_runs(&tx, at, &batch.runs).await?;
    for (_, run) in &runs {
        feed.add("run", &run.uid, &run.made_on.desk);
    }
    copy::values(&tx, at, &runs).await?;
    copy::transactions(&tx, at, &runs).await?;
    copy::lists(&tx, at, &runs).await?;
    copy::balances(&tx, at, &runs).await?;

    let desk = pushing_desk(batch);
    let versions = store_policy_versions(&tx, at, &batch.policy_versions, desk).await?;
    for v in &versions {
        feed.add("policy", &format!("{}:{}", v.sha256, v.policy), desk);
    }
    let decisions = store_decisions(&tx, at, &batch.decisions).await?;
    for d in &decisions {
        feed.add("decision", &d.uid, &d.made_on.desk);
    }
    let audit = store_audit(&tx, at, &batch.audit).await?;
    for entry in &audit {
        feed.add("audit", &entry.uid, &entry.made_on.desk);
    }

    if !feed.kinds.is_empty() {
        tx.execute(
            "INSERT INTO team_feed (kind, uid, desk_id)
             SELECT kind, uid, desk_id
             FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY
                 AS t(kind, uid, desk_id, n)
             ORDER BY n",
            &[&feed.kinds, &feed.uids, &feed.desks],
        )
        .await
        .at(at)?;
    }
    tx.commit().await.at(at)?;
    Ok(Stored {
        runs: runs.len(),
        policy_versions: versions.len(),
        decisions: decisions.len(),
        audit: audit.len(),
    })
}

/// The records a push stored, in the order they take in the feed.
#[derive(Default)]
struct Feed {
    kinds: Vec<&'static str>,
    uids: Vec<String>,
    desks: Vec<String>,
}

impl Feed {
    fn add(&mut self, kind: &'static str, uid: &str, desk: &str) {
        self.kinds.push(kind);
        self.uids.push(uid.to_owned());
        self.desks.push(desk.to_owned());
    }
}

/// A policy version does not say which desk made it; the desk pushing it does (a desk pushes
/// what its own feed holds), so its other records tell. '' when the batch has none.
fn pushing_desk(batch: &Batch) -> &str {
    let runs = batch.runs.iter().map(|r| &r.made_on);
    let decisions = batch.decisions.iter().map(|d| &d.made_on);
    let audit = batch.audit.iter().map(|a| &a.made_on);
    runs.chain(decisions)
        .chain(audit)
        .map(|d| d.desk.as_str())
        .next()
        .unwrap_or("")
}

/// The runs the store did not have, with their new ids, in the batch's order (a uid twice in
/// one batch is stored once).
async fn store_runs<'b>(
    tx: &Transaction<'_>,
    at: &str,
    runs: &'b [SharedRun],
) -> Result<Vec<(i64, &'b SharedRun)>, TeamError> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: fn(&SharedRun) -> &str| runs.iter().map(f).collect::<Vec<&str>>();
    let opt = |f: fn(&SharedRun) -> Option<&str>| runs.iter().map(f).collect::<Vec<_>>();
    let int = |f: fn(&SharedRun) -> Option<i64>| runs.iter().map(f).collect::<Vec<_>>();
    let production: Vec<bool> = runs.iter().map(|r| r.environment.production).collect();
    let value_counts = runs
        .iter()
        .map(|r| count(r.values.len()))
        .collect::<Result<Vec<i32>, _>>()?;
    let rows = tx
        .query(
            "INSERT INTO runs (uid, desk_id, made_by, env_key, env_name, env_kind,
                 env_api_base_url, env_customer_id, env_production, customer_key, customer_label,
                 customer_institution, customer_login_last4, package, status, request_id,
                 started_at, finished_at, duration_ms, accounts, transactions, error_code,
                 error_message, value_count)
             SELECT uid, desk_id, made_by, env_key, env_name, env_kind, env_api_base_url,
                 env_customer_id, env_production, customer_key, customer_label,
                 customer_institution,
                 -- As a desk's file keeps them: at most the last four characters, and a run
                 -- that comes as still running (pushed too early) as interrupted.
                 right(customer_login_last4, 4), package,
                 CASE WHEN status IN ('completed', 'failed', 'cancelled', 'interrupted')
                      THEN status ELSE 'interrupted' END,
                 request_id, started_at, finished_at, duration_ms, accounts, transactions,
                 error_code, error_message, value_count
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::text[], $8::text[], $9::boolean[], $10::text[], $11::text[], $12::text[],
                 $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                 $19::bigint[], $20::bigint[], $21::bigint[], $22::text[], $23::text[],
                 $24::integer[])
                 WITH ORDINALITY AS t(uid, desk_id, made_by, env_key, env_name, env_kind,
                     env_api_base_url, env_customer_id, env_production, customer_key,
                     customer_label, customer_institution, customer_login_last4, package, status,
                     request_id, started_at, finished_at, duration_ms, accounts, transactions,
                     error_code, error_message, value_count, n)
             ORDER BY n
             ON CONFLICT (uid) DO NOTHING
             RETURNING uid, id",
            &[
                &text(|r| &r.uid),
                &text(|r| &r.made_on.desk),
                &text(|r| &r.made_on.user),
                &text(|r| &r.environment.key),
                &text(|r| &r.environment.name),
                &text(|r| &r.environment.kind),
                &text(|r| &r.environment.api_base_url),
                &text(|r| &r.environment.customer_id),
                &production,
                &text(|r| &r.customer.key),
                &text(|r| &r.customer.label),
                &opt(|r| r.customer.institution.as_deref()),
                &text(|r| &r.customer.login_last4),
                &text(|r| &r.package),
                &text(|r| &r.status),
                &opt(|r| r.request_id.as_deref()),
                &text(|r| &r.started_at),
                &opt(|r| r.finished_at.as_deref()),
                &int(|r| r.duration_ms),
                &int(|r| r.accounts),
                &int(|r| r.transactions),
                &opt(|r| r.error_code.as_deref()),
                &opt(|r| r.error_message.as_deref()),
                &value_counts,
            ],
        )
        .await
        .at(at)?;
    let mut ids: HashMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(runs
        .iter()
        .filter_map(|run| ids.remove(&run.uid).map(|id| (id, run)))
        .collect())
}

async fn store_policy_versions<'b>(
    tx: &Transaction<'_>,
    at: &str,
    versions: &'b [SharedPolicyVersion],
    desk: &str,
) -> Result<Vec<&'b SharedPolicyVersion>, TeamError> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: fn(&SharedPolicyVersion) -> &str| versions.iter().map(f).collect::<Vec<_>>();
    let names = text(|v| &v.policy);
    tx.execute(
        "INSERT INTO policies (name) SELECT DISTINCT name FROM unnest($1::text[]) AS t(name)
         ON CONFLICT (name) DO NOTHING",
        &[&names],
    )
    .await
    .at(at)?;
    let rows = tx
        .query(
            "INSERT INTO policy_versions (policy_id, sha256, document, note, saved_at, desk_id)
             SELECT p.id, t.sha256, t.document, t.note, t.saved_at, $6
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                 WITH ORDINALITY AS t(policy, sha256, document, note, saved_at, n)
             JOIN policies p ON p.name = t.policy
             ORDER BY t.n
             ON CONFLICT (policy_id, sha256) DO NOTHING
             RETURNING (SELECT name FROM policies WHERE id = policy_id), sha256",
            &[
                &names,
                &text(|v| &v.sha256),
                &text(|v| &v.document),
                &text(|v| &v.note),
                &text(|v| &v.saved_at),
                &desk,
            ],
        )
        .await
        .at(at)?;
    let mut new: HashSet<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(versions
        .iter()
        .filter(|v| new.remove(&(v.policy.clone(), v.sha256.clone())))
        .collect())
}

async fn store_decisions<'b>(
    tx: &Transaction<'_>,
    at: &str,
    decisions: &'b [SharedDecision],
) -> Result<Vec<&'b SharedDecision>, TeamError> {
    if decisions.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: fn(&SharedDecision) -> &str| decisions.iter().map(f).collect::<Vec<_>>();
    let opt = |f: fn(&SharedDecision) -> Option<&str>| decisions.iter().map(f).collect::<Vec<_>>();
    let (uids, run_uids) = (text(|d| &d.uid), text(|d| &d.run_uid));
    let (policies, shas) = (text(|d| &d.policy), text(|d| &d.policy_sha256));
    // A decision names its run and policy version, which must be here (pushed before it, or
    // earlier in this batch); the whole batch is refused otherwise, saying which.
    let missing = tx
        .query_opt(
            "SELECT t.uid, t.run_uid, t.policy, r.id IS NULL
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
                 AS t(uid, run_uid, policy, sha256, n)
             LEFT JOIN runs r ON r.uid = t.run_uid
             LEFT JOIN policies p ON p.name = t.policy
             LEFT JOIN policy_versions v ON v.policy_id = p.id AND v.sha256 = t.sha256
             WHERE r.id IS NULL OR v.id IS NULL
             ORDER BY t.n LIMIT 1",
            &[&uids, &run_uids, &policies, &shas],
        )
        .await
        .at(at)?;
    if let Some(row) = missing {
        let (uid, run, policy): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        return Err(TeamError::Database(if row.get(3) {
            format!("the decision {uid} is on run {run}, which the team store does not have")
        } else {
            format!(
                "the decision {uid} was made with a version of {policy} the team store does not have"
            )
        }));
    }
    let rows = tx
        .query(
            "INSERT INTO decisions (uid, run_id, policy_version_id, desk_id, decision, reasons,
                 input, trace, affordability, override_decision, override_comment, decided_at,
                 decided_by)
             SELECT t.uid, r.id, v.id, t.desk_id, t.decision, t.reasons, t.input, t.trace,
                 t.affordability, t.override_decision, t.override_comment, t.decided_at,
                 t.decided_by
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                 $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                 $13::text[], $14::text[])
                 WITH ORDINALITY AS t(uid, run_uid, policy, sha256, desk_id, decision, reasons,
                     input, trace, affordability, override_decision, override_comment,
                     decided_at, decided_by, n)
             JOIN runs r ON r.uid = t.run_uid
             JOIN policies p ON p.name = t.policy
             JOIN policy_versions v ON v.policy_id = p.id AND v.sha256 = t.sha256
             ORDER BY t.n
             ON CONFLICT (uid) DO NOTHING
             RETURNING uid",
            &[
                &uids,
                &run_uids,
                &policies,
                &shas,
                &text(|d| &d.made_on.desk),
                &text(|d| &d.decision),
                &text(|d| &d.reasons),
                &text(|d| &d.input),
                &text(|d| &d.trace),
                &opt(|d| d.affordability.as_deref()),
                &opt(|d| d.override_decision.as_deref()),
                &opt(|d| d.override_comment.as_deref()),
                &text(|d| &d.decided_at),
                &text(|d| &d.decided_by),
            ],
        )
        .await
        .at(at)?;
    let mut new: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
    Ok(decisions.iter().filter(|d| new.remove(&d.uid)).collect())
}

async fn store_audit<'b>(
    tx: &Transaction<'_>,
    at: &str,
    entries: &'b [AuditEntry],
) -> Result<Vec<&'b AuditEntry>, TeamError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: fn(&AuditEntry) -> &str| entries.iter().map(f).collect::<Vec<_>>();
    let rows = tx
        .query(
            "INSERT INTO audit_log (uid, at, desk_id, os_user, action, subject)
             SELECT uid, at, desk_id, os_user, action, subject
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                 WITH ORDINALITY AS t(uid, at, desk_id, os_user, action, subject, n)
             ORDER BY n
             ON CONFLICT (uid) DO NOTHING
             RETURNING uid",
            &[
                &text(|e| &e.uid),
                &text(|e| &e.at),
                &text(|e| &e.made_on.desk),
                &text(|e| &e.made_on.user),
                &text(|e| &e.action),
                &text(|e| &e.subject),
            ],
        )
        .await
        .at(at)?;
    let mut new: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
    Ok(entries.iter().filter(|e| new.remove(&e.uid)).collect())
}
