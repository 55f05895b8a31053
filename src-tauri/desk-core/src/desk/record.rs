//! A finished flow's output as the store keeps it: values, the transactions behind them, and
//! each account's end-of-day balances. One conversion, so every kind of run stores the same.

use std::collections::HashMap;
use std::sync::Arc;

use flinks_client::{AttributeValue, DetailTransaction, FlowOutput};
use rust_decimal::Decimal;

use crate::store::{BalanceSeries, DayBalance, DetailLists, StoredDetail, StoredValue};

/// The rows one completed run writes.
pub(super) struct RunRows {
    pub values: Vec<StoredValue>,
    pub details: DetailLists,
    pub balances: Vec<BalanceSeries>,
}

impl From<&FlowOutput> for RunRows {
    fn from(output: &FlowOutput) -> Self {
        let values = output
            .attributes
            .values
            .iter()
            .map(|(name, value)| stored(name, value))
            .collect();
        let balances = output
            .balances
            .iter()
            .filter(|a| !a.days.is_empty())
            .map(|a| BalanceSeries {
                account_id: a.account_id.clone(),
                title: a.title.clone(),
                last4: a.number_last4.clone(),
                days: a
                    .days
                    .iter()
                    .map(|&(date, balance)| DayBalance { date, balance })
                    .collect(),
            })
            .collect();
        RunRows {
            values,
            details: gathered(output),
            balances,
        }
    }
}

/// The transactions behind the values, each once. The client shares each transaction of the
/// reply among the values it is behind, so the shared value finds its row: a busy account's
/// All reply mentions each transaction a dozen times, and a row per mention was most of what
/// a run held while it was stored.
fn gathered(output: &FlowOutput) -> DetailLists {
    let amount = |a: Option<Decimal>| a.map(|d| d.normalize().to_string());
    let mut gathered = DetailLists::default();
    // `output` holds every shared transaction until the end: the addresses stay theirs.
    let mut places: HashMap<*const DetailTransaction, usize> = HashMap::new();
    let mut lists: HashMap<&str, usize> = HashMap::new();
    for d in &output.attributes.details {
        let list = *lists.entry(&d.attribute).or_insert_with(|| {
            gathered.lists.push((d.attribute.clone(), Vec::new()));
            gathered.lists.len() - 1
        });
        for t in &d.transactions {
            let place = *places.entry(Arc::as_ptr(t)).or_insert_with(|| {
                gathered.transactions.push(StoredDetail {
                    name: d.attribute.clone(),
                    account_id: t.account_id.clone(),
                    transaction_id: t.transaction.id.clone(),
                    date: t.transaction.date.to_string(),
                    description: t.transaction.description.clone(),
                    debit: amount(t.transaction.debit),
                    credit: amount(t.transaction.credit),
                    balance: amount(t.transaction.balance),
                });
                gathered.transactions.len() - 1
            });
            gathered.lists[list].1.push(place);
        }
    }
    gathered
}

fn stored(name: &str, value: &AttributeValue) -> StoredValue {
    let (raw, number) = match value {
        AttributeValue::Number(d) => (
            d.normalize().to_string(),
            rust_decimal::prelude::ToPrimitive::to_f64(d),
        ),
        AttributeValue::Text(s) => (s.clone(), None),
        AttributeValue::Bool(b) => (if *b { "YES" } else { "NO" }.to_owned(), None),
        AttributeValue::Null => (String::new(), None),
    };
    StoredValue {
        scope: "login".into(),
        name: name.to_owned(),
        raw,
        number,
    }
}
