//! A pushed run's values, transactions, lists and balances, written by binary COPY straight
//! into their tables: about a thousand rows a run, a million for a push of 1,000 runs, which
//! COPY takes in a stream where INSERTs would each be a statement.

use futures::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::Transaction;

use super::Pg;
use crate::team::{SharedRun, TeamError};

/// A place or a length as PostgreSQL's integer.
pub(super) fn count(n: usize) -> Result<i32, TeamError> {
    i32::try_from(n).map_err(|_| TeamError::Database(format!("{n} rows in one run is too many")))
}

pub(super) async fn values(
    tx: &Transaction<'_>,
    at: &str,
    runs: &[(i64, &SharedRun)],
) -> Result<(), TeamError> {
    let sink = tx
        .copy_in(
            "COPY attribute_values (run_id, position, scope, name, raw, number)
             FROM STDIN (FORMAT binary)",
        )
        .await
        .at(at)?;
    let types = [
        Type::INT8,
        Type::INT4,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::FLOAT8,
    ];
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for (id, run) in runs {
        for (place, v) in run.values.iter().enumerate() {
            let place = count(place)?;
            writer
                .as_mut()
                .write(&[id, &place, &v.scope, &v.name, &v.raw, &v.number])
                .await
                .at(at)?;
        }
    }
    writer.finish().await.at(at)?;
    Ok(())
}

pub(super) async fn transactions(
    tx: &Transaction<'_>,
    at: &str,
    runs: &[(i64, &SharedRun)],
) -> Result<(), TeamError> {
    let sink = tx
        .copy_in(
            "COPY run_transactions (run_id, id, account_id, transaction_id, date, description,
                 debit, credit, balance)
             FROM STDIN (FORMAT binary)",
        )
        .await
        .at(at)?;
    let mut types = vec![Type::INT8, Type::INT4];
    types.extend([Type::TEXT; 7]);
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for (id, run) in runs {
        for (place, t) in run.details.iter().enumerate() {
            let place = count(place)?;
            writer
                .as_mut()
                .write(&[
                    id,
                    &place,
                    &t.account_id,
                    &t.transaction_id,
                    &t.date,
                    &t.description,
                    &t.debit,
                    &t.credit,
                    &t.balance,
                ])
                .await
                .at(at)?;
        }
    }
    writer.finish().await.at(at)?;
    Ok(())
}

pub(super) async fn lists(
    tx: &Transaction<'_>,
    at: &str,
    runs: &[(i64, &SharedRun)],
) -> Result<(), TeamError> {
    let sink = tx
        .copy_in(
            "COPY attribute_detail_lists (run_id, position, name, txns) FROM STDIN (FORMAT binary)",
        )
        .await
        .at(at)?;
    let types = [Type::INT8, Type::INT4, Type::TEXT, Type::INT4_ARRAY];
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    let mut txns: Vec<i32> = Vec::new();
    for (id, run) in runs {
        for (place, (name, list)) in run.detail_lists.iter().enumerate() {
            let place = count(place)?;
            txns.clear();
            for &t in list {
                txns.push(count(t as usize)?);
            }
            writer
                .as_mut()
                .write(&[id, &place, name, &txns])
                .await
                .at(at)?;
        }
    }
    writer.finish().await.at(at)?;
    Ok(())
}

pub(super) async fn balances(
    tx: &Transaction<'_>,
    at: &str,
    runs: &[(i64, &SharedRun)],
) -> Result<(), TeamError> {
    let sink = tx
        .copy_in(
            "COPY account_balances (run_id, position, account_id, title, last4, date, balance)
             FROM STDIN (FORMAT binary)",
        )
        .await
        .at(at)?;
    let mut types = vec![Type::INT8, Type::INT4];
    types.extend([Type::TEXT; 5]);
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for (id, run) in runs {
        for b in &run.balances {
            let position = i32::try_from(b.position).map_err(|_| {
                TeamError::Database(format!(
                    "an account at place {} is past any list",
                    b.position
                ))
            })?;
            writer
                .as_mut()
                .write(&[
                    id,
                    &position,
                    &b.account_id,
                    &b.title,
                    &b.last4,
                    &b.date,
                    &b.balance,
                ])
                .await
                .at(at)?;
        }
    }
    writer.finish().await.at(at)?;
    Ok(())
}
