//! The words the catalog and the engine share to describe an attribute: which transactions it
//! looks at ([`Flow`]), over which days ([`Period`]), and how it is computed ([`Calculation`]).
//!
//! The catalog writes each attribute's [`Calculation`] next to its name and definition; the
//! engine carries it out. Both depend on this module and it depends on neither, so the table of
//! attributes and the arithmetic behind it can change apart.

use uuid::Uuid;

use crate::classify::{self, Category};
use crate::model::{Cents, Transaction};

/// Which way the money of a flow moves, which decides how it is added up and worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowDirection {
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
    pub direction: FlowDirection,
    pub filter: TransactionFilter,
}

/// Which transactions a flow takes.
#[derive(Debug)]
pub(crate) enum TransactionFilter {
    /// Those of these categories.
    Is(&'static [Category]),
    /// Those the function accepts.
    When(fn(&ClassifiedTransaction) -> bool),
}

impl Flow {
    pub(crate) fn picks(&self, e: &ClassifiedTransaction) -> bool {
        match self.filter {
            TransactionFilter::Is(categories) => categories.contains(&e.category),
            TransactionFilter::When(f) => f(e),
        }
    }

    pub(crate) fn amount(&self, e: &ClassifiedTransaction) -> Cents {
        if self.direction == FlowDirection::Net {
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
}

/// "current_month", "previous_month", "2_months_ago" … as Flinks suffixes them.
pub(crate) fn month_suffix(months_ago: u32) -> String {
    match months_ago {
        0 => "current_month".to_owned(),
        1 => "previous_month".to_owned(),
        n => format!("{n}_months_ago"),
    }
}

/// What a monthly or per-transaction average divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AverageDivisor {
    /// The months the accounts existed in the last 365 days (1 to 12): the `_complex` average.
    Month,
    /// Always 12.
    Twelve,
    /// Annualized: the monthly (`Month`) average times 12.
    Year,
    /// The number of transactions: the average amount of one.
    Transaction,
}

/// Whose names are read from descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counterparties {
    /// Employers, from payroll deposits.
    Employers,
    /// Micro-lenders, from advances and payments.
    MicroLenders,
}

impl Counterparties {
    pub(crate) fn of(self, e: &ClassifiedTransaction) -> Option<String> {
        match self {
            Counterparties::Employers => (e.category == Category::EmployerIncome)
                .then(|| classify::employer_name(&e.tx.description))
                .flatten(),
            Counterparties::MicroLenders => classify::micro_lender_name(&e.tx.description),
        }
    }
}

/// What is read from the end-of-day balances of the primary account.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BalanceMeasure {
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
pub(crate) enum Calculation {
    Sum(&'static Flow, Period),
    Count(&'static Flow, Period),
    /// The flow's total over the last 365 days divided as the divisor says.
    Average(&'static Flow, AverageDivisor),
    /// The flow's count over the last 365 days divided by the months (`AverageDivisor::Month`).
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
    Name(Counterparties, usize),
    CountDistinct(Counterparties),
    ActiveDays,
    AccountAge,
    Balance(BalanceMeasure),
}

/// One transaction of an account in scope, classified.
pub(crate) struct ClassifiedTransaction<'a> {
    pub account: Uuid,
    pub tx: &'a Transaction,
    pub category: Category,
    /// The counterparty is paid or pays on a detected schedule (weekly, biweekly, monthly)
    /// over the last 365 days.
    pub recurring: bool,
}

impl ClassifiedTransaction<'_> {
    pub fn is_credit(&self) -> bool {
        self.tx.credit.is_some()
    }

    /// The amount as the statement shows it: always positive.
    pub fn amount(&self) -> Cents {
        self.tx.credit.or(self.tx.debit).unwrap_or(0)
    }
}
