//! The roles a figure read from the attributes can play. Its own file: the errors name a role,
//! and reading the attributes both names roles and returns errors.

use serde::{Deserialize, Serialize};

/// What a figure read from the attributes stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// What GDS and TDS divide by.
    MonthlyIncome,
    /// Existing loan payments, added in TDS.
    MonthlyDebtPayments,
    /// The mortgage part of the debt payments, taken out when the new loan replaces it.
    MonthlyMortgagePayments,
    MonthlyRevenue,
    MonthlyOperatingExpenses,
    /// The business's existing loan payments, part of its debt service.
    MonthlyBusinessDebtPayments,
}

impl Role {
    pub fn describe(self) -> &'static str {
        match self {
            Role::MonthlyIncome => "monthly income",
            Role::MonthlyDebtPayments => "existing monthly debt payments",
            Role::MonthlyMortgagePayments => "existing monthly mortgage payments",
            Role::MonthlyRevenue => "monthly business revenue",
            Role::MonthlyOperatingExpenses => "monthly operating expenses",
            Role::MonthlyBusinessDebtPayments => "existing monthly business loan payments",
        }
    }
}
