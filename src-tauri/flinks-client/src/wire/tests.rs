use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;

fn read<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(fold_keys(v)).unwrap()
}

#[test]
fn accounts_detail_reads_the_documented_example_in_any_key_case() {
    let detail: AccountsDetail = read(json!({
        "HttpStatusCode": 200,
        "Accounts": [{
            "Transactions": [
                {"Date": "2025-01-31", "Code": null, "Description": "PAYROLL", "Debit": null,
                 "Credit": 1500.25, "Balance": 5105.6, "Id": "94584aed"},
                {"date": "2025/01/30", "description": "Card", "DEBIT": 150, "credit": null,
                 "Balance": "3605.10", "ID": "c2fb949a"}
            ],
            "Balance": {"Available": 5405.5, "Current": 5105.5, "Limit": null},
            "Category": "Operations", "Type": "Chequing", "Currency": "CAD",
            "Id": "27a9ffa0", "SomethingNew": {"x": 1}
        }],
        "Login": {"Username": "chat_gpt", "Id": "5602459c-f6d0-4ca0-6750-08dccdcadcc0"},
        "RequestId": "22178382"
    }));
    let account = &detail.accounts[0];
    assert_eq!(account.transactions.len(), 2);
    assert_eq!(
        account.transactions[0].credit,
        Some(Decimal::new(150025, 2))
    );
    assert_eq!(
        account.transactions[0].balance,
        Some(Decimal::new(51056, 1))
    );
    assert_eq!(
        account.transactions[1].date,
        NaiveDate::from_ymd_opt(2025, 1, 30).unwrap()
    );
    assert_eq!(account.transactions[1].debit, Some(Decimal::new(150, 0)));
    assert_eq!(
        account.transactions[1].balance,
        Some(Decimal::new(360510, 2))
    );
    assert_eq!(account.balance.as_ref().unwrap().limit, None);
    assert_eq!(detail.login.unwrap().id.last4(), "dcc0");
}

#[test]
fn a_bad_amount_is_an_error_not_a_zero() {
    let bad = fold_keys(json!({"Date": "2025-01-31", "Debit": "12,50"}));
    assert!(serde_json::from_value::<Transaction>(bad).is_err());
    let bad_date = fold_keys(json!({"Date": "31/01/2025"}));
    assert!(serde_json::from_value::<Transaction>(bad_date).is_err());
}

#[test]
fn attributes_keep_order_types_and_details_and_drop_the_card_id() {
    let attrs = Attributes::from_folded(fold_keys(json!({
        "HttpStatusCode": 200,
        "Card": {
            "Id": "0e3180b8-6339-42d0-24d1-08d9f315cb5b",
            "account_age_days": 364,
            "employer_name": "United Airlines",
            "balance_min": -10330.88,
            "AttributesDetail": {"Attribute": "sum_x", "Transactions": [
                {"transactionid": "7ccb", "AccountId": "0e31", "Date": "2022/02/02",
                 "Description": "United Airlines", "Debit": null, "Credit": 500, "Balance": 65756.6}
            ]}
        },
        "RequestId": "1e01c5cc"
    })))
    .unwrap();
    let names: Vec<_> = attrs.values.keys().cloned().collect();
    assert_eq!(names, ["account_age_days", "employer_name", "balance_min"]);
    assert_eq!(
        attrs.values["balance_min"],
        AttributeValue::Number(Decimal::new(-1033088, 2))
    );
    assert_eq!(
        attrs.values["employer_name"],
        AttributeValue::Text("United Airlines".into())
    );
    assert_eq!(attrs.details.len(), 1);
    let behind = &attrs.details[0].transactions[0];
    assert_eq!(behind.transaction.id.as_deref(), Some("7ccb"));
    assert_eq!(behind.account_id.as_deref(), Some("0e31"));
    assert_eq!(behind.transaction.credit, Some(Decimal::new(500, 0)));
    assert_eq!(
        behind.transaction.date,
        NaiveDate::from_ymd_opt(2022, 2, 2).unwrap()
    );
}

#[test]
fn a_transaction_behind_several_attributes_is_kept_once_and_a_different_one_apart() {
    let row = |credit: f64| {
        json!({"TransactionId": "7ccb", "AccountId": "0e31", "Date": "2022/02/02",
               "Description": "PAYROLL", "Debit": null, "Credit": credit, "Balance": 65756.6})
    };
    let reply = json!({
        "HttpStatusCode": 200,
        "Card": {
            "sum_x": 500,
            "AttributesDetail": [
                {"Attribute": "sum_x", "Transactions": [row(500.0)]},
                {"Attribute": "sum_y", "Transactions": [row(500.0), row(501.0)]}
            ]
        }
    });
    let typed = crate::decode::attributes(200, reply.to_string().as_bytes(), &[]).unwrap();
    let tree = Attributes::from_folded(fold_keys(reply)).unwrap();
    for attrs in [typed, tree] {
        let (x, y) = (
            &attrs.details[0].transactions,
            &attrs.details[1].transactions,
        );
        assert!(std::sync::Arc::ptr_eq(&x[0], &y[0]), "the same transaction");
        // Same ids, another amount: what the reply says is kept as it says it.
        assert!(!std::sync::Arc::ptr_eq(&y[0], &y[1]));
        assert_eq!(y[1].transaction.credit, Some(Decimal::new(501, 0)));
    }
}

#[test]
fn attributes_without_a_card_are_refused() {
    assert!(Attributes::from_folded(json!({"requestid": "x"})).is_err());
    assert!(Attributes::from_folded(json!([1, 2])).is_err());
}

#[test]
fn packages_parse_from_slugs_and_titles() {
    for p in Package::ALL {
        assert_eq!(p.slug().parse::<Package>().unwrap(), p);
        assert_eq!(p.title().parse::<Package>().unwrap(), p);
    }
    assert!("credit".parse::<Package>().is_err());
}
