//! NSF fees come when a payment bounces on an (almost) empty account, never on a comfortable
//! balance: for every NSF-fee transaction of every persona, the balance just before the fee is
//! under [`ALMOST_EMPTY`].

// Amounts are cents written as dollars_cents (100_00 is $100.00), a grouping clippy would
// otherwise call inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{NaiveDate, TimeDelta};
use flinks_sandbox::classify::{classify, Category};
use flinks_sandbox::model::{Cents, Persona, Transaction};
use flinks_sandbox::personas;

/// $100, about two NSF fees. Flinks Capital charges one only when a pre-authorized payment takes
/// the balance below zero, so before the fee the account is overdrawn; the margin above zero
/// allows a bank that bounces a payment larger than a small positive balance (a $128 transit
/// reload on $90), while a fee on a balance that could have paid the usual bill (the old data
/// charged them on $5,000) fails.
const ALMOST_EMPTY: Cents = 100_00;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date")
}

fn is_nsf_fee(t: &Transaction) -> bool {
    classify(&t.description, t.credit.is_some()) == Category::NsfFee
}

/// (username, date, balance just before the fee) of every NSF fee of the cast.
fn nsf_fees(cast: &[Persona]) -> Vec<(&str, NaiveDate, Cents)> {
    cast.iter()
        .flat_map(|p| {
            p.accounts.iter().flat_map(move |a| {
                a.transactions
                    .iter()
                    .filter(|t| is_nsf_fee(t))
                    .map(move |t| (p.username.as_str(), t.date, t.balance - t.signed_amount()))
            })
        })
        .collect()
}

fn assert_fees_follow_low_balances(cast: &[Persona], label: &str) {
    let high: Vec<String> = nsf_fees(cast)
        .into_iter()
        .filter(|(_, _, before)| *before >= ALMOST_EMPTY)
        .map(|(who, date, before)| {
            format!(
                "{who} on {date}: {:.2} before the fee",
                before as f64 / 100.0
            )
        })
        .collect();
    assert!(high.is_empty(), "{label}: {}", high.join("; "));
}

#[test]
fn every_nsf_fee_of_the_cast_follows_a_low_balance() {
    let cast = personas::cast(personas::DEFAULT_SEED, as_of());
    let fees = nsf_fees(&cast);
    assert!(
        fees.iter().any(|(who, _, _)| *who == "borrower_nsf"),
        "the borrower has NSF fees to check"
    );
    assert_fees_follow_low_balances(&cast, "as of 2026-03-15");
}

#[test]
fn whatever_the_seed_and_day_nsf_fees_follow_low_balances_and_the_borrower_has_recent_ones() {
    for seed in 0..20 {
        let as_of = as_of() + TimeDelta::days(seed as i64 * 11);
        let cast = personas::cast(seed, as_of);
        assert_fees_follow_low_balances(&cast, &format!("seed {seed}"));
        let recent = nsf_fees(&cast)
            .into_iter()
            .filter(|(who, date, _)| *who == "borrower_nsf" && (as_of - *date).num_days() < 90)
            .count();
        assert!(recent >= 1, "seed {seed}: no NSF fee in the last 90 days");
    }
}
