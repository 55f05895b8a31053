//! The attributes engine: computes what the catalog ([`crate::catalog`]) describes from a
//! persona's transactions.
//!
//! Conventions every attribute follows:
//! - Only the accounts in scope count: by default the Operations accounts (Chequing, Savings, or
//!   anything in the Operations category that is not a credit card); a [`Scope`] may name the
//!   accounts or the Flinks account categories instead. Only transactions dated on or before
//!   `as_of` count, and with a day limit only those of the last N days.
//! - "Last N days" is the dates in (as_of − N days, as_of]: a transaction exactly 90 days before
//!   `as_of` is outside the 90-day window, one 89 days before is inside.
//! - Calendar months are counted back from `as_of`'s month: `current_month` is the 1st of that
//!   month to `as_of`, `previous_month` the whole month before, and so on to `12_months_ago`.
//! - Transfers between the customer's own accounts are neither income nor expense.
//! - Money is rounded to the cent, halves away from zero.
//!
//! Every sum, count and average of transactions carries, in [`Attribute::detail`], the
//! transactions it was computed from: their amounts add up to the sum (or to the average times
//! its divisor), and there are as many as the count says.

// Amounts are cents written as dollars_cents (1_250_00 is $1,250.00), a grouping clippy
// would otherwise call inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use chrono::{Datelike, NaiveDate, TimeDelta};
use uuid::Uuid;

use crate::catalog::{self, Package, Spec};
use crate::classify::{self, Category};
use crate::model::{Account, AttrValue, Attribute, Cents, Persona, Transaction};

/// Flinks' sentinel for a name, date or frequency that was not found.
pub const NONE_DETECTED: &str = "NONE_DETECTED";
pub const INCREASING: &str = "INCREASING";
pub const DECREASING: &str = "DECREASING";
pub const CONSISTENT: &str = "CONSISTENT";
pub const YES: &str = "YES";
pub const NO: &str = "NO";

/// Deposit frequencies, as Flinks spells them, with the gaps in days that make each: the
/// median gap between distinct dates picks one, and two gaps in three must fall in its range.
const CADENCES: &[(&str, i64, i64)] =
    &[("Weekly", 5, 9), ("BiWeekly", 12, 16), ("Monthly", 26, 35)];

/// The free cash flow and the plain (not `_complex`) monthly averages divide by 12.
const MONTHS_IN_A_YEAR: i64 = 12;

/// Which accounts and transactions attributes are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only these accounts (GetAccountsDetail's `AccountsFilter`, the custom request's
    /// `AccountFilter`).
    pub accounts: Option<Vec<Uuid>>,
    /// Only accounts of these Flinks categories, in any case (`Filters.AccountCategory`).
    /// Without it, the Operations accounts.
    pub categories: Option<Vec<String>>,
    /// Only the transactions of the last N days (`DaysOfTransactions`, `limitDays`).
    pub days: Option<i64>,
}

impl Scope {
    fn includes(&self, a: &Account) -> bool {
        let listed = self
            .accounts
            .as_ref()
            .map_or(true, |ids| ids.contains(&a.id));
        let category = match &self.categories {
            Some(categories) => categories
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(&a.category)),
            None => is_operations(a),
        };
        listed && category
    }

    /// What both scopes allow: the accounts both list, the shorter day limit. `other`'s
    /// categories replace this one's (sessions never carry categories).
    pub fn narrowed(&self, other: &Scope) -> Scope {
        let accounts = match (&self.accounts, &other.accounts) {
            (Some(a), Some(b)) => Some(a.iter().filter(|id| b.contains(id)).copied().collect()),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let days = match (self.days, other.days) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Scope {
            accounts,
            categories: other.categories.clone().or_else(|| self.categories.clone()),
            days,
        }
    }
}

/// A package's attributes, in the package's order.
pub fn package(
    package: Package,
    persona: &Persona,
    as_of: NaiveDate,
    scope: &Scope,
) -> Vec<Attribute> {
    compute(catalog::catalog().package(package), persona, as_of, scope)
}

/// The given attributes, in the given order.
pub fn compute<'s>(
    specs: impl IntoIterator<Item = &'s Spec>,
    persona: &Persona,
    as_of: NaiveDate,
    scope: &Scope,
) -> Vec<Attribute> {
    let book = Book::new(persona, as_of, scope);
    specs.into_iter().map(|s| book.evaluate(s)).collect()
}

/// The Credit Risk package (flinks-api.md §4.4) over the Operations accounts.
pub fn credit_risk(persona: &Persona, as_of: NaiveDate) -> Vec<Attribute> {
    package(Package::CreditRisk, persona, as_of, &Scope::default())
}

/// Which way the money of a flow moves, which decides how it is added up and worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    /// Credits; amounts as the statement shows them.
    In,
    /// Debits; amounts as the statement shows them.
    Out,
    /// Both; credits add and debits subtract.
    Net,
    /// Both, counted rather than added (activity).
    Any,
}

/// A kind of money movement that a family of attributes adds up: which transactions it picks,
/// and the words its names and definitions are made of.
#[derive(Debug)]
pub(crate) struct Flow {
    /// The name part: `employer_income` in `sum_employer_income_30_days`.
    pub key: &'static str,
    /// What the transactions are, for definitions: "payroll deposits from employers".
    pub what: &'static str,
    /// The catalog category of the family.
    pub section: &'static str,
    pub way: Way,
    pub pick: Pick,
}

/// Which transactions a flow takes.
#[derive(Debug)]
pub(crate) enum Pick {
    /// Those of these categories.
    Is(&'static [Category]),
    /// Those the function accepts.
    When(fn(&Entry) -> bool),
}

impl Flow {
    fn picks(&self, e: &Entry) -> bool {
        match self.pick {
            Pick::Is(categories) => categories.contains(&e.category),
            Pick::When(f) => f(e),
        }
    }

    fn amount(&self, e: &Entry) -> Cents {
        if self.way == Way::Net {
            e.tx.signed_amount()
        } else {
            e.amount()
        }
    }
}

/// The days a sum or count covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    /// The last N days.
    Days(i64),
    /// The calendar month N months before `as_of`'s (0: the current one).
    Month(u32),
}

impl Period {
    /// The name suffix: `30_days`, `current_month`, `2_months_ago`.
    pub fn suffix(self) -> String {
        match self {
            Period::Days(n) => format!("{n}_days"),
            Period::Month(k) => month_suffix(k),
        }
    }

    /// The words for a definition: "the last 30 days", "the previous calendar month".
    pub fn phrase(self) -> String {
        match self {
            Period::Days(n) => format!("the last {n} days"),
            Period::Month(0) => "the current calendar month, up to the data's last day".to_owned(),
            Period::Month(1) => "the previous calendar month".to_owned(),
            Period::Month(k) => format!("the calendar month {k} months before the current one"),
        }
    }

    fn window(self, as_of: NaiveDate) -> Window {
        match self {
            Period::Days(n) => Window::last_days(as_of, n),
            Period::Month(k) => Window::calendar_month(as_of, k),
        }
    }
}

/// What a monthly or per-transaction average divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Per {
    /// The months the accounts existed in the last 365 days (1 to 12): the `_complex` average.
    Month,
    /// Always 12.
    Twelve,
    /// Annualized: the monthly (`Month`) average times 12.
    Year,
    /// The number of transactions: the average amount of one.
    Transaction,
}

/// Names found in descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    /// Employers, from payroll deposits.
    Employers,
    /// Micro-lenders, from advances and payments.
    MicroLenders,
}

impl Names {
    fn of(self, e: &Entry) -> Option<String> {
        match self {
            Names::Employers => (e.category == Category::EmployerIncome)
                .then(|| classify::employer_name(&e.tx.description))
                .flatten(),
            Names::MicroLenders => classify::micro_lender_name(&e.tx.description),
        }
    }
}

/// End-of-day balances of the primary account.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bal {
    /// Lowest over the last 90 days.
    Min,
    /// Highest over the last 90 days.
    Max,
    /// Average over the last 90 days.
    Average,
    /// Days of the last 90 that ended below zero.
    NegativeDays,
    /// At the end of `as_of`.
    Current,
    /// At the end of the day N days before `as_of`.
    DaysAgo(i64),
    /// The last 90 days' average against the 90 days' before.
    Trend,
    /// Average over the days (shifted by the offset) on which the flow moved money in the last
    /// 365 days.
    ClosingOn(&'static Flow, i64),
}

/// How an attribute is computed. The catalog pairs each name with one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Calc {
    Sum(&'static Flow, Period),
    Count(&'static Flow, Period),
    /// The flow's total over the last 365 days divided as `Per` says.
    Average(&'static Flow, Per),
    /// The flow's count over the last 365 days divided by the months (`Per::Month`).
    MonthlyCount(&'static Flow),
    /// INCREASING / DECREASING / CONSISTENT: the last 90 days' daily amount against the 270 days'
    /// before.
    Trend(&'static Flow),
    /// The same two daily amounts as a ratio (0 when the earlier one is 0).
    TrendRatio(&'static Flow),
    /// Like `Trend`, on the number of transactions.
    ActivityTrend(&'static Flow),
    Frequency(&'static Flow),
    LastTwoDates(&'static Flow),
    Has(&'static Flow),
    /// The name ranked so (0: the most frequent) over the last 365 days.
    Name(Names, usize),
    CountDistinct(Names),
    ActiveDays,
    AccountAge,
    Balance(Bal),
}

/// A range of dates: those after `after` up to and including `upto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
pub(crate) fn month_suffix(months_ago: u32) -> String {
    match months_ago {
        0 => "current_month".to_owned(),
        1 => "previous_month".to_owned(),
        n => format!("{n}_months_ago"),
    }
}

/// One transaction of an account in scope, classified.
pub(crate) struct Entry<'a> {
    pub account: Uuid,
    pub tx: &'a Transaction,
    pub category: Category,
    /// The counterparty is paid or pays on a detected schedule (weekly, biweekly, monthly)
    /// over the last 365 days.
    pub recurring: bool,
}

impl Entry<'_> {
    pub fn is_credit(&self) -> bool {
        self.tx.credit.is_some()
    }

    /// The amount as the statement shows it: always positive.
    pub fn amount(&self) -> Cents {
        self.tx.credit.or(self.tx.debit).unwrap_or(0)
    }
}

/// A sum and count with the transactions behind them (indices into the book's entries).
#[derive(Debug, Default)]
struct Tally {
    total: Cents,
    count: i64,
    picked: Vec<usize>,
}

/// The primary account's transactions in scope, for balances.
struct Primary<'a> {
    /// The first day its balances are known: its opening, or the first day of the data.
    from: NaiveDate,
    /// The balance before the first transaction in scope.
    opening: Cents,
    txs: &'a [Transaction],
}

impl<'a> Primary<'a> {
    fn new(account: &'a Account, as_of: NaiveDate, data_start: Option<NaiveDate>) -> Self {
        let all = &account.transactions;
        let lo = data_start.map_or(0, |s| all.partition_point(|t| t.date < s));
        let hi = all.partition_point(|t| t.date <= as_of).max(lo);
        let opening = match lo.checked_sub(1) {
            Some(before) => all[before].balance,
            None => all.first().map_or(0, |t| t.balance - t.signed_amount()),
        };
        Primary {
            from: data_start.map_or(account.opened, |s| account.opened.max(s)),
            opening,
            txs: &all[lo..hi],
        }
    }

    /// The balance at the end of `day`.
    fn balance_at(&self, day: NaiveDate) -> Cents {
        match self.txs.partition_point(|t| t.date <= day) {
            0 => self.opening,
            n => self.txs[n - 1].balance,
        }
    }
}

/// The transactions attributes are computed from, classified once and in date order.
pub(crate) struct Book<'a> {
    as_of: NaiveDate,
    entries: Vec<Entry<'a>>,
    /// Where the data starts: the oldest account's opening, or the first day of a day limit.
    since: Option<NaiveDate>,
    /// The oldest account's opening (what `account_age_days` counts from).
    opened: Option<NaiveDate>,
    primary: Option<Primary<'a>>,
    /// Sums and counts already made, by flow and window: families ask for the same ones often.
    tallies: RefCell<HashMap<(*const Flow, Window), Rc<Tally>>>,
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
    pub fn new(persona: &'a Persona, as_of: NaiveDate, scope: &Scope) -> Book<'a> {
        let data_start = scope.days.map(|d| as_of - TimeDelta::days(d.max(1) - 1));
        let in_data = |d: NaiveDate| d <= as_of && data_start.map_or(true, |s| d >= s);
        let accounts: Vec<&Account> = persona
            .accounts
            .iter()
            .filter(|a| scope.includes(a))
            .collect();
        // Statements repeat the same few descriptions; classify each once.
        let mut seen: HashMap<(&str, bool), Category> = HashMap::new();
        let mut entries: Vec<Entry> = accounts
            .iter()
            .flat_map(|a| a.transactions.iter().map(move |tx| (a.id, tx)))
            .filter(|(_, tx)| in_data(tx.date))
            .map(|(account, tx)| {
                let key = (tx.description.as_str(), tx.credit.is_some());
                let category = *seen
                    .entry(key)
                    .or_insert_with(|| classify::classify(key.0, key.1));
                Entry {
                    account,
                    tx,
                    category,
                    recurring: false,
                }
            })
            .collect();
        // Stable: same-day transactions keep their account's order.
        entries.sort_by_key(|e| e.tx.date);
        mark_recurring(&mut entries, Window::last_days(as_of, 365));
        let chequing = accounts
            .iter()
            .copied()
            .filter(|a| a.account_type.eq_ignore_ascii_case("Chequing"));
        let primary = busiest(chequing)
            .or_else(|| busiest(accounts.iter().copied()))
            .map(|a| Primary::new(a, as_of, data_start));
        let opened = accounts.iter().map(|a| a.opened).min();
        Book {
            as_of,
            entries,
            since: opened.map(|o| data_start.map_or(o, |s| o.max(s))),
            opened,
            primary,
            tallies: RefCell::new(HashMap::new()),
        }
    }

    fn year(&self) -> Window {
        Window::last_days(self.as_of, 365)
    }

    /// The flow's transactions in the window, added up.
    fn tally(&self, flow: &'static Flow, window: Window) -> Rc<Tally> {
        if let Some(t) = self
            .tallies
            .borrow()
            .get(&(std::ptr::from_ref(flow), window))
        {
            return Rc::clone(t);
        }
        let lo = self.entries.partition_point(|e| e.tx.date <= window.after);
        let hi = self
            .entries
            .partition_point(|e| e.tx.date <= window.upto)
            .max(lo);
        let mut t = Tally::default();
        for (i, e) in self.entries[lo..hi].iter().enumerate() {
            if flow.picks(e) {
                t.total += flow.amount(e);
                t.count += 1;
                t.picked.push(lo + i);
            }
        }
        let t = Rc::new(t);
        self.tallies
            .borrow_mut()
            .insert((std::ptr::from_ref(flow), window), Rc::clone(&t));
        t
    }

    fn detail(&self, picked: impl IntoIterator<Item = usize>) -> Vec<(Uuid, Uuid)> {
        picked
            .into_iter()
            .map(|i| (self.entries[i].account, self.entries[i].tx.id))
            .collect()
    }

    /// The divisor of `_complex` monthly averages: the days the accounts existed in the last 365
    /// days (from where the data starts), in twelfths of a year rounded up, at least 1 and at
    /// most 12. An account open all year divides by 12; one opened 65 days ago by 3.
    fn months(&self) -> i64 {
        let days = self.year().day_count(self.since);
        ((days * 12 + 364) / 365).clamp(1, 12)
    }

    pub fn evaluate(&self, spec: &Spec) -> Attribute {
        let (value, detail) = self.calculate(spec.calc);
        Attribute {
            name: spec.name.clone(),
            value,
            detail,
        }
    }

    fn calculate(&self, calc: Calc) -> (AttrValue, Vec<(Uuid, Uuid)>) {
        let none = Vec::new;
        let text = |s: &str| AttrValue::Text(s.to_owned());
        match calc {
            Calc::Sum(flow, period) => {
                let t = self.tally(flow, period.window(self.as_of));
                (AttrValue::Money(t.total), self.detail(t.picked.clone()))
            }
            Calc::Count(flow, period) => {
                let t = self.tally(flow, period.window(self.as_of));
                (AttrValue::Count(t.count), self.detail(t.picked.clone()))
            }
            Calc::Average(flow, per) => {
                let t = self.tally(flow, self.year());
                let value = match per {
                    Per::Month => div_round(t.total, self.months()),
                    Per::Twelve => div_round(t.total, MONTHS_IN_A_YEAR),
                    Per::Year => div_round(t.total * MONTHS_IN_A_YEAR, self.months()),
                    Per::Transaction if t.count == 0 => 0,
                    Per::Transaction => div_round(t.total, t.count),
                };
                (AttrValue::Money(value), self.detail(t.picked.clone()))
            }
            Calc::MonthlyCount(flow) => {
                let t = self.tally(flow, self.year());
                let per_month = t.count as f64 / self.months() as f64;
                let value = AttrValue::Number((per_month * 100.0).round() / 100.0);
                (value, self.detail(t.picked.clone()))
            }
            Calc::Trend(flow) => (text(self.trend(flow, |t| t.total)), none()),
            Calc::ActivityTrend(flow) => (text(self.trend(flow, |t| t.count)), none()),
            Calc::TrendRatio(flow) => (AttrValue::Number(self.trend_ratio(flow)), none()),
            Calc::Frequency(flow) => {
                let t = self.tally(flow, self.year());
                let dates: Vec<NaiveDate> =
                    t.picked.iter().map(|&i| self.entries[i].tx.date).collect();
                (text(frequency(&dates)), none())
            }
            Calc::LastTwoDates(flow) => {
                let t = self.tally(flow, self.year());
                let last: Vec<usize> = t.picked.iter().rev().take(2).copied().collect();
                let dates: Vec<String> = last
                    .iter()
                    .map(|&i| self.entries[i].tx.date.format("%Y/%m/%d").to_string())
                    .collect();
                let value = if dates.is_empty() {
                    NONE_DETECTED.to_owned()
                } else {
                    dates.join(", ")
                };
                (AttrValue::Text(value), self.detail(last))
            }
            Calc::Has(flow) => {
                let any = self.tally(flow, self.year()).count > 0;
                (text(if any { YES } else { NO }), none())
            }
            Calc::Name(names, rank) => {
                let ranked = self.ranked(names);
                let name = ranked.get(rank).map_or(NONE_DETECTED, |r| r.name.as_str());
                (text(name), none())
            }
            Calc::CountDistinct(names) => {
                let mut latest: Vec<usize> = self.ranked(names).iter().map(|r| r.latest).collect();
                latest.sort_unstable();
                (AttrValue::Count(latest.len() as i64), self.detail(latest))
            }
            Calc::ActiveDays => {
                // The first transaction of each day that has one.
                let year = self.year();
                let firsts: Vec<usize> = self
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(i, e)| {
                        year.contains(e.tx.date)
                            && (*i == 0 || self.entries[i - 1].tx.date != e.tx.date)
                    })
                    .map(|(i, _)| i)
                    .collect();
                (AttrValue::Count(firsts.len() as i64), self.detail(firsts))
            }
            Calc::AccountAge => {
                let age = self
                    .opened
                    .map_or(0, |opened| (self.as_of - opened).num_days().max(0));
                (AttrValue::Count(age), none())
            }
            Calc::Balance(b) => (self.balance(b), none()),
        }
    }

    /// The last 90 days' daily rate of the flow against the 270 days' before, each over the days
    /// the accounts existed in them; `measure` takes the amount or the count.
    fn trend(&self, flow: &'static Flow, measure: fn(&Tally) -> Cents) -> &'static str {
        let (recent, prior) = self.rates(flow, measure);
        trend_of(recent, prior)
    }

    fn rates(
        &self,
        flow: &'static Flow,
        measure: fn(&Tally) -> Cents,
    ) -> ((Cents, i64), (Cents, i64)) {
        let recent = Window::last_days(self.as_of, 90);
        let prior = recent.preceding(270);
        let rate = |w: Window| (measure(&self.tally(flow, w)), w.day_count(self.since));
        (rate(recent), rate(prior))
    }

    fn trend_ratio(&self, flow: &'static Flow) -> f64 {
        let ((recent, recent_days), (prior, prior_days)) = self.rates(flow, |t| t.total);
        if prior == 0 || recent_days == 0 || prior_days == 0 {
            return 0.0;
        }
        let ratio = (recent as f64 / recent_days as f64) / (prior as f64 / prior_days as f64);
        (ratio * 100.0).round() / 100.0
    }

    fn balance(&self, b: Bal) -> AttrValue {
        let quarter = Window::last_days(self.as_of, 90);
        let money = AttrValue::Money;
        let Some(p) = &self.primary else {
            return match b {
                Bal::NegativeDays => AttrValue::Count(0),
                Bal::Trend => AttrValue::Text(CONSISTENT.to_owned()),
                _ => money(0),
            };
        };
        match b {
            Bal::Min => money(
                self.end_of_day_balances(quarter)
                    .into_iter()
                    .min()
                    .unwrap_or(0),
            ),
            Bal::Max => money(
                self.end_of_day_balances(quarter)
                    .into_iter()
                    .max()
                    .unwrap_or(0),
            ),
            Bal::Average => money(average(&self.end_of_day_balances(quarter))),
            Bal::NegativeDays => {
                let days = self.end_of_day_balances(quarter);
                AttrValue::Count(days.iter().filter(|&&b| b < 0).count() as i64)
            }
            Bal::Current => money(p.balance_at(self.as_of)),
            Bal::DaysAgo(n) => money(p.balance_at(self.as_of - TimeDelta::days(n))),
            Bal::Trend => {
                let sum_and_days = |w: Window| {
                    let days = self.end_of_day_balances(w);
                    (days.iter().sum::<Cents>(), days.len() as i64)
                };
                AttrValue::Text(
                    trend_of(sum_and_days(quarter), sum_and_days(quarter.preceding(90))).to_owned(),
                )
            }
            Bal::ClosingOn(flow, offset) => {
                let t = self.tally(flow, self.year());
                let mut days: Vec<NaiveDate> = t
                    .picked
                    .iter()
                    .map(|&i| self.entries[i].tx.date + TimeDelta::days(offset))
                    .filter(|d| p.from <= *d && *d <= self.as_of)
                    .collect();
                days.dedup();
                let closing: Vec<Cents> = days.iter().map(|d| p.balance_at(*d)).collect();
                money(average(&closing))
            }
        }
    }

    /// The primary account's balance at the end of each day of the window on which it was
    /// open and in the data. Days without a transaction carry the balance of the day before.
    fn end_of_day_balances(&self, window: Window) -> Vec<Cents> {
        self.primary.as_ref().map_or_else(Vec::new, |p| {
            window.days(p.from).map(|day| p.balance_at(day)).collect()
        })
    }

    /// The names seen over the last 365 days, best first: the most transactions, then the
    /// larger total, then alphabetically.
    fn ranked(&self, names: Names) -> Vec<Ranked> {
        // A name depends only on the description and the direction: ask once per pair.
        let mut memo: HashMap<(&str, bool), Option<String>> = HashMap::new();
        let mut seen: BTreeMap<String, Ranked> = BTreeMap::new();
        let year = self.year();
        for (i, e) in self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| year.contains(e.tx.date))
        {
            let key = (e.tx.description.as_str(), e.is_credit());
            if let Some(n) = memo.entry(key).or_insert_with(|| names.of(e)) {
                let r = seen.entry(n.clone()).or_insert_with(|| Ranked {
                    name: n.clone(),
                    count: 0,
                    total: 0,
                    latest: i,
                });
                r.count += 1;
                r.total += e.amount();
                r.latest = i;
            }
        }
        let mut ranked: Vec<Ranked> = seen.into_values().collect();
        // Stable over the alphabetical order, so equals stay alphabetical.
        ranked.sort_by_key(|r| std::cmp::Reverse((r.count, r.total)));
        ranked
    }
}

struct Ranked {
    name: String,
    count: i64,
    total: Cents,
    /// The entry of the name's latest transaction.
    latest: usize,
}

/// Marks the entries whose counterparty (the description without reference numbers, and the
/// direction) shows a detected frequency over the window.
fn mark_recurring(entries: &mut [Entry], window: Window) {
    let mut payee_of: HashMap<&str, usize> = HashMap::new();
    let mut payees: HashMap<String, usize> = HashMap::new();
    let mut dates: HashMap<(usize, bool), Vec<NaiveDate>> = HashMap::new();
    let mut groups: Vec<Option<(usize, bool)>> = Vec::with_capacity(entries.len());
    for e in entries.iter() {
        if !window.contains(e.tx.date) {
            groups.push(None);
            continue;
        }
        let next = payees.len();
        let payee = *payee_of
            .entry(e.tx.description.as_str())
            .or_insert_with(|| *payees.entry(payee_key(&e.tx.description)).or_insert(next));
        let group = (payee, e.is_credit());
        dates.entry(group).or_default().push(e.tx.date);
        groups.push(Some(group));
    }
    let recurring: HashSet<(usize, bool)> = dates
        .into_iter()
        .filter(|(_, d)| frequency(d) != NONE_DETECTED)
        .map(|(g, _)| g)
        .collect();
    for (e, group) in entries.iter_mut().zip(groups) {
        e.recurring = group.is_some_and(|g| recurring.contains(&g));
    }
}

/// The counterparty of a description: upper case, without the words that carry digits (store
/// numbers, references, dates). "LOBLAWS #1042" and "LOBLAWS #1043" are one payee.
fn payee_key(description: &str) -> String {
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Weekly, BiWeekly, Monthly or NONE_DETECTED, from the gaps between the distinct dates (in
/// order): the median gap picks the cadence, and two gaps in three must fit it. Fewer than
/// three dates say nothing.
pub(crate) fn frequency(dates: &[NaiveDate]) -> &'static str {
    let mut days = dates.to_vec();
    days.dedup();
    if days.len() < 3 {
        return NONE_DETECTED;
    }
    let gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    let mut sorted = gaps.clone();
    sorted.sort_unstable();
    let median = sorted[(sorted.len() - 1) / 2];
    CADENCES
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&median))
        .filter(|(_, lo, hi)| {
            let fitting = gaps.iter().filter(|g| (*lo..=*hi).contains(*g)).count();
            3 * fitting >= 2 * gaps.len()
        })
        .map_or(NONE_DETECTED, |(name, _, _)| name)
}

fn average(values: &[Cents]) -> Cents {
    if values.is_empty() {
        0
    } else {
        div_round(values.iter().sum(), values.len() as i64)
    }
}

/// How far apart two rates must be, in percent, to call a trend.
const TREND_THRESHOLD_PERCENT: i128 = 15;

/// Compares two averages, each given as (total, number of days): a recent one more than
/// [`TREND_THRESHOLD_PERCENT`] above the earlier one (relative to the earlier one's size) is
/// `INCREASING`, as far below is `DECREASING`. With no days on either side there is nothing to
/// compare. 15%, not 10%: 90 days hold 6 or 7 biweekly paydays, so a steady salary swings up to
/// ±11% by the calendar alone, and an underwriter must not read that as a raise.
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
pub(crate) fn div_round(total: Cents, n: i64) -> Cents {
    debug_assert!(n > 0);
    let (q, r) = (total / n, total % n);
    if 2 * r.abs() >= n {
        q + total.signum()
    } else {
        q
    }
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
    fn expected_from_detail(calc: Calc, behind: &[&Transaction], months: i64) -> Option<AttrValue> {
        let total = |flow: &Flow| -> Cents {
            behind
                .iter()
                .map(|t| {
                    if flow.way == Way::Net {
                        t.signed_amount()
                    } else {
                        t.credit.or(t.debit).unwrap()
                    }
                })
                .sum()
        };
        let n = behind.len() as i64;
        Some(match calc {
            Calc::Sum(f, _) => AttrValue::Money(total(f)),
            Calc::Count(..) | Calc::CountDistinct(_) | Calc::ActiveDays => AttrValue::Count(n),
            Calc::Average(f, per) => AttrValue::Money(match per {
                Per::Month => div_round(total(f), months),
                Per::Twelve => div_round(total(f), 12),
                Per::Year => div_round(total(f) * 12, months),
                Per::Transaction if n == 0 => 0,
                Per::Transaction => div_round(total(f), n),
            }),
            Calc::MonthlyCount(_) => {
                AttrValue::Number((n as f64 / months as f64 * 100.0).round() / 100.0)
            }
            Calc::LastTwoDates(_) if n == 0 => AttrValue::Text(NONE_DETECTED.to_owned()),
            Calc::LastTwoDates(_) => AttrValue::Text(
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
                    match expected_from_detail(spec.calc, &behind, book.months()) {
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
}
