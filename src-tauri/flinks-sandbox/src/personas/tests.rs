use chrono::{Datelike, TimeDelta, Weekday};

use super::builder::Span;
use super::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

#[test]
fn usernames_are_the_documented_ones() {
    let names: Vec<_> = cast(DEFAULT_SEED, as_of())
        .into_iter()
        .map(|p| p.username)
        .collect();
    assert_eq!(
        names,
        [
            "salaried_biweekly",
            "borrower_nsf",
            "gig_worker",
            "government_income",
            "thin_file_student",
            "high_income_saver",
            "small_business",
            "multiple_employers"
        ]
    );
}

#[test]
fn transactions_are_well_formed_and_within_history() {
    for p in cast(DEFAULT_SEED, as_of()) {
        for a in &p.accounts {
            assert_eq!(a.institution_number, "777");
            assert_eq!(a.currency, "CAD");
            let first = (as_of() - TimeDelta::days(HISTORY_DAYS)).max(a.opened);
            for t in &a.transactions {
                assert!(first <= t.date && t.date <= as_of(), "{} {t:?}", p.username);
                match (t.debit, t.credit) {
                    (Some(d), None) => assert!(d > 0),
                    (None, Some(c)) => assert!(c > 0),
                    other => panic!("{}: {other:?}", p.username),
                }
            }
            assert!(a.transactions.windows(2).all(|w| w[0].date <= w[1].date));
        }
    }
}

#[test]
fn every_persona_has_a_chequing_account_and_the_student_is_recent() {
    for p in cast(DEFAULT_SEED, as_of()) {
        assert!(
            p.accounts
                .iter()
                .any(|a| a.account_type == "Chequing" && a.category == "Operations"),
            "{}",
            p.username
        );
        let age = (as_of() - p.accounts[0].opened).num_days();
        if p.username == "thin_file_student" {
            assert!((90..=150).contains(&age));
            assert!(p.accounts[0].transactions.len() < 80);
        } else {
            assert!(age > 365, "{}", p.username);
        }
    }
}

#[test]
fn the_borrower_is_overdrawn_on_several_of_the_last_90_days_whatever_the_seed() {
    for seed in 0..20 {
        let as_of = as_of() + TimeDelta::days(seed as i64 * 11);
        let cast = cast(seed, as_of);
        let account = &cast
            .iter()
            .find(|p| p.username == "borrower_nsf")
            .unwrap()
            .accounts[0];
        let txs = &account.transactions;
        let overdrawn_days = (0..90)
            .map(|back| as_of - TimeDelta::days(back))
            .filter(|day| {
                let end = txs.iter().take_while(|t| t.date <= *day).last().unwrap();
                end.balance < 0
            })
            .count();
        assert!(overdrawn_days >= 3, "seed {seed}: {overdrawn_days}");
        assert!(
            txs.iter().all(|t| t.balance >= -account.overdraft_limit),
            "seed {seed}"
        );
        assert!(
            txs[0].balance > txs[txs.len() - 1].balance,
            "the balance falls over the year"
        );
    }
}

#[test]
fn bulk_has_exactly_n_transactions_over_two_years() {
    for n in [0, 1, 5_000] {
        let p = bulk(DEFAULT_SEED, as_of(), n);
        assert_eq!(p.username, format!("bulk_{n}"));
        assert_eq!(p.accounts.len(), 1);
        let txs = &p.accounts[0].transactions;
        assert_eq!(txs.len(), n);
        if n > 1_000 {
            let span = (txs[n - 1].date - txs[0].date).num_days();
            assert!(span > 700, "{span}");
        }
    }
    assert_eq!(bulk(7, as_of(), 300), bulk(7, as_of(), 300));
}

#[test]
fn schedules() {
    let mut b = Builder::new(1, &SCRIPTS[0], as_of(), HISTORY_DAYS);
    let span = Span {
        from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
    };
    let fridays = b.every(span, 14, 0);
    assert!(fridays.iter().all(|d| d.weekday() == Weekday::Fri));
    assert!(fridays.windows(2).all(|w| (w[1] - w[0]).num_days() == 14));
    assert_eq!(
        fridays.first(),
        NaiveDate::from_ymd_opt(2026, 1, 2).as_ref()
    );
    assert_eq!(fridays.len(), 7);
    let month_ends = b.monthly(span, 31, 0);
    let days: Vec<_> = month_ends.iter().map(|d| (d.month(), d.day())).collect();
    // Jan 31 and Feb 28 2026 are Saturdays: the Mondays after are in the next month, so
    // they move back to the Fridays.
    assert_eq!(days, [(1, 30), (2, 27), (3, 31)]);
    let mid_month = b.monthly(span, 14, 0);
    let days: Vec<_> = mid_month.iter().map(|d| (d.month(), d.day())).collect();
    // Feb 14 and Mar 14 2026 are Saturdays.
    assert_eq!(days, [(1, 14), (2, 16), (3, 16)]);
    let mut weekly = b.per_week(span, (2, 2));
    let n = weekly.len();
    weekly.dedup();
    assert_eq!(weekly.len(), n, "days within a week are distinct");
    assert!((2 * 12..=2 * 14).contains(&n));
    assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
}

#[test]
fn nsf_fees_follow_the_payments_that_overdraw_the_account() {
    use super::builder::{Kind, NsfPolicy, Opening};
    use crate::model::Cents;
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let policy = NsfPolicy {
        payments: &["LOAN PAD", "PHONE PAD"],
        fee: ("NSF FEE", 48_00),
        min_gap_days: 7,
        overdrawn_in_last_90_days: 1,
    };
    let statement = |opening: Opening, limit, lines: &[(u32, &str, Cents)]| {
        let mut b = Builder::new(1, &SCRIPTS[0], as_of(), HISTORY_DAYS);
        let chq = b.open(Kind::Chequing, 400, limit, opening);
        for &(d, description, amount) in lines {
            b.push(chq, day(d), description.to_owned(), amount);
        }
        b.nsf_policy(chq, policy);
        b.finish().accounts.remove(0).transactions
    };
    let lines = [
        (1, "LOAN PAD", -50_00),  // 100 → 50: covered
        (2, "PHONE PAD", -80_00), // → −30: overdrawn, a fee
        (4, "LOAN PAD", -20_00),  // overdrawn again, but two days after a fee
        (5, "GROCER", -100_00),   // not a pre-authorized payment
        (9, "LOAN PAD", -10_00),  // seven days after the fee: another
        (10, "PAYROLL", 1_000_00),
        (11, "PHONE PAD", -80_00), // covered
    ];
    let txs = statement(Opening::Fixed(100_00), 1_000_00, &lines);
    let fees: Vec<(u32, Cents)> = txs
        .windows(2)
        .filter(|w| w[1].description == "NSF FEE")
        .map(|w| (w[1].date.day(), w[0].balance))
        .collect();
    assert_eq!(fees, [(2, -30_00), (9, -208_00)]);
    assert!(txs
        .iter()
        .all(|t| t.description != "NSF FEE" || t.debit == Some(48_00)));
    assert_eq!(
        txs.last().unwrap().balance,
        100_00 - 260_00 - 96_00 + 1_000_00 - 80_00
    );

    // A fee never takes the balance past the overdraft limit: the account must have started
    // higher, and then only the payments that still overdraw it are charged.
    let tight = statement(
        Opening::Fixed(0),
        100_00,
        &[(2, "LOAN PAD", -90_00), (3, "GROCER", -10_00)],
    );
    assert!(tight.iter().all(|t| t.balance >= -100_00), "{tight:?}");
    assert_eq!(
        tight.iter().filter(|t| t.description == "NSF FEE").count(),
        1
    );
    assert_eq!(tight.last().unwrap().balance, -100_00);
}
