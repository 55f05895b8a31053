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

use chrono::NaiveDate;

use crate::catalog::{self, Package, Spec};
use crate::model::{Attribute, Persona};
use book::Book;

mod book;
mod measures;
mod scope;
mod values;
mod window;

pub use measures::{CONSISTENT, DECREASING, INCREASING, NO, NONE_DETECTED, YES};
pub use scope::Scope;

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

#[cfg(test)]
mod tests;
