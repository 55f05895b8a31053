//! report_all's way of storing the big customer's All run without a desk run: the sandbox's
//! engine output turned into the store's rows, as Desk::run would make them from the
//! attributes reply. big_customer no longer uses it (it measures `Desk::run` itself); it stays
//! until report_all stores its run through `Desk::run` too, since it repeats the desk's
//! conversion (desk-core's `record.rs`) rather than calling it.

use std::collections::HashMap;

use desk_core::store::{StoredDetail, StoredValue};
use flinks_client::AttributeValue;
use flinks_sandbox::model::{Attribute, Cents, Persona, Transaction};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

/// The run's rows as Desk::run makes them from the attributes reply: each value as the client
/// reads it from the JSON, and each transaction behind a value with its amounts as decimal text.
pub(crate) fn stored(
    persona: &Persona,
    attributes: &[Attribute],
) -> (Vec<StoredValue>, Vec<StoredDetail>) {
    let values = attributes
        .iter()
        .map(|a| {
            let (raw, number) = match reply_value(a.value.to_json()) {
                AttributeValue::Number(d) => (d.normalize().to_string(), d.to_f64()),
                AttributeValue::Text(s) => (s, None),
                AttributeValue::Bool(b) => (if b { "YES" } else { "NO" }.to_owned(), None),
                AttributeValue::Null => (String::new(), None),
            };
            StoredValue {
                scope: "login".into(),
                name: a.name.clone(),
                raw,
                number,
            }
        })
        .collect();
    let by_id: HashMap<(Uuid, Uuid), &Transaction> = persona
        .accounts
        .iter()
        .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
        .collect();
    let amount = |c: Cents| Decimal::new(c, 2).normalize().to_string();
    let details = attributes
        .iter()
        .flat_map(|a| {
            a.detail.iter().filter_map(|key| {
                let t = by_id.get(key)?;
                Some(StoredDetail {
                    name: a.name.clone(),
                    account_id: Some(key.0.to_string()),
                    transaction_id: Some(t.id.to_string()),
                    date: t.date.to_string(),
                    description: Some(t.description.clone()),
                    debit: t.debit.map(amount),
                    credit: t.credit.map(amount),
                    balance: Some(amount(t.balance)),
                })
            })
        })
        .collect();
    (values, details)
}

/// An attribute's JSON value as flinks-client reads it (wire.rs `AttributeValue::from_json`).
fn reply_value(v: Value) -> AttributeValue {
    match v {
        Value::Number(n) => n
            .to_string()
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .map_or(AttributeValue::Null, AttributeValue::Number),
        Value::String(s) => AttributeValue::Text(s),
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Null => AttributeValue::Null,
        other => AttributeValue::Text(other.to_string()),
    }
}
