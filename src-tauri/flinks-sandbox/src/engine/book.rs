//! The transactions in scope, classified once and in date order, and the sums and counts of
//! flows over windows that the calculations draw on.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use chrono::{NaiveDate, TimeDelta};
use uuid::Uuid;

use super::measures::{frequency, NONE_DETECTED};
use super::scope::Scope;
use super::window::Window;
use crate::classify::{self, Category};
use crate::model::{Account, Cents, Persona, Transaction};
use crate::vocabulary::{ClassifiedTransaction, Flow};

/// A sum and count with the transactions behind them (indices into the book's entries).
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) total: Cents,
    pub(super) count: i64,
    pub(super) picked: Vec<usize>,
}

/// The primary account's transactions in scope, for balances.
pub(super) struct Primary<'a> {
    /// The first day its balances are known: its opening, or the first day of the data.
    pub(super) from: NaiveDate,
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
    pub(super) fn balance_at(&self, day: NaiveDate) -> Cents {
        match self.txs.partition_point(|t| t.date <= day) {
            0 => self.opening,
            n => self.txs[n - 1].balance,
        }
    }
}

/// The transactions attributes are computed from, classified once and in date order.
pub(super) struct Book<'a> {
    pub(super) as_of: NaiveDate,
    pub(super) entries: Vec<ClassifiedTransaction<'a>>,
    /// Where the data starts: the oldest account's opening, or the first day of a day limit.
    pub(super) since: Option<NaiveDate>,
    /// The oldest account's opening (what `account_age_days` counts from).
    pub(super) opened: Option<NaiveDate>,
    pub(super) primary: Option<Primary<'a>>,
    /// Sums and counts already made, by flow and window: families ask for the same ones often.
    tallies: RefCell<HashMap<(*const Flow, Window), Rc<Tally>>>,
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
    pub(super) fn new(persona: &'a Persona, as_of: NaiveDate, scope: &Scope) -> Book<'a> {
        let data_start = scope.days.map(|d| as_of - TimeDelta::days(d.max(1) - 1));
        let in_data = |d: NaiveDate| d <= as_of && data_start.map_or(true, |s| d >= s);
        let accounts: Vec<&Account> = persona
            .accounts
            .iter()
            .filter(|a| scope.includes(a))
            .collect();
        // Statements repeat the same few descriptions; classify each once.
        let mut seen: HashMap<(&str, bool), Category> = HashMap::new();
        let mut entries: Vec<ClassifiedTransaction> = accounts
            .iter()
            .flat_map(|a| a.transactions.iter().map(move |tx| (a.id, tx)))
            .filter(|(_, tx)| in_data(tx.date))
            .map(|(account, tx)| {
                let key = (tx.description.as_str(), tx.credit.is_some());
                let category = *seen
                    .entry(key)
                    .or_insert_with(|| classify::classify(key.0, key.1));
                ClassifiedTransaction {
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

    pub(super) fn year(&self) -> Window {
        Window::last_days(self.as_of, 365)
    }

    /// The flow's transactions in the window, added up.
    pub(super) fn tally(&self, flow: &'static Flow, window: Window) -> Rc<Tally> {
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

    pub(super) fn detail(&self, picked: impl IntoIterator<Item = usize>) -> Vec<(Uuid, Uuid)> {
        picked
            .into_iter()
            .map(|i| (self.entries[i].account, self.entries[i].tx.id))
            .collect()
    }

    /// The divisor of `_complex` monthly averages: the days the accounts existed in the last 365
    /// days (from where the data starts), in twelfths of a year rounded up, at least 1 and at
    /// most 12. An account open all year divides by 12; one opened 65 days ago by 3.
    pub(super) fn months(&self) -> i64 {
        let days = self.year().day_count(self.since);
        ((days * 12 + 364) / 365).clamp(1, 12)
    }
}

/// Marks the entries whose counterparty (the description without reference numbers, and the
/// direction) shows a detected frequency over the window.
fn mark_recurring(entries: &mut [ClassifiedTransaction], window: Window) {
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
pub(super) fn payee_key(description: &str) -> String {
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}
