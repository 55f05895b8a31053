//! Which Flinks attributes stand for income, debts and a business's revenue and costs: a table,
//! so the choice is data the screen can show and a desk can replace, not names scattered
//! through the arithmetic.
//!
//! The default table ([`AttributeMap::flinks`]) and why each row:
//!
//! - Monthly income: `average_monthly_total_income_complex` (Lending's "Total Income": every
//!   income deposit of the last 365 days over the months the accounts existed, so a young
//!   account is not averaged over twelve). Income, Credit Risk and User Analysis do not return
//!   it; they return its two parts, `average_monthly_employer_income_complex` +
//!   `average_monthly_non_employer_income_complex` (the documented Flinks names; payroll, and
//!   everything else counted as income: government programs, payouts, transfers from others).
//!   The two are tried in that order. Gig workers and people on benefits have no employer
//!   income, so payroll alone would turn them away for want of a figure, not for their ratios.
//!   These are deposits, net of tax and payroll deductions, where CMHC's ratios use gross
//!   income: ratios from them run higher than a bureau's, on the safe side.
//! - Existing monthly debts: `average_monthly_loan_payments_complex` (Credit Risk, Lending: auto,
//!   mortgage, micro, student and other loan payments). Revolving debt (card minimums) is not
//!   in bank data; the underwriter types it as other debts.
//! - Existing mortgage payments: `average_monthly_mortgage_payments_complex` (Credit Risk), read
//!   only when the new loan replaces the mortgage, to take it out of the debts.
//! - Business revenue: `average_monthly_operating_income_biz` (customer payments, card-terminal
//!   payouts, other deposits; not loans, government programs or own transfers).
//! - Business operating costs: `average_monthly_operating_expenses_biz` (debits to others except
//!   loan payments and bank fees) + `average_monthly_bank_fees_biz`: fees are a cost of running
//!   the business, and leaving them out would flatter the DSCR. The sandbox counts every such
//!   debit (Flinks documents no finer rule), so an asset bought from the account (a van paid
//!   to the dealer from a loan deposited the same day) lowers the net operating income as if
//!   it were a running cost; the formulas name the attributes, so the underwriter can open
//!   the transactions behind them.
//! - Business debt payments: `average_monthly_loan_payments_biz` (term, auto, mortgage, micro and
//!   other loan payments of the business accounts).

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::AffordabilityError;
pub use super::role::Role;

/// One way to read a role: the sum of these attributes, when every one of them is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeSource {
    pub role: Role,
    pub attributes: Vec<String>,
    /// The Flinks packages that return all of them (for the message when they are missing).
    pub packages: Vec<String>,
    pub note: String,
}

/// The sources of every role; for each role the first complete source wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMap {
    pub sources: Vec<AttributeSource>,
}

/// One attribute as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeValue {
    pub name: String,
    pub value: Decimal,
}

/// A role as read: the attributes used and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceReading {
    pub role: Role,
    pub attributes: Vec<AttributeValue>,
    pub value: Decimal,
}

impl SourceReading {
    pub fn names(&self) -> Vec<String> {
        self.attributes.iter().map(|a| a.name.clone()).collect()
    }
}

const PACKAGE_ORDER: &[&str] = &[
    "Income",
    "Lending",
    "Credit Risk",
    "User Analysis",
    "Business Analysis",
    "All",
];

const LENDING_FAMILY: &[&str] = &["Lending", "All"];
const INCOME_FAMILY: &[&str] = &["Income", "Credit Risk", "User Analysis", "Lending", "All"];
const DEBT_FAMILY: &[&str] = &["Credit Risk", "User Analysis", "Lending", "All"];
const CREDIT_RISK_FAMILY: &[&str] = &["Credit Risk", "User Analysis", "All"];
const BUSINESS_FAMILY: &[&str] = &["Business Analysis", "All"];

/// (role, attributes added, packages returning them, why).
type Row = (
    Role,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

#[rustfmt::skip]
const FLINKS: &[Row] = &[
    (Role::MonthlyIncome, &["average_monthly_total_income_complex"], LENDING_FAMILY,
        "Lending's total income: every income deposit of the last 365 days, averaged over the \
         months the accounts existed."),
    (Role::MonthlyIncome,
        &["average_monthly_employer_income_complex", "average_monthly_non_employer_income_complex"],
        INCOME_FAMILY,
        "Payroll plus every other income deposit: the same total, from packages without it."),
    (Role::MonthlyDebtPayments, &["average_monthly_loan_payments_complex"], DEBT_FAMILY,
        "Loan payments of every kind (auto, mortgage, micro, student, other); card minimums are \
         not in bank data."),
    (Role::MonthlyMortgagePayments, &["average_monthly_mortgage_payments_complex"],
        CREDIT_RISK_FAMILY,
        "The mortgage part of the loan payments, taken out when the new loan replaces it."),
    (Role::MonthlyRevenue, &["average_monthly_operating_income_biz"], BUSINESS_FAMILY,
        "Customer payments, card-terminal payouts and other deposits; not loans, government \
         programs or own transfers."),
    (Role::MonthlyOperatingExpenses,
        &["average_monthly_operating_expenses_biz", "average_monthly_bank_fees_biz"],
        BUSINESS_FAMILY,
        "Every debit to others except loan payments, plus bank fees: both are costs of running \
         the business."),
    (Role::MonthlyBusinessDebtPayments, &["average_monthly_loan_payments_biz"], BUSINESS_FAMILY,
        "The business's existing loan payments of every kind."),
];

impl Default for AttributeMap {
    fn default() -> Self {
        Self::flinks()
    }
}

impl AttributeMap {
    /// The attribute names Flinks (and the sandbox) return; see the module's documentation.
    pub fn flinks() -> Self {
        let owned = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        AttributeMap {
            sources: FLINKS
                .iter()
                .map(|&(role, attributes, packages, note)| AttributeSource {
                    role,
                    attributes: owned(attributes),
                    packages: owned(packages),
                    note: note.to_owned(),
                })
                .collect(),
        }
    }

    /// The role from the first of its sources whose attributes are all present (names in any
    /// case), or an error naming every source tried.
    pub fn read(
        &self,
        role: Role,
        attributes: &BTreeMap<String, Decimal>,
    ) -> Result<SourceReading, AffordabilityError> {
        let sources = self.sources.iter().filter(|s| s.role == role);
        for source in sources.clone() {
            let found: Option<Vec<AttributeValue>> = source
                .attributes
                .iter()
                .map(|name| {
                    lookup(attributes, name).map(|value| AttributeValue {
                        name: name.clone(),
                        value,
                    })
                })
                .collect();
            if let Some(found) = found.filter(|f| !f.is_empty()) {
                let value = found
                    .iter()
                    .try_fold(Decimal::ZERO, |sum, a| sum.checked_add(a.value))
                    .ok_or_else(|| AffordabilityError::Overflow {
                        step: role.describe().to_owned(),
                    })?;
                return Ok(SourceReading {
                    role,
                    attributes: found,
                    value,
                });
            }
        }
        let mut packages: Vec<String> = Vec::new();
        for p in sources.clone().flat_map(|s| &s.packages) {
            if !packages.contains(p) {
                packages.push(p.clone());
            }
        }
        // In the order the desk lists packages, All last; names it does not know after them.
        packages.sort_by_key(|p| {
            PACKAGE_ORDER
                .iter()
                .position(|known| known == p)
                .unwrap_or(PACKAGE_ORDER.len())
        });
        Err(AffordabilityError::MissingAttribute {
            role,
            alternatives: sources.map(|s| s.attributes.clone()).collect(),
            packages,
        })
    }
}

fn lookup(attributes: &BTreeMap<String, Decimal>, name: &str) -> Option<Decimal> {
    attributes.get(name).copied().or_else(|| {
        attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    })
}

/// The numeric attributes of a flat JSON object of name → value, as a Flinks reply's `Card`
/// holds them: numbers, and strings that read as numbers (some integrations quote amounts).
/// Words such as `NONE_DETECTED`, dates and the card's `Id` are left out.
pub fn attributes_from_json(value: &Value) -> BTreeMap<String, Decimal> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, v)| json_decimal(v).map(|d| (name.clone(), d)))
        .collect()
}

/// A JSON number, or a string holding one, as a Decimal. Numbers are read from their shortest
/// text (5105.6, not 5105.6000000000004), so the cents Flinks wrote are the cents kept.
pub(crate) fn json_decimal(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}
