//! A finished flow's output as the store keeps it: values, the transactions behind them, and
//! each account's end-of-day balances. One conversion, so every kind of run stores the same.

use flinks_client::{AttributeValue, FlowOutput};
use rust_decimal::Decimal;

use crate::store::{BalanceSeries, DayBalance, StoredDetail, StoredValue};

/// The rows one completed run writes.
pub(super) struct RunRows {
    pub values: Vec<StoredValue>,
    pub details: Vec<StoredDetail>,
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
        let amount = |a: Option<Decimal>| a.map(|d| d.normalize().to_string());
        let details = output
            .attributes
            .details
            .iter()
            .flat_map(|d| {
                d.transactions.iter().map(move |t| StoredDetail {
                    name: d.attribute.clone(),
                    account_id: t.account_id.clone(),
                    transaction_id: t.transaction.id.clone(),
                    date: t.transaction.date.to_string(),
                    description: t.transaction.description.clone(),
                    debit: amount(t.transaction.debit),
                    credit: amount(t.transaction.credit),
                    balance: amount(t.transaction.balance),
                })
            })
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
            details,
            balances,
        }
    }
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
