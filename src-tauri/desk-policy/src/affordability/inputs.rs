//! What the underwriter gives: the loan requested and the desk's limits, with their checks.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::annuity::Compounding;
use super::attributes::json_decimal;
use super::error::AffordabilityError;

/// Whose file it is, which decides the ratios: a person's (GDS and TDS) or a business's (DSCR).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    #[default]
    Personal,
    Business,
}

/// The loan the underwriter is asked for, as typed. Rates are percents (5.49 is 5.49%), money
/// is dollars per month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanRequest {
    #[serde(deserialize_with = "decimal")]
    pub amount: Decimal,
    /// The contract rate, percent a year.
    #[serde(deserialize_with = "decimal")]
    pub annual_rate: Decimal,
    pub amortization_years: u32,
    #[serde(default = "monthly")]
    pub payments_per_year: u32,
    /// No default: a mortgage (semi-annual) and a personal loan (monthly) differ, and a
    /// wrong guess would move the payment by dollars.
    pub compounding: Compounding,
    #[serde(default)]
    pub file: FileKind,
    #[serde(default, deserialize_with = "optional_decimal")]
    pub property_tax_monthly: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_decimal")]
    pub heating_monthly: Option<Decimal>,
    /// The whole fee; the ratios count [`AffordabilitySettings::condo_fee_share`] of it.
    #[serde(default, deserialize_with = "optional_decimal")]
    pub condo_fees_monthly: Option<Decimal>,
    /// Debts the bank data cannot show, from the credit bureau: card minimums (3% of the
    /// balance), a line of credit's interest, support payments.
    #[serde(default, deserialize_with = "optional_decimal")]
    pub other_debts_monthly: Option<Decimal>,
    /// A purchase that sells the current home, or a refinance: the mortgage payments the bank
    /// data shows stop, and counting them next to the new loan would charge the housing twice.
    #[serde(default)]
    pub replaces_existing_mortgage: bool,
}

fn monthly() -> u32 {
    12
}

impl LoanRequest {
    /// A mortgage as Canadian lenders write one: semi-annual compounding, monthly payments.
    pub fn mortgage(amount: Decimal, annual_rate: Decimal, amortization_years: u32) -> Self {
        Self::new(
            amount,
            annual_rate,
            amortization_years,
            Compounding::SemiAnnual,
        )
    }

    /// A personal instalment loan: monthly compounding and payments, no property costs.
    pub fn personal(amount: Decimal, annual_rate: Decimal, amortization_years: u32) -> Self {
        Self::new(
            amount,
            annual_rate,
            amortization_years,
            Compounding::Monthly,
        )
    }

    /// A business term loan, assessed by DSCR: monthly compounding and payments.
    pub fn business(amount: Decimal, annual_rate: Decimal, amortization_years: u32) -> Self {
        Self {
            file: FileKind::Business,
            ..Self::personal(amount, annual_rate, amortization_years)
        }
    }

    fn new(
        amount: Decimal,
        annual_rate: Decimal,
        amortization_years: u32,
        compounding: Compounding,
    ) -> Self {
        LoanRequest {
            amount,
            annual_rate,
            amortization_years,
            payments_per_year: 12,
            compounding,
            file: FileKind::Personal,
            property_tax_monthly: None,
            heating_monthly: None,
            condo_fees_monthly: None,
            other_debts_monthly: None,
            replaces_existing_mortgage: false,
        }
    }

    pub fn validate(&self) -> Result<(), AffordabilityError> {
        let invalid = |field: &str, value: String, expected: &str| {
            Err(AffordabilityError::InvalidLoan {
                field: field.to_owned(),
                value,
                expected: expected.to_owned(),
            })
        };
        if self.amount <= Decimal::ZERO {
            return invalid("amount", self.amount.to_string(), "above zero");
        }
        if self.annual_rate < Decimal::ZERO || self.annual_rate >= Decimal::ONE_HUNDRED {
            return invalid(
                "annualRate",
                self.annual_rate.to_string(),
                "a percent from 0 to under 100",
            );
        }
        if !(1..=50).contains(&self.amortization_years) {
            return invalid(
                "amortizationYears",
                self.amortization_years.to_string(),
                "1 to 50 years",
            );
        }
        if !(1..=52).contains(&self.payments_per_year) {
            return invalid(
                "paymentsPerYear",
                self.payments_per_year.to_string(),
                "1 to 52 (12 monthly, 26 biweekly, 52 weekly)",
            );
        }
        for (field, value) in [
            ("propertyTaxMonthly", self.property_tax_monthly),
            ("heatingMonthly", self.heating_monthly),
            ("condoFeesMonthly", self.condo_fees_monthly),
            ("otherDebtsMonthly", self.other_debts_monthly),
        ] {
            if let Some(v) = value.filter(|v| *v < Decimal::ZERO) {
                return invalid(field, v.to_string(), "zero or more dollars a month");
            }
        }
        Ok(())
    }
}

/// The desk's limits. Percents (39 is 39%) except `dscr_minimum`, a multiple. The defaults are
/// CMHC's for an insured mortgage (GDS 39%, TDS 44%), the federal minimum qualifying rate (the
/// greater of the contract rate + 2 points and 5.25%), and the DSCR of 1.25 many commercial
/// lenders start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AffordabilitySettings {
    #[serde(deserialize_with = "decimal")]
    pub gds_limit: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub tds_limit: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub stress_floor_rate: Decimal,
    /// Points added to the contract rate.
    #[serde(deserialize_with = "decimal")]
    pub stress_add: Decimal,
    /// The share of condo fees counted as housing cost (CMHC: 50%, the rest being services
    /// the fee pays for, not shelter).
    #[serde(deserialize_with = "decimal")]
    pub condo_fee_share: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub dscr_minimum: Decimal,
}

impl Default for AffordabilitySettings {
    fn default() -> Self {
        AffordabilitySettings {
            gds_limit: Decimal::from(39),
            tds_limit: Decimal::from(44),
            stress_floor_rate: Decimal::new(525, 2),
            stress_add: Decimal::from(2),
            condo_fee_share: Decimal::from(50),
            dscr_minimum: Decimal::new(125, 2),
        }
    }
}

impl AffordabilitySettings {
    pub fn validate(&self) -> Result<(), AffordabilityError> {
        let zero = Decimal::ZERO;
        let hundred = Decimal::ONE_HUNDRED;
        let checks = [
            (
                "gdsLimit",
                self.gds_limit,
                self.gds_limit > zero && self.gds_limit <= hundred,
                "a percent above 0, at most 100",
            ),
            (
                "tdsLimit",
                self.tds_limit,
                self.tds_limit > zero && self.tds_limit <= hundred,
                "a percent above 0, at most 100",
            ),
            (
                "stressFloorRate",
                self.stress_floor_rate,
                self.stress_floor_rate >= zero && self.stress_floor_rate < hundred,
                "a percent from 0 to under 100",
            ),
            (
                "stressAdd",
                self.stress_add,
                self.stress_add >= zero && self.stress_add < hundred,
                "points from 0 to under 100",
            ),
            (
                "condoFeeShare",
                self.condo_fee_share,
                self.condo_fee_share >= zero && self.condo_fee_share <= hundred,
                "a percent from 0 to 100",
            ),
            (
                "dscrMinimum",
                self.dscr_minimum,
                self.dscr_minimum > zero,
                "above zero",
            ),
        ];
        match checks.into_iter().find(|(_, _, ok, _)| !ok) {
            Some((field, value, _, expected)) => Err(AffordabilityError::InvalidSetting {
                field: field.to_owned(),
                value: value.to_string(),
                expected: expected.to_owned(),
            }),
            None => Ok(()),
        }
    }
}

// The workspace builds rust_decimal with `serde-str`, whose Deserialize takes strings only; a
// form or a settings file may as well send 400000 or 5.49 as numbers.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    optional_decimal(d)?.ok_or_else(|| serde::de::Error::custom("a number is required"))
}

fn optional_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(ref s) if s.trim().is_empty() => Ok(None),
        other => json_decimal(&other)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not a number: {other}"))),
    }
}
