//! What can stop the ratios: a setting or a loan out of range, an attribute the run lacks, an
//! income the ratios cannot divide by.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(
    tag = "code",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AffordabilityError {
    #[error("the setting {field} is {value}; it must be {expected}")]
    InvalidSetting {
        field: String,
        value: String,
        expected: String,
    },
    #[error("the loan's {field} is {value}; it must be {expected}")]
    InvalidLoan {
        field: String,
        value: String,
        expected: String,
    },
    /// None of the role's sources is complete in the attributes given. `alternatives` lists
    /// each source's attributes (added together), in the order they are tried.
    #[error(
        "no {} among the attributes: it is read from {}; run {}",
        .role.describe(),
        alternatives_text(.alternatives),
        packages_text(.packages)
    )]
    MissingAttribute {
        role: Role,
        alternatives: Vec<Vec<String>>,
        packages: Vec<String>,
    },
    #[error(
        "the monthly income ({value}, from {}) is not above zero: GDS and TDS divide by it",
        .attributes.join(" + ")
    )]
    NoIncome {
        value: Decimal,
        attributes: Vec<String>,
    },
    #[error("the figures are too large to compute ({step})")]
    Overflow { step: String },
}

fn alternatives_text(alternatives: &[Vec<String>]) -> String {
    alternatives
        .iter()
        .map(|names| names.join(" + "))
        .collect::<Vec<_>>()
        .join(", or ")
}

fn packages_text(packages: &[String]) -> String {
    match packages {
        [] => "a package that returns them".to_owned(),
        [one] => format!("the {one} package"),
        [first @ .., last] => format!("the {} or {last} package", first.join(", ")),
    }
}
