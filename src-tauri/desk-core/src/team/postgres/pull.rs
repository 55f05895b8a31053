//! A pull: the feed's rows after a cursor, then each kind's records by uid, a query per kind
//! (and per kind of a run's rows), put in feed order. Also a run's decisions and the audit log.

use std::collections::HashMap;

use futures::{pin_mut, TryStreamExt};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use super::Pg;
use crate::team::{
    AuditEntry, Batch, DeskId, Desks, Pulled, SharedBalance, SharedCustomer, SharedDecision,
    SharedEnvironment, SharedPolicyVersion, SharedRun, SharedTransaction, SharedValue, TeamError,
};

pub(super) async fn pull(
    client: &Client,
    at: &str,
    cursor: i64,
    from: Desks<'_>,
    max: usize,
) -> Result<Pulled, TeamError> {
    let limit = i64::try_from(max).unwrap_or(i64::MAX);
    let feed = match from {
        Desks::All => {
            client
                .query(
                    "SELECT seq, kind, uid FROM team_feed WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&cursor, &limit],
                )
                .await
        }
        Desks::Only(desk) => {
            client
                .query(
                    "SELECT seq, kind, uid FROM team_feed WHERE seq > $1 AND desk_id = $3
                     ORDER BY seq LIMIT $2",
                    &[&cursor, &limit, &desk],
                )
                .await
        }
        Desks::Except(desk) => {
            client
                .query(
                    "SELECT seq, kind, uid FROM team_feed WHERE seq > $1 AND desk_id <> $3
                     ORDER BY seq LIMIT $2",
                    &[&cursor, &limit, &desk],
                )
                .await
        }
    }
    .at(at)?;
    let mut wanted: HashMap<&str, Vec<String>> = HashMap::new();
    for row in &feed {
        wanted.entry(kind(row)).or_default().push(row.get(2));
    }
    let mut uids = |kind: &str| wanted.remove(kind).unwrap_or_default();
    let (run_uids, version_uids) = (uids("run"), uids("policy"));
    let (decision_uids, audit_uids) = (uids("decision"), uids("audit"));
    let mut runs = runs(client, at, &run_uids).await?;
    let mut versions = policy_versions(client, at, &version_uids).await?;
    let mut decisions = if decision_uids.is_empty() {
        HashMap::new()
    } else {
        by_uid(
            decisions(client, at, "d.uid = ANY($1)", &decision_uids).await?,
            |d| &d.uid,
        )
    };
    let mut audit = if audit_uids.is_empty() {
        HashMap::new()
    } else {
        by_uid(
            audit(client, at, "uid = ANY($1)", &audit_uids).await?,
            |a| &a.uid,
        )
    };

    // Every feed row's record is there: both were written in one transaction, and nothing is
    // ever removed.
    let mut batch = Batch::default();
    for row in &feed {
        let uid: &str = row.get(2);
        let gone = || TeamError::Database(format!("the team feed names {uid}, which is missing"));
        match kind(row) {
            "run" => batch.runs.push(runs.remove(uid).ok_or_else(gone)?),
            "policy" => batch
                .policy_versions
                .push(versions.remove(uid).ok_or_else(gone)?),
            "decision" => batch
                .decisions
                .push(decisions.remove(uid).ok_or_else(gone)?),
            _ => batch.audit.push(audit.remove(uid).ok_or_else(gone)?),
        }
    }
    Ok(Pulled {
        batch,
        cursor: feed.last().map_or(cursor, |row| row.get(0)),
        more: feed.len() == max,
    })
}

fn kind(row: &Row) -> &str {
    row.get(1)
}

fn by_uid<T>(records: Vec<T>, uid: impl Fn(&T) -> &String) -> HashMap<String, T> {
    records.into_iter().map(|r| (uid(&r).clone(), r)).collect()
}

/// Runs by uid with all their rows: the runs in one query, then each kind of row for all of
/// them in one query, streamed in order.
async fn runs(
    client: &Client,
    at: &str,
    uids: &[String],
) -> Result<HashMap<String, SharedRun>, TeamError> {
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = client
        .query(
            "SELECT id, uid, desk_id, made_by, env_key, env_name, env_kind, env_api_base_url,
                 env_customer_id, env_production, customer_key, customer_label,
                 customer_institution, customer_login_last4, package, status, request_id,
                 started_at, finished_at, duration_ms, accounts, transactions, error_code,
                 error_message
             FROM runs WHERE uid = ANY($1)",
            &[&uids],
        )
        .await
        .at(at)?;
    let mut by_id: HashMap<i64, SharedRun> = HashMap::with_capacity(rows.len());
    for r in &rows {
        by_id.insert(
            r.get(0),
            SharedRun {
                uid: r.get(1),
                made_on: DeskId {
                    desk: r.get(2),
                    user: r.get(3),
                },
                environment: SharedEnvironment {
                    key: r.get(4),
                    name: r.get(5),
                    kind: r.get(6),
                    api_base_url: r.get(7),
                    customer_id: r.get(8),
                    production: r.get(9),
                },
                customer: SharedCustomer {
                    key: r.get(10),
                    label: r.get(11),
                    institution: r.get(12),
                    login_last4: r.get(13),
                },
                package: r.get(14),
                status: r.get(15),
                request_id: r.get(16),
                started_at: r.get(17),
                finished_at: r.get(18),
                duration_ms: r.get(19),
                accounts: r.get(20),
                transactions: r.get(21),
                error_code: r.get(22),
                error_message: r.get(23),
                values: Vec::new(),
                details: Vec::new(),
                detail_lists: Vec::new(),
                balances: Vec::new(),
            },
        );
    }
    let ids: Vec<i64> = by_id.keys().copied().collect();
    each_row(
        client,
        at,
        "SELECT run_id, scope, name, raw, number FROM attribute_values
         WHERE run_id = ANY($1) ORDER BY run_id, position",
        &ids,
        |r| {
            run_of(&mut by_id, r)?.values.push(SharedValue {
                scope: r.get(1),
                name: r.get(2),
                raw: r.get(3),
                number: r.get(4),
            });
            Ok(())
        },
    )
    .await?;
    each_row(
        client,
        at,
        "SELECT run_id, account_id, transaction_id, date, description, debit, credit, balance
         FROM run_transactions WHERE run_id = ANY($1) ORDER BY run_id, id",
        &ids,
        |r| {
            run_of(&mut by_id, r)?.details.push(SharedTransaction {
                account_id: r.get(1),
                transaction_id: r.get(2),
                date: r.get(3),
                description: r.get(4),
                debit: r.get(5),
                credit: r.get(6),
                balance: r.get(7),
            });
            Ok(())
        },
    )
    .await?;
    each_row(
        client,
        at,
        "SELECT run_id, name, txns FROM attribute_detail_lists
         WHERE run_id = ANY($1) ORDER BY run_id, position",
        &ids,
        |r| {
            let txns: Vec<i32> = r.get(2);
            let txns = txns
                .into_iter()
                .map(|t| {
                    u32::try_from(t).map_err(|_| TeamError::Database(format!("a list holds {t}")))
                })
                .collect::<Result<_, _>>()?;
            run_of(&mut by_id, r)?.detail_lists.push((r.get(1), txns));
            Ok(())
        },
    )
    .await?;
    each_row(
        client,
        at,
        // A desk's file reads them in this order too.
        "SELECT run_id, position, account_id, title, last4, date, balance FROM account_balances
         WHERE run_id = ANY($1) ORDER BY run_id, position, date, account_id",
        &ids,
        |r| {
            run_of(&mut by_id, r)?.balances.push(SharedBalance {
                position: i64::from(r.get::<_, i32>(1)),
                account_id: r.get(2),
                title: r.get(3),
                last4: r.get(4),
                date: r.get(5),
                balance: r.get(6),
            });
            Ok(())
        },
    )
    .await?;
    Ok(by_id
        .into_values()
        .map(|run| (run.uid.clone(), run))
        .collect())
}

fn run_of<'r>(
    runs: &'r mut HashMap<i64, SharedRun>,
    row: &Row,
) -> Result<&'r mut SharedRun, TeamError> {
    let id: i64 = row.get(0);
    runs.get_mut(&id)
        .ok_or_else(|| TeamError::Database(format!("a row refers to run {id}, which was not read")))
}

/// Runs `sql` with the run ids as $1 and hands each row to `each` as it comes, so a page of big
/// runs is never held twice (as rows and as records).
async fn each_row(
    client: &Client,
    at: &str,
    sql: &str,
    ids: &[i64],
    mut each: impl FnMut(&Row) -> Result<(), TeamError>,
) -> Result<(), TeamError> {
    let params: [&(dyn ToSql + Sync); 1] = [&ids];
    let rows = client.query_raw(sql, params).await.at(at)?;
    pin_mut!(rows);
    while let Some(row) = rows.try_next().await.at(at)? {
        each(&row)?;
    }
    Ok(())
}

/// Policy versions by uid (SHA-256, ':', policy name).
async fn policy_versions(
    client: &Client,
    at: &str,
    uids: &[String],
) -> Result<HashMap<String, SharedPolicyVersion>, TeamError> {
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    let (shas, names): (Vec<&str>, Vec<&str>) =
        uids.iter().filter_map(|uid| uid.split_once(':')).unzip();
    let rows = client
        .query(
            "SELECT p.name, v.sha256, v.document, v.note, v.saved_at
             FROM unnest($1::text[], $2::text[]) AS t(name, sha256)
             JOIN policies p ON p.name = t.name
             JOIN policy_versions v ON v.policy_id = p.id AND v.sha256 = t.sha256",
            &[&names, &shas],
        )
        .await
        .at(at)?;
    Ok(rows
        .iter()
        .map(|r| {
            let v = SharedPolicyVersion {
                policy: r.get(0),
                sha256: r.get(1),
                document: r.get(2),
                note: r.get(3),
                saved_at: r.get(4),
            };
            (format!("{}:{}", v.sha256, v.policy), v)
        })
        .collect())
}

/// Decisions where `condition` holds of `$1`, oldest first.
async fn decisions<P: ToSql + Sync>(
    client: &Client,
    at: &str,
    condition: &str,
    param: &P,
) -> Result<Vec<SharedDecision>, TeamError> {
    let rows = client
        .query(
            &format!(
                "SELECT d.uid, r.uid, d.desk_id, d.decided_by, p.name, v.sha256, d.decision,
                     d.reasons, d.input, d.trace, d.affordability, d.override_decision,
                     d.override_comment, d.decided_at
                 FROM decisions d JOIN runs r ON r.id = d.run_id
                 JOIN policy_versions v ON v.id = d.policy_version_id
                 JOIN policies p ON p.id = v.policy_id
                 WHERE {condition} ORDER BY d.id"
            ),
            &[param],
        )
        .await
        .at(at)?;
    Ok(rows
        .iter()
        .map(|r| SharedDecision {
            uid: r.get(0),
            run_uid: r.get(1),
            // As in a desk's file: the decider is the user at the desk that decided.
            made_on: DeskId {
                desk: r.get(2),
                user: r.get(3),
            },
            decided_by: r.get(3),
            policy: r.get(4),
            policy_sha256: r.get(5),
            decision: r.get(6),
            reasons: r.get(7),
            input: r.get(8),
            trace: r.get(9),
            affordability: r.get(10),
            override_decision: r.get(11),
            override_comment: r.get(12),
            decided_at: r.get(13),
        })
        .collect())
}

/// Audit entries where `condition` holds of `$1` (`true` for all), oldest first.
async fn audit<P: ToSql + Sync>(
    client: &Client,
    at: &str,
    condition: &str,
    param: &P,
) -> Result<Vec<AuditEntry>, TeamError> {
    let rows = client
        .query(
            &format!(
                "SELECT uid, at, desk_id, os_user, action, subject FROM audit_log
                 WHERE {condition} ORDER BY id"
            ),
            &[param],
        )
        .await
        .at(at)?;
    Ok(rows
        .iter()
        .map(|r| AuditEntry {
            uid: r.get(0),
            at: r.get(1),
            made_on: DeskId {
                desk: r.get(2),
                user: r.get(3),
            },
            action: r.get(4),
            subject: r.get(5),
        })
        .collect())
}

pub(super) async fn decisions_of(
    client: &Client,
    at: &str,
    run_uid: &str,
) -> Result<Vec<SharedDecision>, TeamError> {
    decisions(client, at, "r.uid = $1", &run_uid).await
}

pub(super) async fn audit_log(client: &Client, at: &str) -> Result<Vec<AuditEntry>, TeamError> {
    // $1 unused but typed, so both callers share one query.
    audit(client, at, "$1::boolean", &true).await
}
