//! Canadian debt-service ratios from a run's attributes and the loan the underwriter types:
//! GDS and TDS at the stress-test rate for a person's file, DSCR for a business's.
//!
//! Conventions:
//! - Money is `Decimal` dollars; no float touches the arithmetic. Each figure shown (the
//!   payment, the monthly P&I, the condo share) is rounded to the cent, halves away from zero,
//!   and the ratios are computed from those shown figures, so anyone can redo them from a
//!   [`Formula`]'s `with_numbers`.
//! - Rates, GDS, TDS, their limits and the condo share are **percents** (6.5 is 6.5%, 39 is
//!   39%), rounded to the hundredth; DSCR is a multiple (1.25). The policy input and the
//!   formulas use the same numbers.
//! - A limit is met at equality: GDS ≤ its limit, TDS ≤ its limit, DSCR ≥ its minimum.
//! - The payment is at the qualifying rate, for DSCR too (a stressed DSCR); a desk that wants
//!   DSCR at the contract rate sets the stress add and floor to zero.
//! - Compounding is the request's: semi-annual for a Canadian fixed-rate mortgage (see
//!   [`Compounding::SemiAnnual`]), monthly for a personal or business loan.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod annuity;
mod attributes;
mod error;
mod formula;
mod inputs;
mod ratios;
mod role;

pub use annuity::Compounding;
pub use attributes::{
    attributes_from_json, AttributeMap, AttributeSource, AttributeValue, Role, SourceReading,
};
pub use error::AffordabilityError;
pub use formula::{FigureUnit, Formula};
pub use inputs::{AffordabilitySettings, FileKind, LoanRequest};

/// The ratios of one loan request, with what they were computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affordability {
    pub request: LoanRequest,
    pub settings: AffordabilitySettings,
    /// Percent: max(contract rate + stress add, floor).
    pub qualifying_rate: Decimal,
    /// One payment at the qualifying rate, to the cent.
    pub payment: Decimal,
    /// The payment as a monthly amount (payment × payments a year / 12), to the cent.
    pub monthly_payment: Decimal,
    /// Personal files: the new loan's P&I, property tax, heating and the condo share.
    pub housing_costs: Option<Decimal>,
    pub monthly_income: Option<Decimal>,
    /// Personal files: the existing debts TDS counts (loan payments, less a replaced
    /// mortgage, plus the other debts typed).
    pub monthly_debts: Option<Decimal>,
    pub gds: Option<Decimal>,
    pub tds: Option<Decimal>,
    /// Business files: 12 × (monthly revenue − operating expenses).
    pub net_operating_income: Option<Decimal>,
    /// Business files: a year of existing loan payments and of the new loan's.
    pub annual_debt_service: Option<Decimal>,
    pub dscr: Option<Decimal>,
    pub within_limits: WithinLimits,
    /// The attributes each figure was read from.
    pub sources: Vec<SourceReading>,
    pub formulas: Vec<Formula>,
}

/// Each ratio against its limit; `None` where the ratio does not apply to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithinLimits {
    pub gds: Option<bool>,
    pub tds: Option<bool>,
    pub dscr: Option<bool>,
    /// Every ratio that applies is within its limit.
    pub all: bool,
}

/// The ratios of `request` from the attributes of a run (name → value), read through the
/// default attribute map ([`AttributeMap::flinks`]).
pub fn assess(
    request: &LoanRequest,
    attributes: &BTreeMap<String, Decimal>,
    settings: &AffordabilitySettings,
) -> Result<Affordability, AffordabilityError> {
    assess_with(&AttributeMap::flinks(), request, attributes, settings)
}

/// [`assess`] through another attribute map.
pub fn assess_with(
    map: &AttributeMap,
    request: &LoanRequest,
    attributes: &BTreeMap<String, Decimal>,
    settings: &AffordabilitySettings,
) -> Result<Affordability, AffordabilityError> {
    settings.validate()?;
    request.validate()?;
    ratios::compute(map, request, attributes, settings)
}

/// The stress-test rate, percent: the greater of the contract rate plus the stress add and
/// the floor.
pub fn qualifying_rate(contract_rate: Decimal, settings: &AffordabilitySettings) -> Decimal {
    (contract_rate + settings.stress_add).max(settings.stress_floor_rate)
}

/// One payment of the request's loan at `annual_rate` (percent), under its compounding and
/// payment frequency, rounded to the cent.
pub fn loan_payment(
    request: &LoanRequest,
    annual_rate: Decimal,
) -> Result<Decimal, AffordabilityError> {
    request.validate()?;
    ratios::payment(request, annual_rate).map(|p| p.payment)
}

impl Affordability {
    /// Flat fields for a policy's decision table: `gds`, `tds`, `dscr`, `qualifyingRate`… as
    /// JSON numbers in the units of this module (percents, dollars, DSCR a multiple), `null`
    /// where a figure does not apply to the file. camelCase, so they cannot collide with the
    /// snake_case Flinks attribute names beside them.
    pub fn to_policy_input(&self) -> Value {
        let n = |d: Decimal| d.to_f64().map_or(Value::Null, Value::from);
        let opt = |d: Option<Decimal>| d.map_or(Value::Null, n);
        let s = &self.settings;
        json!({
            "file": self.request.file,
            "loanAmount": n(self.request.amount),
            "contractRate": n(self.request.annual_rate),
            "qualifyingRate": n(self.qualifying_rate),
            "amortizationYears": self.request.amortization_years,
            "paymentsPerYear": self.request.payments_per_year,
            "payment": n(self.payment),
            "monthlyPayment": n(self.monthly_payment),
            "housingCosts": opt(self.housing_costs),
            "monthlyIncome": opt(self.monthly_income),
            "monthlyDebts": opt(self.monthly_debts),
            "gds": opt(self.gds),
            "tds": opt(self.tds),
            "netOperatingIncome": opt(self.net_operating_income),
            "annualDebtService": opt(self.annual_debt_service),
            "dscr": opt(self.dscr),
            "gdsLimit": n(s.gds_limit),
            "tdsLimit": n(s.tds_limit),
            "dscrMinimum": n(s.dscr_minimum),
            "gdsWithinLimit": self.within_limits.gds,
            "tdsWithinLimit": self.within_limits.tds,
            "dscrWithinLimit": self.within_limits.dscr,
            "withinLimits": self.within_limits.all,
        })
    }
}

#[cfg(test)]
mod tests;
