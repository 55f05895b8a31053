//! Every attribute of the catalog is computed from something: across the sandbox's customers it
//! takes at least two values, or it sits on [`ONE_VALUE`] with the reason it cannot. An attribute
//! that is the same for everyone says nothing in a demo and hides a broken calculation in a
//! test, so the cast's transactions are written to move each one.
//!
//! Values are computed from the generated transactions by the engine, every package for every
//! persona, as the server serves them (default scope), on the date every sandbox test uses.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use flinks_sandbox::catalog::{catalog, Package};
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::model::AttrValue;
use flinks_sandbox::personas;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date")
}

/// Why the auto-loan deposits of most calendar months are zero for everyone: a vehicle loan is
/// funded once. The cast's fundings are the small business's four vans (10, 40, 70 and 100
/// days before `as_of`: months 0 to 3) and the gig worker's car (355 days before: month 12).
/// Only a car dealer's account, funded by auto lenders for the cars it sells, would show one
/// every month, and no persona is a dealer.
const NO_VEHICLE_FINANCED: &str = "no persona had a vehicle loan funded in that month";

/// The attributes allowed to take a single value across the cast, each with its reason. The
/// test fails if one of them moves, so that the list only ever holds what must be on it.
#[rustfmt::skip]
const ONE_VALUE: &[(&str, &str)] = &[
    ("operating_expenses_frequency_biz",
        "every account that pays for daily life spends on several days a week, so its expenses \
         (every payee together) never follow one weekly, biweekly or monthly cadence"),
    ("sum_auto_loan_deposits_4_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_5_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_6_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_7_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_8_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_9_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_10_months_ago_biz", NO_VEHICLE_FINANCED),
    ("sum_auto_loan_deposits_11_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_4_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_5_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_6_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_7_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_8_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_9_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_10_months_ago_biz", NO_VEHICLE_FINANCED),
    ("count_auto_loan_deposits_11_months_ago_biz", NO_VEHICLE_FINANCED),
];

/// Each attribute's value for each persona (in the cast's order), from every package. An
/// attribute returned by several packages must have the same value in each.
fn values_by_attribute() -> BTreeMap<String, Vec<AttrValue>> {
    let cast = personas::cast(personas::DEFAULT_SEED, as_of());
    let mut values: BTreeMap<String, Vec<AttrValue>> = BTreeMap::new();
    for (i, p) in cast.iter().enumerate() {
        for package in Package::ALL {
            for a in engine::package(package, p, as_of(), &Scope::default()) {
                let per_persona = values.entry(a.name.clone()).or_default();
                if per_persona.len() == i {
                    per_persona.push(a.value);
                } else {
                    assert_eq!(
                        per_persona[i],
                        a.value,
                        "{}: {} differs in {}",
                        p.username,
                        a.name,
                        package.title()
                    );
                }
            }
        }
    }
    for (name, per_persona) in &values {
        assert_eq!(per_persona.len(), cast.len(), "{name}");
    }
    values
}

fn distinct(values: &[AttrValue]) -> Vec<&AttrValue> {
    let mut seen: Vec<&AttrValue> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

#[test]
fn every_attribute_takes_two_values_across_the_cast_or_says_why_not() {
    let values = values_by_attribute();
    let every: Vec<&str> = catalog().specs().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        values.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = every.clone();
            sorted.sort_unstable();
            sorted
        },
        "the packages together return the whole catalog"
    );

    let mut wrong = Vec::new();
    for name in &every {
        let seen = distinct(&values[*name]);
        let allowed = ONE_VALUE.iter().any(|(n, _)| n == name);
        match (seen.len(), allowed) {
            (1, false) => wrong.push(format!(
                "{name} is {:?} for every customer: give a persona the transactions that move \
                 it, or add it to ONE_VALUE with the reason it cannot move",
                seen[0]
            )),
            (n, true) if n > 1 => wrong.push(format!(
                "{name} is on ONE_VALUE but takes {n} values: take it off the list"
            )),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_list_names_catalog_attributes_once_each_with_a_reason() {
    for (i, (name, reason)) in ONE_VALUE.iter().enumerate() {
        assert!(
            catalog().get(name).is_some(),
            "{name} is not in the catalog"
        );
        assert!(
            ONE_VALUE[..i].iter().all(|(n, _)| n != name),
            "{name} is listed twice"
        );
        assert!(reason.len() > 20, "{name}: say why");
    }
}
