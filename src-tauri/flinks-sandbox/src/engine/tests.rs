use std::collections::HashMap;

use chrono::TimeDelta;
use uuid::Uuid;

use super::book::{payee_key, Book};
use super::measures::{div_round, frequency, trend_of};
use super::window::Window;
use super::*;
use crate::model::{Account, AttrValue, Cents, Transaction};
use crate::personas::{self, DEFAULT_SEED};
use crate::vocabulary::{month_suffix, AverageDivisor, Calculation, Flow, FlowDirection};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn as_of() -> NaiveDate {
    day("2026-03-15")
}

/// An account from (date, description, signed amount) rows in date order, with ids that
/// tell the account (`n`) and the row apart.
fn account(
    n: u128,
    kind: (&str, &str),
    opened: &str,
    opening: Cents,
    rows: &[(&str, &str, Cents)],
) -> Account {
    let mut balance = opening;
    Account {
        id: Uuid::from_u128(n << 64),
        title: kind.0.to_owned(),
        account_type: kind.0.to_owned(),
        category: kind.1.to_owned(),
        currency: "CAD".to_owned(),
        transit_number: "00001".to_owned(),
        institution_number: "777".to_owned(),
        account_number: "1234567".to_owned(),
        overdraft_limit: 1_000_00,
        opened: day(opened),
        transactions: rows
            .iter()
            .zip(1..)
            .map(|(&(date, description, amount), i)| {
                balance += amount;
                Transaction {
                    id: Uuid::from_u128((n << 64) + i),
                    date: day(date),
                    description: description.to_owned(),
                    debit: (amount < 0).then_some(-amount),
                    credit: (amount > 0).then_some(amount),
                    balance,
                }
            })
            .collect(),
    }
}

const CHEQUING: (&str, &str) = ("Chequing", "Operations");
const SAVINGS: (&str, &str) = ("Savings", "Operations");
const CARD: (&str, &str) = ("CreditCard", "Credits");

fn persona(accounts: Vec<Account>) -> Persona {
    Persona {
        username: "fixture".to_owned(),
        holder_name: "Fixture".to_owned(),
        story: "hand-computed".to_owned(),
        login_id: Uuid::from_u128(1),
        accounts,
    }
}

fn value<'a>(attributes: &'a [Attribute], name: &str) -> &'a AttrValue {
    &find(attributes, name).value
}

fn find<'a>(attributes: &'a [Attribute], name: &str) -> &'a Attribute {
    attributes
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

fn money(cents: Cents) -> AttrValue {
    AttrValue::Money(cents)
}

fn text_value(s: &str) -> AttrValue {
    AttrValue::Text(s.to_owned())
}

/// The transaction ids (the row numbers of [`account`]) behind an attribute.
fn rows(a: &Attribute) -> Vec<u128> {
    a.detail
        .iter()
        .map(|(_, tx)| tx.as_u128() & 0xffff)
        .collect()
}

/// One chequing account open for years; rows sit on the window boundaries.
fn boundaries() -> Persona {
    persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        1_000_00,
        &[
            ("2025-03-15", "PAYROLL DEP AIR CANADA", 1_000_00), // 1: 365 days before: out of the year
            ("2025-03-16", "PAYROLL DEP AIR CANADA", 1_100_00), // 2: 364 days before: in
            ("2025-12-15", "NSF FEE", -48_00),                  // 3: 90 days before: out of 90 days
            ("2025-12-16", "NSF FEE", -48_00),                  // 4: 89 days before: in
            ("2026-01-31", "STOP PAYMENT FEE", -12_50),         // 5
            ("2026-02-10", "CANADA FED EI", 300_00),            // 6
            ("2026-02-11", "UBER CANADA BV PAYOUT", 200_00),    // 7
            ("2026-02-28", "PAYROLL DEP AIR CANADA", 2_000_00), // 8: last day of the previous month
            ("2026-03-01", "PAYROLL DEP AIR CANADA", 2_000_00), // 9: first day of the current month
            ("2026-03-02", "PAYROLL DEP WESTJET", 500_00),      // 10
            ("2026-03-10", "HYDRO ONE BILL PAYMENT", -120_00),  // 11
            ("2026-03-11", "TD AUTO FINANCE PAD", -400_00),     // 12
            ("2026-03-12", "ICASH LOAN PAD", -150_00),          // 13
            ("2026-03-16", "PAYROLL DEP AIR CANADA", 999_00),   // 14: after as_of: ignored
        ],
    )])
}

#[test]
fn ninety_day_counts_include_day_89_and_exclude_day_90() {
    let attrs = credit_risk(&boundaries(), as_of());
    let nsf = find(&attrs, "count_nsf_90_days");
    assert_eq!(nsf.value, AttrValue::Count(1));
    assert_eq!(rows(nsf), [4]);
    let stop = find(&attrs, "count_stop_payment_90_days");
    assert_eq!(stop.value, AttrValue::Count(1));
    assert_eq!(rows(stop), [5]);
}

#[test]
fn calendar_months_follow_as_of() {
    let attrs = credit_risk(&boundaries(), as_of());
    let current = find(&attrs, "sum_employer_income_current_month");
    assert_eq!(current.value, money(2_500_00));
    assert_eq!(rows(current), [9, 10]);
    assert_eq!(
        *value(&attrs, "count_employer_income_current_month"),
        AttrValue::Count(2)
    );
    let previous = find(&attrs, "sum_employer_income_previous_month");
    assert_eq!(previous.value, money(2_000_00));
    assert_eq!(rows(previous), [8]);
    assert_eq!(*value(&attrs, "sum_employer_income_2_months_ago"), money(0));
    assert_eq!(
        *value(&attrs, "count_employer_income_2_months_ago"),
        AttrValue::Count(0)
    );
    // March 2025 is a whole calendar month, even the day that is out of the 365-day window.
    let oldest = find(&attrs, "sum_employer_income_12_months_ago");
    assert_eq!(oldest.value, money(2_100_00));
    assert_eq!(rows(oldest), [1, 2]);
    assert_eq!(
        *value(&attrs, "count_employer_income_12_months_ago"),
        AttrValue::Count(2)
    );
}

#[test]
fn window_edges() {
    let w = Window::calendar_month(as_of(), 0);
    assert_eq!((w.after, w.upto), (day("2026-02-28"), as_of()));
    let w = Window::calendar_month(as_of(), 1);
    assert_eq!((w.after, w.upto), (day("2026-01-31"), day("2026-02-28")));
    let w = Window::calendar_month(as_of(), 12);
    assert_eq!((w.after, w.upto), (day("2025-02-28"), day("2025-03-31")));
    let w = Window::last_days(as_of(), 90);
    assert!(!w.contains(day("2025-12-15")) && w.contains(day("2025-12-16")));
    assert!(w.contains(as_of()) && !w.contains(day("2026-03-16")));
    assert_eq!(month_suffix(0), "current_month");
    assert_eq!(month_suffix(1), "previous_month");
    assert_eq!(month_suffix(7), "7_months_ago");
}

#[test]
fn yearly_averages_divide_a_full_year_by_twelve() {
    let attrs = credit_risk(&boundaries(), as_of());
    // Rows 2, 8, 9 and 10: 5,600.00 / 12.
    let employer = find(&attrs, "average_monthly_employer_income_complex");
    assert_eq!(employer.value, money(466_67));
    assert_eq!(rows(employer), [2, 8, 9, 10]);
    assert_eq!(*value(&attrs, "employer_name"), text_value("Air Canada"));
    assert_eq!(
        *value(&attrs, "average_monthly_non_employer_income_complex"),
        money(41_67)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_government_income_complex"),
        money(25_00)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_loan_payments_complex"),
        money(45_83)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_auto_loan_payments_complex"),
        money(33_33)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_micro_loan_payments_complex"),
        money(12_50)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_mortgage_payments_complex"),
        money(0)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_utility_payments_complex"),
        money(10_00)
    );
    assert_eq!(
        *value(&attrs, "average_monthly_telecom_payments_complex"),
        money(0)
    );
    assert_eq!(*value(&attrs, "micro_lender_name"), text_value("iCash"));
    // Debits 3, 4, 5, 11, 12, 13: 778.50 / 12 = 64.875, rounded half away from zero.
    let debit = find(&attrs, "average_monthly_debit");
    assert_eq!(debit.value, money(64_88));
    assert_eq!(rows(debit), [3, 4, 5, 11, 12, 13]);
    // Credits 6,100.00 − debits 778.50 = 5,321.50 / 12.
    let flow = find(&attrs, "average_monthly_free_cash_flow");
    assert_eq!(flow.value, money(443_46));
    assert_eq!(flow.detail.len(), 12);
    assert_eq!(*value(&attrs, "account_age_days"), AttrValue::Count(2_265));
}

#[test]
fn end_of_day_balances_carry_into_the_window() {
    let p = persona(vec![account(
        1,
        CHEQUING,
        "2025-01-01",
        100_00,
        &[
            ("2025-12-15", "LOBLAWS #1042", -200_00), // −100 on day 90: outside
            ("2025-12-17", "INTERAC E-TRANSFER FROM M ROY", 150_00), // 50
            ("2026-03-14", "LOBLAWS #1042", -80_00),  // −30 on the 14th and the 15th
        ],
    )]);
    let attrs = credit_risk(&p, as_of());
    // Dec 16 carries −100 from the day before the window.
    assert_eq!(*value(&attrs, "balance_min"), money(-100_00));
    assert_eq!(
        *value(&attrs, "count_days_negative_balance_90_days"),
        AttrValue::Count(3)
    );
}

#[test]
fn the_primary_account_is_the_busiest_chequing_account() {
    let quiet = account(
        1,
        CHEQUING,
        "2020-01-01",
        50_00,
        &[("2026-03-01", "LOBLAWS", -10_00)],
    );
    let busy = account(
        2,
        CHEQUING,
        "2021-01-01",
        500_00,
        &[
            ("2026-03-01", "LOBLAWS", -10_00),
            ("2026-03-02", "LOBLAWS", -20_00),
        ],
    );
    let attrs = credit_risk(&persona(vec![quiet, busy]), as_of());
    assert_eq!(*value(&attrs, "balance_min"), money(470_00));
    assert_eq!(*value(&attrs, "account_age_days"), AttrValue::Count(2_265));
}

#[test]
fn own_transfers_and_the_credit_card_are_neither_income_nor_expense() {
    let chequing = account(
        1,
        CHEQUING,
        "2020-01-01",
        1_000_00,
        &[
            ("2026-03-01", "PAYROLL DEP SHOPIFY", 5_000_00),
            ("2026-03-02", "TRANSFER TO SAVINGS", -1_000_00),
            ("2026-03-05", "RBC VISA PAYMENT", -700_00),
        ],
    );
    let savings = account(
        2,
        SAVINGS,
        "2022-06-01",
        0,
        &[("2026-03-02", "TRANSFER FROM CHEQUING", 1_000_00)],
    );
    let card = account(
        3,
        CARD,
        "2010-01-01",
        0,
        &[
            ("2026-02-20", "LOBLAWS #1042", -700_00),
            ("2026-03-05", "PAYMENT RECEIVED - THANK YOU", 700_00),
        ],
    );
    let attrs = credit_risk(&persona(vec![chequing, savings, card]), as_of());
    // (5,000 − 700) / 12 and 700 / 12.
    assert_eq!(
        *value(&attrs, "average_monthly_free_cash_flow"),
        money(358_33)
    );
    assert_eq!(*value(&attrs, "average_monthly_debit"), money(58_33));
    assert_eq!(
        *value(&attrs, "average_monthly_non_employer_income_complex"),
        money(0)
    );
    // The card is older, but not an Operations account.
    assert_eq!(*value(&attrs, "account_age_days"), AttrValue::Count(2_265));
}

#[test]
fn a_young_account_averages_over_the_months_it_existed() {
    // Open 65 days of the year (Jan 10 – Mar 15): 65 · 12 / 365 = 2.1, rounded up to 3.
    let p = persona(vec![account(
        1,
        CHEQUING,
        "2026-01-10",
        0,
        &[
            ("2026-01-15", "HYDRO ONE BILL PAYMENT", -100_00),
            ("2026-02-15", "HYDRO ONE BILL PAYMENT", -120_00),
            ("2026-03-13", "HYDRO ONE BILL PAYMENT", -110_00),
        ],
    )]);
    let attrs = credit_risk(&p, as_of());
    assert_eq!(
        *value(&attrs, "average_monthly_utility_payments_complex"),
        money(110_00)
    );
    assert_eq!(*value(&attrs, "account_age_days"), AttrValue::Count(64));
    // Nothing of the account falls in the prior 270 days: no trend.
    assert_eq!(
        *value(&attrs, "total_deposits_trend_simple"),
        text_value(CONSISTENT)
    );
    // Nothing at all: the sentinels and zeros.
    assert_eq!(*value(&attrs, "employer_name"), text_value(NONE_DETECTED));
    assert_eq!(
        *value(&attrs, "micro_lender_name"),
        text_value(NONE_DETECTED)
    );
    assert_eq!(*value(&attrs, "count_nsf_90_days"), AttrValue::Count(0));
}

#[test]
fn months_divisor_is_between_one_and_twelve() {
    let months = |opened: &str| {
        Book::new(
            &persona(vec![account(1, CHEQUING, opened, 0, &[])]),
            as_of(),
            &Scope::default(),
        )
        .months()
    };
    assert_eq!(months("2020-01-01"), 12);
    assert_eq!(months("2025-03-16"), 12);
    assert_eq!(months("2026-01-10"), 3);
    assert_eq!(months("2026-03-15"), 1);
    assert_eq!(months("2026-04-01"), 1);
}

/// Payroll of 2,700.00 in the prior 270 days (10.00 a day) and `recent` in the last 90.
fn employer_trend(recent: Cents) -> AttrValue {
    let p = persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        0,
        &[
            ("2025-06-01", "PAYROLL DEP AIR CANADA", 2_700_00),
            ("2026-03-01", "PAYROLL DEP AIR CANADA", recent),
        ],
    )]);
    value(&credit_risk(&p, as_of()), "employer_income_trend_simple").clone()
}

#[test]
fn trends_need_more_than_fifteen_percent() {
    assert_eq!(employer_trend(1_036_00), text_value(INCREASING)); // 11.51 a day: +15.1%
    assert_eq!(employer_trend(1_035_00), text_value(CONSISTENT)); // 11.50: exactly +15%
    assert_eq!(employer_trend(1_000_00), text_value(CONSISTENT)); // 11.11: +11%, calendar noise
    assert_eq!(employer_trend(765_00), text_value(CONSISTENT)); // 8.50: exactly −15%
    assert_eq!(employer_trend(764_00), text_value(DECREASING)); // 8.49
}

#[test]
fn a_steady_biweekly_salary_is_consistent_whatever_the_day() {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for offset in 0..28 {
        let day = start + chrono::Days::new(offset);
        let cast = crate::personas::cast(crate::personas::DEFAULT_SEED, day);
        let salaried = cast
            .iter()
            .find(|p| p.username == "salaried_biweekly")
            .unwrap();
        assert_eq!(
            *value(&credit_risk(salaried, day), "employer_income_trend_simple"),
            text_value(CONSISTENT),
            "as of {day}"
        );
    }
}

#[test]
fn trend_arithmetic() {
    assert_eq!(trend_of((0, 90), (0, 270)), CONSISTENT);
    assert_eq!(trend_of((1, 90), (0, 270)), INCREASING);
    assert_eq!(trend_of((0, 90), (1, 270)), DECREASING);
    assert_eq!(trend_of((100, 0), (1, 270)), CONSISTENT);
    // Negative averages: from −100 to −120 is 20% lower.
    assert_eq!(trend_of((-120, 1), (-100, 1)), DECREASING);
    assert_eq!(trend_of((-80, 1), (-100, 1)), INCREASING);
    assert_eq!(div_round(77_850, 12), 6_488);
    assert_eq!(div_round(-77_850, 12), -6_488);
    assert_eq!(div_round(-77_849, 12), -6_487);
}

#[test]
fn balance_trend_compares_the_last_90_days_with_the_90_before() {
    let falling = persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        1_000_00,
        &[("2025-12-16", "RENT E-TRANSFER", -500_00)],
    )]);
    let attrs = credit_risk(&falling, as_of());
    assert_eq!(
        *value(&attrs, "balance_trend_simple"),
        text_value(DECREASING)
    );
    let flat = persona(vec![account(1, CHEQUING, "2020-01-01", 1_000_00, &[])]);
    let attrs = credit_risk(&flat, as_of());
    assert_eq!(
        *value(&attrs, "balance_trend_simple"),
        text_value(CONSISTENT)
    );
}

// ---- the generated cast ----

fn cast() -> Vec<Persona> {
    personas::cast(DEFAULT_SEED, as_of())
}

fn by_name<'a>(cast: &'a [Persona], username: &str) -> &'a Persona {
    cast.iter().find(|p| p.username == username).unwrap()
}

#[test]
fn every_detail_adds_up_to_its_value() {
    for p in cast() {
        let txs: HashMap<(Uuid, Uuid), &Transaction> = p
            .accounts
            .iter()
            .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
            .collect();
        let months = Book::new(&p, as_of(), &Scope::default()).months();
        let attrs = credit_risk(&p, as_of());
        for a in &attrs {
            let behind: Vec<&Transaction> = a.detail.iter().map(|k| txs[k]).collect();
            let total: Cents = behind.iter().map(|t| t.credit.or(t.debit).unwrap()).sum();
            let signed: Cents = behind.iter().map(|t| t.signed_amount()).sum();
            let expected = match a.name.as_str() {
                "count_days_negative_balance_90_days" => continue,
                "average_monthly_free_cash_flow" => AttrValue::Money(div_round(signed, 12)),
                n if n.starts_with("sum_") => AttrValue::Money(total),
                n if n.starts_with("count_") => AttrValue::Count(behind.len() as i64),
                n if n.starts_with("average_monthly_") => {
                    AttrValue::Money(div_round(total, months))
                }
                _ => {
                    assert!(a.detail.is_empty(), "{}: {}", p.username, a.name);
                    continue;
                }
            };
            assert_eq!(a.value, expected, "{}: {}", p.username, a.name);
        }
    }
}

#[test]
fn the_package_has_every_attribute_once_in_a_stable_order() {
    let cast = cast();
    let names = |p: &Persona| {
        credit_risk(p, as_of())
            .into_iter()
            .map(|a| a.name)
            .collect::<Vec<_>>()
    };
    let first = names(&cast[0]);
    assert_eq!(first.len(), 4 + 3 + 26 + 3 + 8 + 2 + 3);
    let unique: std::collections::HashSet<_> = first.iter().collect();
    assert_eq!(unique.len(), first.len());
    assert_eq!(first[0], "balance_min");
    assert_eq!(first[7], "sum_employer_income_current_month");
    assert_eq!(first[20], "count_employer_income_current_month");
    assert_eq!(first.last().unwrap(), "account_age_days");
    assert!(cast.iter().all(|p| names(p) == first));
}

#[test]
fn the_borrower_looks_risky() {
    let cast = cast();
    let attrs = credit_risk(by_name(&cast, "borrower_nsf"), as_of());
    assert!(matches!(value(&attrs, "count_nsf_90_days"), AttrValue::Count(n) if *n > 0));
    assert!(matches!(value(&attrs, "count_stop_payment_90_days"), AttrValue::Count(n) if *n > 0));
    assert!(matches!(value(&attrs, "balance_min"), AttrValue::Money(c) if *c < 0));
    assert!(
        matches!(value(&attrs, "count_days_negative_balance_90_days"), AttrValue::Count(n) if *n >= 3)
    );
    assert_ne!(
        *value(&attrs, "micro_lender_name"),
        text_value(NONE_DETECTED)
    );
    assert!(
        matches!(value(&attrs, "average_monthly_micro_loan_payments_complex"), AttrValue::Money(c) if *c > 0)
    );
    assert!(
        matches!(value(&attrs, "average_monthly_free_cash_flow"), AttrValue::Money(c) if *c < 0)
    );
}

#[test]
fn each_persona_shows_its_story() {
    let cast = cast();
    let attrs = |name: &str| credit_risk(by_name(&cast, name), as_of());
    let positive =
        |a: &[Attribute], name: &str| matches!(value(a, name), AttrValue::Money(c) if *c > 0);

    let salaried = attrs("salaried_biweekly");
    assert_eq!(*value(&salaried, "employer_name"), text_value("Air Canada"));
    assert!(positive(
        &salaried,
        "average_monthly_auto_loan_payments_complex"
    ));
    assert!(matches!(value(&salaried, "balance_min"), AttrValue::Money(c) if *c > 0));

    let gig = attrs("gig_worker");
    assert_eq!(*value(&gig, "employer_name"), text_value(NONE_DETECTED));
    assert!(positive(
        &gig,
        "average_monthly_non_employer_income_complex"
    ));

    let government = attrs("government_income");
    assert_eq!(
        *value(&government, "employer_name"),
        text_value(NONE_DETECTED)
    );
    assert!(positive(
        &government,
        "average_monthly_government_income_complex"
    ));

    let student = attrs("thin_file_student");
    assert_eq!(
        *value(&student, "account_age_days"),
        AttrValue::Count(personas::STUDENT_ACCOUNT_AGE_DAYS)
    );
    assert!(positive(
        &student,
        "average_monthly_student_loan_payments_complex"
    ));

    let saver = attrs("high_income_saver");
    assert_eq!(*value(&saver, "employer_name"), text_value("Shopify"));
    assert!(positive(
        &saver,
        "average_monthly_mortgage_payments_complex"
    ));
}

#[test]
fn the_cast_is_deterministic_and_login_ids_ignore_as_of() {
    assert_eq!(cast(), cast());
    let later = personas::cast(DEFAULT_SEED, as_of() + TimeDelta::days(40));
    let ids = |c: &[Persona]| c.iter().map(|p| p.login_id).collect::<Vec<_>>();
    assert_eq!(ids(&cast()), ids(&later));
    let account_ids = |c: &[Persona]| {
        c.iter()
            .flat_map(|p| p.accounts.iter().map(|a| a.id))
            .collect::<Vec<_>>()
    };
    assert_eq!(account_ids(&cast()), account_ids(&later));
    let other_seed = personas::cast(DEFAULT_SEED + 1, as_of());
    assert!(ids(&cast())
        .iter()
        .zip(ids(&other_seed))
        .all(|(a, b)| *a != b));
    let unique: std::collections::HashSet<_> = ids(&cast()).into_iter().collect();
    assert_eq!(unique.len(), cast().len());
}

#[test]
fn running_balances_add_up() {
    for p in cast()
        .iter()
        .chain([&personas::bulk(DEFAULT_SEED, as_of(), 2_000)])
    {
        for a in &p.accounts {
            for w in a.transactions.windows(2) {
                assert_eq!(
                    w[1].balance,
                    w[0].balance + w[1].signed_amount(),
                    "{} {}",
                    p.username,
                    a.title
                );
            }
        }
    }
}

// ---- the families beyond Credit Risk: hand-computed fixtures ----

/// An attribute's value and the rows behind it.
fn value_and_rows(attributes: &[Attribute], name: &str) -> (AttrValue, Vec<u128>) {
    let a = find(attributes, name);
    (a.value.clone(), rows(a))
}

/// Checks each (name, value) and reports every mismatch at once.
fn expect(attributes: &[Attribute], expected: &[(&str, AttrValue)]) {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(name, v)| value(attributes, name) != v)
        .map(|(name, v)| format!("{name}: {:?}, expected {v:?}", value(attributes, name)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn all(p: &Persona, scope: &Scope) -> Vec<Attribute> {
    package(Package::All, p, as_of(), scope)
}

#[test]
fn frequencies_from_the_gaps_between_dates() {
    let every = |start: &str, step: i64, n: i64| {
        (0..n)
            .map(|k| day(start) + TimeDelta::days(k * step))
            .collect::<Vec<_>>()
    };
    let days = |ds: &[&str]| ds.iter().map(|d| day(d)).collect::<Vec<_>>();
    assert_eq!(frequency(&every("2026-01-02", 7, 6)), "Weekly");
    assert_eq!(frequency(&every("2026-01-02", 14, 6)), "BiWeekly");
    // Month ends move off weekends: gaps of 32 and 28 days are still monthly.
    assert_eq!(
        frequency(&days(&["2026-01-15", "2026-02-16", "2026-03-16"])),
        "Monthly"
    );
    // Two dates are one gap: too little to call.
    assert_eq!(frequency(&every("2026-01-02", 14, 2)), NONE_DETECTED);
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "one missed payday: gaps 14, 14, 28, 14; the median is 14 and three in four fit",
            &[
                "2026-01-02",
                "2026-01-16",
                "2026-01-30",
                "2026-02-27",
                "2026-03-13",
            ],
            "BiWeekly",
        ),
        (
            "gaps 7, 7, 20, 25: a weekly median, but only two gaps in four fit",
            &[
                "2026-01-01",
                "2026-01-08",
                "2026-01-15",
                "2026-02-04",
                "2026-03-01",
            ],
            NONE_DETECTED,
        ),
        (
            "same-day deposits count once",
            &[
                "2026-01-02",
                "2026-01-02",
                "2026-01-09",
                "2026-01-09",
                "2026-01-16",
            ],
            "Weekly",
        ),
        (
            "irregular: gaps 2, 9, 20, 4",
            &[
                "2026-01-01",
                "2026-01-03",
                "2026-01-12",
                "2026-02-01",
                "2026-02-05",
            ],
            NONE_DETECTED,
        ),
    ];
    for (why, dates, expected) in cases {
        assert_eq!(frequency(&days(dates)), *expected, "{why}");
    }
}

#[test]
fn payees_drop_reference_numbers() {
    assert_eq!(payee_key("LOBLAWS #1042"), "LOBLAWS");
    assert_eq!(payee_key("Shell C12345 Toronto"), "SHELL TORONTO");
    assert_eq!(
        payee_key("PAYROLL DEP AIR CANADA"),
        "PAYROLL DEP AIR CANADA"
    );
}

/// Biweekly pay, NSF fees on the 30/60/90-day edges, micro-loans, rent.
fn lender_view() -> Persona {
    persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        1_000_00,
        &[
            ("2025-12-10", "PAYROLL DEP AIR CANADA", 2_000_00), // 1: 95 days before
            ("2025-12-24", "PAYROLL DEP AIR CANADA", 2_000_00), // 2: 81 days
            ("2026-01-07", "PAYROLL DEP AIR CANADA", 2_000_00), // 3
            ("2026-01-14", "NSF FEE", -48_00),                  // 4: 60 days: out of 60
            ("2026-01-15", "NSF FEE", -48_00),                  // 5: 59 days: in
            ("2026-01-21", "PAYROLL DEP AIR CANADA", 2_000_00), // 6
            ("2026-02-04", "PAYROLL DEP AIR CANADA", 2_000_00), // 7
            ("2026-02-13", "NSF FEE", -45_00),                  // 8: 30 days: out of 30
            ("2026-02-14", "NSF FEE", -45_00),                  // 9: 29 days: in
            ("2026-02-18", "PAYROLL DEP AIR CANADA", 2_000_00), // 10
            ("2026-02-19", "ICASH LOAN FUNDING", 500_00),       // 11
            ("2026-03-04", "ICASH LOAN PAD", -295_00),          // 12
            ("2026-03-04", "PAYROLL DEP AIR CANADA", 2_000_00), // 13
            ("2026-03-06", "MONEY MART LOAN", -200_00),         // 14
            ("2026-03-10", "RENT E-TRANSFER", -1_500_00),       // 15
        ],
    )])
}

#[test]
fn nsf_windows_include_day_29_59_89_and_exclude_30_60_90() {
    let attrs = all(&lender_view(), &Scope::default());
    let nsf = |n: &str| find(&attrs, n);
    assert_eq!(nsf("count_nsf_30_days").value, AttrValue::Count(1));
    assert_eq!(rows(nsf("count_nsf_30_days")), [9]);
    assert_eq!(nsf("sum_nsf_30_days").value, money(45_00));
    assert_eq!(rows(nsf("count_nsf_60_days")), [5, 8, 9]);
    assert_eq!(nsf("sum_nsf_60_days").value, money(138_00));
    assert_eq!(rows(nsf("count_nsf_90_days")), [4, 5, 8, 9]);
    assert_eq!(nsf("sum_nsf_90_days").value, money(186_00));
    // Four fees in a year of twelve months.
    assert_eq!(
        nsf("average_monthly_nsf_fees_count").value,
        AttrValue::Number(0.33)
    );
}

#[test]
fn employer_income_per_window_frequency_and_last_dates() {
    let attrs = all(&lender_view(), &Scope::default());
    assert_eq!(
        value_and_rows(&attrs, "sum_employer_income_30_days"),
        (money(4_000_00), vec![10, 13])
    );
    expect(
        &attrs,
        &[
            ("sum_employer_income_90_days", money(12_000_00)),
            ("sum_employer_income_365_days", money(14_000_00)),
            ("sum_employer_income", money(14_000_00)),
            ("employer_income_frequency", text_value("BiWeekly")),
        ],
    );
    assert_eq!(
        value_and_rows(&attrs, "last_2_deposit_dates_employer_income"),
        (text_value("2026/03/04, 2026/02/18"), vec![13, 10])
    );
    assert_eq!(
        *value(&attrs, "average_employer_income_deposit"),
        money(2_000_00)
    );
    // 14,000 / 12 either way: the account is years old.
    expect(
        &attrs,
        &[
            ("average_monthly_employer_income", money(1_166_67)),
            ("estimated_annual_net_employer_income", money(14_000_00)),
            ("has_employer_income", text_value(YES)),
            ("count_distinct_employers", AttrValue::Count(1)),
            ("secondary_employer_name", text_value(NONE_DETECTED)),
        ],
    );
}

#[test]
fn micro_loans_and_loan_windows() {
    let attrs = all(&lender_view(), &Scope::default());
    assert_eq!(*value(&attrs, "sum_loan_deposits_30_days"), money(500_00));
    assert_eq!(
        value_and_rows(&attrs, "sum_micro_loan_payments_30_days"),
        (money(495_00), vec![12, 14])
    );
    expect(
        &attrs,
        &[
            ("sum_loan_payments_current_month", money(495_00)),
            ("count_loan_payments_current_month", AttrValue::Count(2)),
            ("sum_loan_payments_previous_month", money(0)),
            ("average_micro_loan_payment", money(247_50)),
        ],
    );
    // iCash on two transactions, Money Mart on one; the detail is each one's latest.
    assert_eq!(*value(&attrs, "micro_lender_name"), text_value("iCash"));
    assert_eq!(
        value_and_rows(&attrs, "count_distinct_micro_lenders"),
        (AttrValue::Count(2), vec![12, 14])
    );
}

#[test]
fn totals_balances_and_paydays() {
    let attrs = all(&lender_view(), &Scope::default());
    // Rows 10, 11, 13 in; rows 9, 12, 14, 15 out.
    expect(
        &attrs,
        &[
            ("total_credits_30_days", money(4_500_00)),
            ("total_debits_30_days", money(2_040_00)),
            ("balance_current", money(13_319_00)),
        ],
    );
    // Dec 15 carries row 1's balance.
    assert_eq!(*value(&attrs, "balance_90_days_ago"), money(3_000_00));
    // Paydays end at 3,000, 5,000, 7,000, 8,904, 10,904, 12,814 and 15,019 (after the
    // iCash PAD and the pay of Mar 4): 62,641 / 7.
    assert_eq!(
        *value(&attrs, "average_closing_balance_day_of_employer_income"),
        money(8_948_71)
    );
    // The day after Feb 18 also has the iCash advance: 63,141 / 7.
    assert_eq!(
        *value(&attrs, "average_closing_balance_day_after_employer_income"),
        money(9_020_14)
    );
    // The loan advance is not income: the same days.
    assert_eq!(
        *value(&attrs, "average_closing_balance_day_of_income"),
        money(8_948_71)
    );
    // 15 transactions on 14 days (two on Mar 4); the detail is each day's first.
    let active = find(&attrs, "count_active_days");
    assert_eq!(active.value, AttrValue::Count(14));
    assert_eq!(
        rows(active),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15]
    );
}

#[test]
fn recurring_deposits_are_those_of_a_scheduled_payer() {
    let attrs = all(&lender_view(), &Scope::default());
    // The biweekly pay is recurring; the one iCash advance is not.
    assert_eq!(
        value_and_rows(&attrs, "recurring_deposits_current_month"),
        (money(2_000_00), vec![13])
    );
    assert_eq!(
        *value(&attrs, "recurring_deposits_previous_month"),
        money(4_000_00)
    );
    // NSF fees 1, 29 and 1 day apart have no schedule; one rent payment neither.
    assert_eq!(
        *value(&attrs, "average_monthly_recurring_payments_complex"),
        money(0)
    );
}

/// A small business: card payouts, customer transfers, payroll out, a term loan.
fn shop() -> Persona {
    persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        0,
        &[
            ("2025-11-03", "SQUARE CANADA DEPOSIT", 1_000_00), // 1
            ("2025-12-01", "MONERIS SETTLEMENT", 2_000_00),    // 2
            ("2026-01-05", "STRIPE PAYOUT", 500_00),           // 3
            ("2026-01-20", "EFT CREDIT NORTHWIND PROPERTIES", 3_000_00), // 4
            ("2026-02-02", "SQUARE CANADA DEPOSIT", 1_200_00), // 5
            ("2026-02-06", "WAGEPOINT PAYROLL", -2_500_00),    // 6
            ("2026-02-20", "WAGEPOINT PAYROLL", -2_500_00),    // 7
            ("2026-03-02", "MOBILE CHEQUE DEPOSIT", 800_00),   // 8
            ("2026-03-02", "BDC LOAN ADVANCE", 10_000_00),     // 9
            ("2026-03-06", "WAGEPOINT PAYROLL", -2_600_00),    // 10
            ("2026-03-09", "INTERAC E-TRANSFER FROM R PATEL", 400_00), // 11
            ("2026-03-10", "BDC LOAN PAYMENT", -300_00),       // 12
        ],
    )])
}

#[test]
fn operating_income_per_calendar_month() {
    let attrs = all(&shop(), &Scope::default());
    assert_eq!(
        value_and_rows(&attrs, "sum_operating_income_current_month_biz"),
        (money(1_200_00), vec![8, 11])
    );
    expect(
        &attrs,
        &[
            (
                "count_operating_income_current_month_biz",
                AttrValue::Count(2),
            ),
            ("sum_operating_income_previous_month_biz", money(1_200_00)),
            ("sum_operating_income_2_months_ago_biz", money(3_500_00)),
            ("sum_operating_income_365_days_biz", money(8_900_00)),
        ],
    );
    // 8,900 / 12.
    assert_eq!(
        *value(&attrs, "average_monthly_operating_income_biz"),
        money(741_67)
    );
}

#[test]
fn merchant_transfer_and_loan_deposits() {
    let attrs = all(&shop(), &Scope::default());
    let merchant = find(
        &attrs,
        "sum_merchant_service_provider_deposits_365_days_biz",
    );
    assert_eq!(merchant.value, money(4_700_00));
    assert_eq!(rows(merchant), [1, 2, 3, 5]);
    assert_eq!(
        *value(
            &attrs,
            "average_merchant_service_provider_deposits_deposit_biz"
        ),
        money(1_175_00)
    );
    // 1,700 over the last 90 days against 3,000 over the 270 before, per day: 1.7.
    assert_eq!(
        *value(&attrs, "merchant_service_provider_deposits_trend_biz"),
        AttrValue::Number(1.7)
    );
    assert_eq!(
        *value(
            &attrs,
            "merchant_service_provider_deposits_trend_simple_biz"
        ),
        text_value(INCREASING)
    );
    expect(
        &attrs,
        &[
            ("sum_transfer_deposits_365_days_biz", money(3_400_00)),
            ("sum_loan_deposits_current_month_biz", money(10_000_00)),
            ("sum_loan_payments_365_days_biz", money(300_00)),
        ],
    );
    // Nothing in the year before the last 90 days: the ratio says 0.
    assert_eq!(
        *value(&attrs, "loan_deposits_trend_biz"),
        AttrValue::Number(0.0)
    );
}

#[test]
fn payroll_paid_out() {
    let attrs = all(&shop(), &Scope::default());
    assert_eq!(
        *value(&attrs, "payroll_payments_frequency_biz"),
        text_value("BiWeekly")
    );
    assert_eq!(
        value_and_rows(&attrs, "last_2_payment_dates_payroll_payments_biz"),
        (text_value("2026/03/06, 2026/02/20"), vec![10, 7])
    );
    expect(
        &attrs,
        &[
            ("sum_payroll_payments_365_days_biz", money(7_600_00)),
            ("average_payroll_payments_payment_biz", money(2_533_33)),
        ],
    );
    // Payroll is an operating expense; the loan payment is a liability.
    expect(
        &attrs,
        &[
            ("sum_operating_expenses_365_days_biz", money(7_600_00)),
            ("bank_fees_frequency_biz", text_value(NONE_DETECTED)),
            (
                "last_2_payment_dates_bank_fees_biz",
                text_value(NONE_DETECTED),
            ),
        ],
    );
}

#[test]
fn a_day_limit_keeps_the_last_days_only() {
    let scope = Scope {
        days: Some(90),
        ..Scope::default()
    };
    let attrs = all(&boundaries(), &scope);
    // Rows 8, 9, 10 of the last 90 days, over the 90 days (three months) of data.
    assert_eq!(
        value_and_rows(&attrs, "sum_employer_income_365_days"),
        (money(4_500_00), vec![8, 9, 10])
    );
    assert_eq!(
        *value(&attrs, "average_monthly_employer_income_complex"),
        money(1_500_00)
    );
    // Dec 16 is 89 days before: the first day of the data.
    expect(
        &attrs,
        &[
            ("count_nsf_90_days", AttrValue::Count(1)),
            ("sum_employer_income_12_months_ago", money(0)),
        ],
    );
    // The account is as old as it is, whatever the data.
    assert_eq!(*value(&attrs, "account_age_days"), AttrValue::Count(2_265));
    let days = |n| Scope {
        days: Some(n),
        ..Scope::default()
    };
    assert_eq!(
        *value(
            &all(&boundaries(), &days(365)),
            "sum_employer_income_365_days"
        ),
        money(5_600_00)
    );
    assert_eq!(
        *value(
            &all(&boundaries(), &days(1)),
            "sum_employer_income_365_days"
        ),
        money(0)
    );
}

fn three_accounts() -> Persona {
    let chequing = account(
        1,
        CHEQUING,
        "2020-01-01",
        1_000_00,
        &[
            ("2026-03-01", "PAYROLL DEP SHOPIFY", 5_000_00),
            ("2026-03-02", "TRANSFER TO SAVINGS", -1_000_00),
        ],
    );
    let savings = account(
        2,
        SAVINGS,
        "2022-06-01",
        0,
        &[
            ("2026-03-02", "TRANSFER FROM CHEQUING", 1_000_00),
            ("2026-03-10", "INTEREST PAID", 12_00),
        ],
    );
    let card = account(
        3,
        CARD,
        "2010-01-01",
        0,
        &[("2026-02-20", "LOBLAWS #1042", -700_00)],
    );
    persona(vec![chequing, savings, card])
}

#[test]
fn account_and_category_filters_choose_the_accounts() {
    let p = three_accounts();
    let savings_only = Scope {
        accounts: Some(vec![p.accounts[1].id]),
        ..Scope::default()
    };
    let attrs = all(&p, &savings_only);
    expect(
        &attrs,
        &[
            ("employer_name", text_value(NONE_DETECTED)),
            ("sum_total_income_current_month", money(12_00)),
            (
                "account_age_days",
                AttrValue::Count((as_of() - day("2022-06-01")).num_days()),
            ),
        ],
    );
    // The savings account is the primary one now: it ends at 1,012.
    assert_eq!(*value(&attrs, "balance_current"), money(1_012_00));

    let credits = Scope {
        categories: Some(vec!["credits".to_owned()]),
        ..Scope::default()
    };
    let attrs = all(&p, &credits);
    // The card alone: 700 / 12, and it is the oldest account.
    expect(
        &attrs,
        &[
            ("average_monthly_debit", money(58_33)),
            ("account_age_days", AttrValue::Count(5_917)),
        ],
    );
    // Filters combine: the card is not in Operations.
    let both = Scope {
        accounts: Some(vec![p.accounts[2].id]),
        categories: Some(vec!["Operations".to_owned()]),
        ..Scope::default()
    };
    assert_eq!(*value(&all(&p, &both), "average_monthly_debit"), money(0));
}

#[test]
fn scopes_narrow() {
    let a = Uuid::from_u128(1);
    let b = Uuid::from_u128(2);
    let session = Scope {
        accounts: Some(vec![a, b]),
        categories: None,
        days: Some(90),
    };
    let request = Scope {
        accounts: Some(vec![b]),
        categories: Some(vec!["Operations".to_owned()]),
        days: Some(365),
    };
    assert_eq!(
        session.narrowed(&request),
        Scope {
            accounts: Some(vec![b]),
            categories: Some(vec!["Operations".to_owned()]),
            days: Some(90),
        }
    );
    assert_eq!(session.narrowed(&Scope::default()), session);
}

#[test]
fn employers_ranked_by_deposits() {
    let p = persona(vec![account(
        1,
        CHEQUING,
        "2020-01-01",
        0,
        &[
            ("2026-01-09", "PAYROLL DEP WESTJET", 900_00),
            ("2026-01-23", "PAYROLL DEP WESTJET", 900_00),
            ("2026-02-02", "PAYROLL DEP AIR CANADA", 2_000_00),
            ("2026-02-06", "PAYROLL DEP WESTJET", 900_00),
            ("2026-03-02", "PAYROLL DEP AIR CANADA", 2_000_00),
            ("2026-03-09", "PAYROLL DEP LOBLAW", 400_00),
        ],
    )]);
    let attrs = all(&p, &Scope::default());
    expect(
        &attrs,
        &[
            ("employer_name", text_value("Westjet")),
            ("secondary_employer_name", text_value("Air Canada")),
        ],
    );
    assert_eq!(
        value_and_rows(&attrs, "count_distinct_employers"),
        (AttrValue::Count(3), vec![4, 5, 6])
    );
}

// ---- properties of every package over the whole cast ----

/// The whole cast, and the bulk persona, as the server serves them.
fn everyone() -> Vec<Persona> {
    let mut everyone = cast();
    everyone.push(personas::bulk(DEFAULT_SEED, as_of(), 3_000));
    everyone
}

/// What a detail must add up to, by how the attribute is computed.
fn expected_from_detail(
    calc: Calculation,
    behind: &[&Transaction],
    months: i64,
) -> Option<AttrValue> {
    let total = |flow: &Flow| -> Cents {
        behind
            .iter()
            .map(|t| {
                if flow.direction == FlowDirection::Net {
                    t.signed_amount()
                } else {
                    t.credit.or(t.debit).unwrap()
                }
            })
            .sum()
    };
    let n = behind.len() as i64;
    Some(match calc {
        Calculation::Sum(f, _) => AttrValue::Money(total(f)),
        Calculation::Count(..) | Calculation::CountDistinct(_) | Calculation::ActiveDays => {
            AttrValue::Count(n)
        }
        Calculation::Average(f, per) => AttrValue::Money(match per {
            AverageDivisor::Month => div_round(total(f), months),
            AverageDivisor::Twelve => div_round(total(f), 12),
            AverageDivisor::Year => div_round(total(f) * 12, months),
            AverageDivisor::Transaction if n == 0 => 0,
            AverageDivisor::Transaction => div_round(total(f), n),
        }),
        Calculation::MonthlyCount(_) => {
            AttrValue::Number((n as f64 / months as f64 * 100.0).round() / 100.0)
        }
        Calculation::LastTwoDates(_) if n == 0 => AttrValue::Text(NONE_DETECTED.to_owned()),
        Calculation::LastTwoDates(_) => AttrValue::Text(
            behind
                .iter()
                .map(|t| t.date.format("%Y/%m/%d").to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => return None,
    })
}

#[test]
fn every_detail_of_every_package_adds_up_to_its_value() {
    let scopes = [
        Scope::default(),
        Scope {
            days: Some(90),
            ..Scope::default()
        },
    ];
    for p in everyone() {
        let txs: HashMap<(Uuid, Uuid), &Transaction> = p
            .accounts
            .iter()
            .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
            .collect();
        for scope in &scopes {
            let book = Book::new(&p, as_of(), scope);
            for spec in catalog::catalog().specs() {
                let a = book.evaluate(spec);
                let behind: Vec<&Transaction> = a.detail.iter().map(|k| txs[k]).collect();
                match expected_from_detail(spec.calculation, &behind, book.months()) {
                    Some(expected) => {
                        assert_eq!(a.value, expected, "{} {scope:?}: {}", p.username, a.name)
                    }
                    None => assert!(a.detail.is_empty(), "{}: {}", p.username, a.name),
                }
                let unique: std::collections::HashSet<_> = a.detail.iter().collect();
                assert_eq!(unique.len(), a.detail.len(), "{}: {}", p.username, a.name);
            }
        }
    }
}

#[test]
fn values_are_deterministic() {
    let first: Vec<Vec<Attribute>> = cast().iter().map(|p| all(p, &Scope::default())).collect();
    let again: Vec<Vec<Attribute>> = cast().iter().map(|p| all(p, &Scope::default())).collect();
    assert_eq!(first, again);
}

#[test]
fn the_new_personas_tell_their_stories() {
    let cast = cast();
    let shop = all(by_name(&cast, "small_business"), &Scope::default());
    let positive =
        |a: &[Attribute], name: &str| matches!(value(a, name), AttrValue::Money(c) if *c > 0);
    for name in [
        "sum_operating_income_365_days_biz",
        "sum_merchant_service_provider_deposits_365_days_biz",
        "sum_transfer_deposits_365_days_biz",
        "sum_payroll_payments_365_days_biz",
        "sum_loan_deposits_365_days_biz",
        "sum_loan_payments_365_days_biz",
        "sum_rent_payments_365_days_biz",
        "sum_utility_payments_365_days_biz",
    ] {
        assert!(positive(&shop, name), "small_business: {name}");
    }
    assert_eq!(
        *value(&shop, "payroll_payments_frequency_biz"),
        text_value("BiWeekly")
    );
    assert_eq!(
        *value(&shop, "rent_payments_frequency_biz"),
        text_value("Monthly")
    );
    assert_eq!(*value(&shop, "employer_name"), text_value(NONE_DETECTED));

    let jobs = all(by_name(&cast, "multiple_employers"), &Scope::default());
    assert_eq!(
        *value(&jobs, "count_distinct_employers"),
        AttrValue::Count(3)
    );
    assert_eq!(
        *value(&jobs, "employer_name"),
        text_value("Loblaw Companies")
    );
    assert_ne!(
        *value(&jobs, "secondary_employer_name"),
        text_value(NONE_DETECTED)
    );
    // The third job started in the last four months.
    assert_eq!(
        *value(&jobs, "employer_income_trend_simple"),
        text_value(INCREASING)
    );
}
