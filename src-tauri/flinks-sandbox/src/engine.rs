//! The attributes engine: Flinks' Credit Risk package computed from a persona's transactions.
//!
//! Conventions every attribute follows:
//! - Only Operations accounts count (Chequing, Savings, or anything in the Operations category
//!   that is not a credit card), and only transactions dated on or before `as_of`.
//! - "Last N days" is the dates in (as_of − N days, as_of]: a transaction exactly 90 days before
//!   `as_of` is outside the 90-day window, one 89 days before is inside.
//! - Calendar months are counted back from `as_of`'s month: `current_month` is the 1st of that
//!   month to `as_of`, `previous_month` the whole month before, and so on to `12_months_ago`.
//! - Transfers between the customer's own accounts are neither income nor expense.
//! - Money is rounded to the cent, halves away from zero.
//!
//! Every sum, count and monthly average carries, in [`Attribute::detail`], the transactions it
//! was computed from: their amounts add up to the sum (or to the average times its divisor),
//! and there are as many as the count says.

// Amounts are cents written as dollars_cents (1_250_00 is $1,250.00), a grouping clippy
// would otherwise call inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, TimeDelta};
use uuid::Uuid;

use crate::classify::{self, Category, LOAN_PAYMENTS};
use crate::model::{Account, AttrValue, Attribute, Cents, Persona, Transaction};
use Category as C;

/// Flinks' sentinel for a name or frequency that was not found.
pub const NONE_DETECTED: &str = "NONE_DETECTED";
pub const INCREASING: &str = "INCREASING";
pub const DECREASING: &str = "DECREASING";
pub const CONSISTENT: &str = "CONSISTENT";

/// The free cash flow always divides by 12, unlike the `_complex` averages.
const FREE_CASH_FLOW_MONTHS: i64 = 12;

/// The Credit Risk package (flinks-api.md §4.4), in a fixed order.
///
/// - `balance_min`, `count_days_negative_balance_90_days`: end-of-day balances of the primary
///   chequing account (the chequing account with the most transactions) over the last 90 days.
/// - `balance_trend_simple`: that account's average end-of-day balance over the last 90 days
///   against the 90 days before.
/// - `average_monthly_free_cash_flow`: (credits − debits) over the last 365 days, divided by 12.
/// - `average_monthly_*_complex` and `average_monthly_debit`: the sum over the last 365 days
///   divided by the number of months the Operations accounts existed in that window: the days
///   they existed, in twelfths of a year rounded up, between 1 and 12. A year-old account
///   divides by 12, one opened 65 days ago by 3, so a young account is not averaged over a year.
/// - `*_trend_simple` for flows: the daily rate over the last 90 days against the daily rate
///   over the 270 days before (each over the days the accounts existed): more than 15% higher
///   is `INCREASING`, more than 15% lower `DECREASING`, anything else `CONSISTENT`. 15%, not 10%:
///   90 days hold 6 or 7 biweekly paydays, so a steady salary swings up to ±11% by the calendar
///   alone, and an underwriter must not read that as a raise.
/// - `employer_name`, `micro_lender_name`: the most frequent name over the last 365 days (ties:
///   the larger total, then alphabetical), or `NONE_DETECTED`.
/// - `account_age_days`: days from the oldest Operations account's opening to `as_of`.
pub fn credit_risk(persona: &Persona, as_of: NaiveDate) -> Vec<Attribute> {
    let book = Book::new(persona, as_of);
    let year = Window::last_days(as_of, 365);
    let quarter = Window::last_days(as_of, 90);
    let mut out = Vec::new();

    // Account overview.
    let balances = book.end_of_day_balances(quarter);
    let lowest = balances.iter().copied().min().unwrap_or(0);
    out.push(plain("balance_min", AttrValue::Money(lowest)));
    let negative_days = balances.iter().filter(|&&b| b < 0).count() as i64;
    // Days, not transactions: no detail can add up to this count.
    out.push(plain(
        "count_days_negative_balance_90_days",
        AttrValue::Count(negative_days),
    ));
    let flow = book.tally_signed(year, &not_own_transfer);
    out.push(attribute(
        "average_monthly_free_cash_flow",
        AttrValue::Money(div_round(flow.total, FREE_CASH_FLOW_MONTHS)),
        flow.detail,
    ));
    out.push(text("balance_trend_simple", book.balance_trend()));

    // Employer income.
    out.push(text(
        "employer_name",
        &book.most_frequent(year, |e| {
            is_employer_income(e)
                .then(|| classify::employer_name(&e.tx.description))
                .flatten()
        }),
    ));
    out.push(book.average_monthly(
        "average_monthly_employer_income_complex",
        &is_employer_income,
    ));
    out.push(text(
        "employer_income_trend_simple",
        book.trend(&is_employer_income),
    ));
    out.extend(book.monthly_series("employer_income", &is_employer_income));

    // Non-employer income.
    out.push(
        book.average_monthly("average_monthly_non_employer_income_complex", &|e| {
            e.category.is_income() && e.category != C::EmployerIncome
        }),
    );
    out.push(
        book.average_monthly("average_monthly_government_income_complex", &|e| {
            matches!(e.category, C::GovernmentIncome(_))
        }),
    );
    out.push(text("total_deposits_trend_simple", book.trend(&is_deposit)));

    // Loan payments and committed bills.
    for (what, categories) in PAYMENT_AVERAGES {
        let name = format!("average_monthly_{what}_complex");
        out.push(book.average_monthly(&name, &|e| categories.contains(&e.category)));
    }

    // Additional risk.
    for (name, fee) in FEE_COUNTS_90_DAYS {
        let fees = book.tally(quarter, &|e| e.category == *fee);
        out.push(attribute(name, AttrValue::Count(fees.count), fees.detail));
    }
    out.push(text(
        "micro_lender_name",
        &book.most_frequent(year, |e| classify::micro_lender_name(&e.tx.description)),
    ));
    out.push(book.average_monthly("average_monthly_debit", &is_expense));
    let age = book
        .since
        .map_or(0, |opened| (as_of - opened).num_days().max(0));
    out.push(plain("account_age_days", AttrValue::Count(age)));
    out
}

/// Which transactions an attribute is computed from.
type Pick<'p> = &'p dyn Fn(&Entry) -> bool;

/// `average_monthly_<what>_complex` for each (what, categories).
const PAYMENT_AVERAGES: &[(&str, &[Category])] = &[
    ("loan_payments", LOAN_PAYMENTS),
    ("auto_loan_payments", &[C::AutoLoanPayment]),
    ("mortgage_payments", &[C::MortgagePayment]),
    ("micro_loan_payments", &[C::MicroLoanPayment]),
    ("student_loan_payments", &[C::StudentLoanPayment]),
    ("other_loan_payments", &[C::OtherLoanPayment]),
    ("utility_payments", &[C::Utility]),
    ("telecom_payments", &[C::Telecom]),
];

const FEE_COUNTS_90_DAYS: &[(&str, Category)] = &[
    ("count_nsf_90_days", C::NsfFee),
    ("count_stop_payment_90_days", C::StopPaymentFee),
];

fn is_employer_income(e: &Entry) -> bool {
    e.category == C::EmployerIncome
}

fn not_own_transfer(e: &Entry) -> bool {
    !e.category.is_own_transfer()
}

/// Money in from anyone but the customer.
fn is_deposit(e: &Entry) -> bool {
    e.is_credit() && not_own_transfer(e)
}

/// Money out to anyone but the customer.
fn is_expense(e: &Entry) -> bool {
    !e.is_credit() && not_own_transfer(e)
}

/// A range of dates: those after `after` up to and including `upto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    after: NaiveDate,
    upto: NaiveDate,
}

impl Window {
    fn last_days(as_of: NaiveDate, days: i64) -> Window {
        Window {
            after: as_of - TimeDelta::days(days),
            upto: as_of,
        }
    }

    /// The calendar month `months_ago` months before `as_of`'s, cut at `as_of`.
    fn calendar_month(as_of: NaiveDate, months_ago: u32) -> Window {
        let first = as_of
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(months_ago)))
            .expect("dates stay far from chrono's limits");
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .expect("dates stay far from chrono's limits");
        Window {
            after: first - TimeDelta::days(1),
            upto: (next - TimeDelta::days(1)).min(as_of),
        }
    }

    /// The `days` days that end where this window starts.
    fn preceding(self, days: i64) -> Window {
        Window {
            after: self.after - TimeDelta::days(days),
            upto: self.after,
        }
    }

    fn contains(self, date: NaiveDate) -> bool {
        self.after < date && date <= self.upto
    }

    /// The window's days from `since` on.
    fn days(self, since: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        let first = (self.after + TimeDelta::days(1)).max(since);
        first.iter_days().take_while(move |d| *d <= self.upto)
    }

    /// How many of the window's days fall on or after `since` (none without a `since`).
    fn day_count(self, since: Option<NaiveDate>) -> i64 {
        since.map_or(0, |s| self.days(s).count() as i64)
    }
}

/// "current_month", "previous_month", "2_months_ago" … as Flinks suffixes them.
fn month_suffix(months_ago: u32) -> String {
    match months_ago {
        0 => "current_month".to_owned(),
        1 => "previous_month".to_owned(),
        n => format!("{n}_months_ago"),
    }
}

struct Entry<'a> {
    account: Uuid,
    tx: &'a Transaction,
    category: Category,
}

impl Entry<'_> {
    fn is_credit(&self) -> bool {
        self.tx.credit.is_some()
    }

    /// The amount as the statement shows it: always positive.
    fn amount(&self) -> Cents {
        self.tx.credit.or(self.tx.debit).unwrap_or(0)
    }
}

/// A sum and count with the transactions behind them.
#[derive(Debug, Default)]
struct Tally {
    total: Cents,
    count: i64,
    detail: Vec<(Uuid, Uuid)>,
}

/// The transactions the package is computed from, classified once.
struct Book<'a> {
    as_of: NaiveDate,
    entries: Vec<Entry<'a>>,
    /// The oldest Operations account's opening day: where the customer's history starts.
    since: Option<NaiveDate>,
    primary: Option<&'a Account>,
}

fn is_operations(a: &Account) -> bool {
    let is = |field: &str, value: &str| field.eq_ignore_ascii_case(value);
    !is(&a.account_type, "CreditCard")
        && (is(&a.category, "Operations")
            || is(&a.account_type, "Chequing")
            || is(&a.account_type, "Savings"))
}

/// The account with the most transactions; the first of equals, so the choice does not
/// depend on how a sort treats ties.
fn busiest<'a>(accounts: impl Iterator<Item = &'a Account>) -> Option<&'a Account> {
    accounts.fold(None, |best, a| match best {
        Some(b) if b.transactions.len() >= a.transactions.len() => Some(b),
        _ => Some(a),
    })
}

impl<'a> Book<'a> {
    fn new(persona: &'a Persona, as_of: NaiveDate) -> Book<'a> {
        let operations: Vec<&Account> = persona
            .accounts
            .iter()
            .filter(|a| is_operations(a))
            .collect();
        // Statements repeat the same few descriptions; classify each once.
        let mut seen: HashMap<(&str, bool), Category> = HashMap::new();
        let entries = operations
            .iter()
            .flat_map(|a| a.transactions.iter().map(move |tx| (a.id, tx)))
            .filter(|(_, tx)| tx.date <= as_of)
            .map(|(account, tx)| {
                let key = (tx.description.as_str(), tx.credit.is_some());
                let category = *seen
                    .entry(key)
                    .or_insert_with(|| classify::classify(key.0, key.1));
                Entry {
                    account,
                    tx,
                    category,
                }
            })
            .collect();
        let chequing = operations
            .iter()
            .copied()
            .filter(|a| a.account_type.eq_ignore_ascii_case("Chequing"));
        let primary = busiest(chequing).or_else(|| busiest(operations.iter().copied()));
        Book {
            as_of,
            entries,
            since: operations.iter().map(|a| a.opened).min(),
            primary,
        }
    }

    /// Statement amounts of the picked transactions in the window.
    fn tally(&self, window: Window, pick: Pick) -> Tally {
        self.tally_by(window, pick, |e| e.amount())
    }

    /// Like [`Book::tally`], but credits add and debits subtract.
    fn tally_signed(&self, window: Window, pick: Pick) -> Tally {
        self.tally_by(window, pick, |e| e.tx.signed_amount())
    }

    fn tally_by(&self, window: Window, pick: Pick, amount: fn(&Entry) -> Cents) -> Tally {
        self.entries
            .iter()
            .filter(|e| window.contains(e.tx.date) && pick(e))
            .fold(Tally::default(), |mut t, e| {
                t.total += amount(e);
                t.count += 1;
                t.detail.push((e.account, e.tx.id));
                t
            })
    }

    /// The divisor of `_complex` monthly averages: the days the Operations accounts existed in
    /// the last 365 days, in twelfths of a year rounded up, at least 1 and at most 12. An account
    /// open all year divides by 12; one opened 65 days ago by 3.
    fn months(&self) -> i64 {
        let days = Window::last_days(self.as_of, 365).day_count(self.since);
        ((days * 12 + 364) / 365).clamp(1, 12)
    }

    fn average_monthly(&self, name: &str, pick: Pick) -> Attribute {
        let t = self.tally(Window::last_days(self.as_of, 365), pick);
        attribute(
            name,
            AttrValue::Money(div_round(t.total, self.months())),
            t.detail,
        )
    }

    /// `sum_<what>_<month>` for the 13 calendar months, then `count_<what>_<month>`.
    fn monthly_series(&self, what: &str, pick: Pick) -> Vec<Attribute> {
        let months: Vec<(String, Tally)> = (0..=12)
            .map(|k| {
                let window = Window::calendar_month(self.as_of, k);
                (month_suffix(k), self.tally(window, pick))
            })
            .collect();
        let sums = months.iter().map(|(suffix, t)| {
            attribute(
                &format!("sum_{what}_{suffix}"),
                AttrValue::Money(t.total),
                t.detail.clone(),
            )
        });
        let counts = months.iter().map(|(suffix, t)| {
            attribute(
                &format!("count_{what}_{suffix}"),
                AttrValue::Count(t.count),
                t.detail.clone(),
            )
        });
        sums.chain(counts).collect()
    }

    /// The last 90 days' daily rate of the picked amounts against the 270 days' before.
    fn trend(&self, pick: Pick) -> &'static str {
        let recent = Window::last_days(self.as_of, 90);
        let prior = recent.preceding(270);
        let rate = |w: Window| (self.tally(w, pick).total, w.day_count(self.since));
        trend_of(rate(recent), rate(prior))
    }

    /// Average end-of-day balance of the primary account: last 90 days against the 90 before.
    fn balance_trend(&self) -> &'static str {
        let recent = Window::last_days(self.as_of, 90);
        let average = |w: Window| {
            let days = self.end_of_day_balances(w);
            (days.iter().sum::<Cents>(), days.len() as i64)
        };
        trend_of(average(recent), average(recent.preceding(90)))
    }

    /// The primary account's balance at the end of each day of the window on which it was
    /// open. Days without a transaction carry the balance of the day before.
    fn end_of_day_balances(&self, window: Window) -> Vec<Cents> {
        let Some(account) = self.primary else {
            return Vec::new();
        };
        let txs = &account.transactions;
        let mut balance = txs.first().map_or(0, |t| t.balance - t.signed_amount());
        let mut next = 0;
        window
            .days(account.opened)
            .map(|day| {
                while let Some(t) = txs.get(next).filter(|t| t.date <= day) {
                    balance = t.balance;
                    next += 1;
                }
                balance
            })
            .collect()
    }

    /// The name seen on the most transactions in the window (ties: the larger total, then the
    /// alphabetically first), or `NONE_DETECTED`.
    /// `name` must depend only on the description and the direction: it is asked once per
    /// distinct pair.
    fn most_frequent(&self, window: Window, name: impl Fn(&Entry) -> Option<String>) -> String {
        let mut names: HashMap<(&str, bool), Option<String>> = HashMap::new();
        let mut seen: BTreeMap<String, (i64, Cents)> = BTreeMap::new();
        for e in self.entries.iter().filter(|e| window.contains(e.tx.date)) {
            let key = (e.tx.description.as_str(), e.is_credit());
            if let Some(n) = names.entry(key).or_insert_with(|| name(e)) {
                let (count, total) = seen.entry(n.clone()).or_default();
                *count += 1;
                *total += e.amount();
            }
        }
        seen.into_iter()
            .fold(
                None,
                |best: Option<(String, (i64, Cents))>, (n, score)| match best {
                    Some(b) if b.1 >= score => Some(b),
                    _ => Some((n, score)),
                },
            )
            .map_or_else(|| NONE_DETECTED.to_owned(), |(n, _)| n)
    }
}

/// How far apart two rates must be, in percent, to call a trend.
const TREND_THRESHOLD_PERCENT: i128 = 15;

/// Compares two averages, each given as (total, number of days): a recent one more than
/// [`TREND_THRESHOLD_PERCENT`] above the earlier one (relative to the earlier one's size) is
/// `INCREASING`, as far below is `DECREASING`. With no days on either side there is nothing to compare.
fn trend_of(
    (recent, recent_days): (Cents, i64),
    (prior, prior_days): (Cents, i64),
) -> &'static str {
    if recent_days == 0 || prior_days == 0 {
        return CONSISTENT;
    }
    // recent/recent_days − prior/prior_days against |prior/prior_days| · 15/100, multiplied
    // through by 100 · recent_days · prior_days to stay in exact integers.
    let change = 100
        * (i128::from(recent) * i128::from(prior_days)
            - i128::from(prior) * i128::from(recent_days));
    let threshold = TREND_THRESHOLD_PERCENT * i128::from(prior).abs() * i128::from(recent_days);
    if change > threshold {
        INCREASING
    } else if change < -threshold {
        DECREASING
    } else {
        CONSISTENT
    }
}

/// `total / n` rounded to the nearest cent, halves away from zero.
fn div_round(total: Cents, n: i64) -> Cents {
    debug_assert!(n > 0);
    let (q, r) = (total / n, total % n);
    if 2 * r.abs() >= n {
        q + total.signum()
    } else {
        q
    }
}

fn attribute(name: &str, value: AttrValue, detail: Vec<(Uuid, Uuid)>) -> Attribute {
    Attribute {
        name: name.to_owned(),
        value,
        detail,
    }
}

/// A value with no transactions behind it.
fn plain(name: &str, value: AttrValue) -> Attribute {
    attribute(name, value, Vec::new())
}

fn text(name: &str, value: &str) -> Attribute {
    plain(name, AttrValue::Text(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::personas::{self, DEFAULT_SEED};

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
                ("2025-12-15", "NSF FEE", -48_00), // 3: 90 days before: out of 90 days
                ("2025-12-16", "NSF FEE", -48_00), // 4: 89 days before: in
                ("2026-01-31", "STOP PAYMENT FEE", -12_50), // 5
                ("2026-02-10", "CANADA FED EI", 300_00), // 6
                ("2026-02-11", "UBER CANADA BV PAYOUT", 200_00), // 7
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
            let months = Book::new(&p, as_of()).months();
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
        assert!(
            matches!(value(&attrs, "count_stop_payment_90_days"), AttrValue::Count(n) if *n > 0)
        );
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
}
