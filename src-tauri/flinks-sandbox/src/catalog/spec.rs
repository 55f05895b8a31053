//! What the catalog says of one attribute: its name, packages, unit, category, definition and
//! calculation.

use crate::vocabulary::Calculation;

/// The attribute packages of flinks-api.md §4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Package {
    Income,
    Lending,
    CreditRisk,
    UserAnalysis,
    BusinessAnalysis,
    /// Every attribute of the sandbox.
    All,
}

impl Package {
    pub const ALL: [Package; 6] = [
        Package::Income,
        Package::Lending,
        Package::CreditRisk,
        Package::UserAnalysis,
        Package::BusinessAnalysis,
        Package::All,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Package::Income => "Income",
            Package::Lending => "Lending",
            Package::CreditRisk => "Credit Risk",
            Package::UserAnalysis => "User Analysis",
            Package::BusinessAnalysis => "Business Analysis",
            Package::All => "All",
        }
    }

    /// The last path segment of the package's endpoint.
    pub fn endpoint(self) -> &'static str {
        match self {
            Package::Income => "GetIncomeAttributes",
            Package::Lending => "GetLendingAttributes",
            Package::CreditRisk => "GetCreditRiskAttributes",
            Package::UserAnalysis => "GetUserAnalysisAttributes",
            Package::BusinessAnalysis => "GetBusinessAnalysisAttributes",
            Package::All => "GetAllAttributes",
        }
    }

    /// The package an endpoint's last path segment asks for, in any case. Also takes the
    /// misspelling `GetUserAnalysisAtributes` and `GetAllBusinessAttributes` (the business
    /// package: the sandbox has no business attributes beyond it).
    pub fn from_endpoint(segment: &str) -> Option<Package> {
        let wanted = segment.trim().to_ascii_lowercase();
        match wanted.as_str() {
            "getuseranalysisatributes" => Some(Package::UserAnalysis),
            "getallbusinessattributes" => Some(Package::BusinessAnalysis),
            _ => Package::ALL
                .into_iter()
                .find(|p| p.endpoint().eq_ignore_ascii_case(&wanted)),
        }
    }
}

/// What an attribute's value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Canadian dollars.
    Currency,
    /// A number of transactions (or an average number per month).
    Count,
    /// A number of days.
    Days,
    /// A plain number, such as a trend ratio.
    Ratio,
    /// One of a few fixed words: CONSISTENT, INCREASING, DECREASING, YES, Monthly, NONE_DETECTED…
    Enum,
    /// Free text: a name.
    Text,
    /// Dates as YYYY/MM/DD.
    Date,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Currency => "currency",
            Unit::Count => "count",
            Unit::Days => "days",
            Unit::Ratio => "ratio",
            Unit::Enum => "enum",
            Unit::Text => "text",
            Unit::Date => "date",
        }
    }
}

/// One attribute of the catalog.
#[derive(Debug)]
pub struct Spec {
    pub name: String,
    /// The packages that return it, in [`Package::ALL`]'s order; always ends with `All`.
    pub packages: Vec<Package>,
    pub unit: Unit,
    /// The section of flinks-api.md §4.4 it belongs to.
    pub category: &'static str,
    pub definition: String,
    pub(crate) calculation: Calculation,
}
