//! What an attribute means: a label, a unit, a category and a one-line definition, so the app can
//! show any attribute it receives. Names Flinks documents (flinks-api.md §4.4) are listed; any other
//! name is described from the naming grammar of §4.5, so attributes that real Flinks adds later
//! still get a sensible unit.

use flinks_client::Package;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Canadian dollars.
    Currency,
    Count,
    Days,
    /// A plain number such as a trend ratio.
    Ratio,
    /// One of a few fixed words: CONSISTENT, INCREASING, DECREASING, NONE_DETECTED, YES…
    Enum,
    Text,
    /// Dates, as Flinks writes them.
    Date,
}

impl Unit {
    /// The unit words of an attribute library (`currency`, `count`, …).
    pub fn parse(word: &str) -> Option<Unit> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "currency" | "cad" | "money" => Unit::Currency,
            "count" => Unit::Count,
            "days" => Unit::Days,
            "ratio" | "number" => Unit::Ratio,
            "enum" => Unit::Enum,
            "text" | "string" => Unit::Text,
            "date" | "dates" => Unit::Date,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeInfo {
    pub label: String,
    pub unit: Unit,
    pub category: String,
    pub definition: String,
    /// False when the description was guessed from the name.
    pub known: bool,
}

struct Entry {
    name: &'static str,
    label: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
}

const fn e(
    name: &'static str,
    label: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
) -> Entry {
    Entry {
        name,
        label,
        unit,
        category,
        definition,
    }
}

const OVERVIEW: &str = "Account overview";
const EMPLOYER: &str = "Employer income";
const NON_EMPLOYER: &str = "Non-employer income";
const LOANS: &str = "Loan payments";
const BILLS: &str = "Committed bills";
const RISK: &str = "Additional risk";

use Unit::*;

const ENTRIES: &[Entry] = &[
    e("balance_min", "Minimum balance (90 days)", Currency, OVERVIEW, "Lowest end-of-day balance of the primary account over the last 90 days."),
    e("count_days_negative_balance_90_days", "Days with a negative balance (90 days)", Days, OVERVIEW, "Days in the last 90 on which the end-of-day balance was below zero."),
    e("average_monthly_free_cash_flow", "Average monthly free cash flow", Currency, OVERVIEW, "Average monthly money in minus money out over the last 12 months, transfers between own accounts excluded."),
    e("balance_trend_simple", "Balance trend", Enum, OVERVIEW, "Average balance of the last 90 days against the 90 days before: INCREASING, DECREASING or CONSISTENT (within 15%)."),
    e("account_age_days", "Account age", Days, OVERVIEW, "Days since the oldest operations account was opened."),
    e("average_monthly_debit", "Average monthly expenditure", Currency, OVERVIEW, "Average monthly total of money out over the last 12 months."),
    e("employer_name", "Employer", Text, EMPLOYER, "Employer whose payroll deposits are the most frequent; NONE_DETECTED when there are none."),
    e("average_monthly_employer_income_complex", "Average monthly employer income", Currency, EMPLOYER, "Payroll deposits over the last 12 months divided by the months the account was open in them."),
    e("employer_income_trend_simple", "Employer income trend", Enum, EMPLOYER, "Monthly payroll of the last 90 days against the 270 days before: INCREASING, DECREASING or CONSISTENT (within 15%)."),
    e("average_monthly_non_employer_income_complex", "Average monthly non-employer income", Currency, NON_EMPLOYER, "Income other than payroll and government programs (gig platforms, other deposits), averaged by month."),
    e("average_monthly_government_income_complex", "Average monthly government income", Currency, NON_EMPLOYER, "Government deposits (EI, child benefit, pension, social assistance, WSIB) averaged by month."),
    e("total_deposits_trend_simple", "Total deposits trend", Enum, NON_EMPLOYER, "Monthly deposits of the last 90 days against the 270 days before: INCREASING, DECREASING or CONSISTENT (within 15%)."),
    e("average_monthly_loan_payments_complex", "Average monthly loan payments", Currency, LOANS, "All loan payments (auto, mortgage, micro, student, other) averaged by month."),
    e("average_monthly_auto_loan_payments_complex", "Average monthly auto loan payments", Currency, LOANS, "Auto loan payments averaged by month."),
    e("average_monthly_mortgage_payments_complex", "Average monthly mortgage payments", Currency, LOANS, "Mortgage payments averaged by month."),
    e("average_monthly_micro_loan_payments_complex", "Average monthly micro-loan payments", Currency, LOANS, "Payments to micro-lenders (payday and short-term lenders) averaged by month."),
    e("average_monthly_student_loan_payments_complex", "Average monthly student loan payments", Currency, LOANS, "Student loan payments (NSLSC and provincial) averaged by month."),
    e("average_monthly_other_loan_payments_complex", "Average monthly other loan payments", Currency, LOANS, "Loan payments of no other kind above, averaged by month."),
    e("average_monthly_utility_payments_complex", "Average monthly utility payments", Currency, BILLS, "Hydro, gas and water bills averaged by month."),
    e("average_monthly_telecom_payments_complex", "Average monthly telecom payments", Currency, BILLS, "Mobile, internet and TV bills averaged by month."),
    e("count_nsf_90_days", "NSF fees (90 days)", Count, RISK, "Non-sufficient-funds fees charged in the last 90 days."),
    e("count_stop_payment_90_days", "Stop-payment fees (90 days)", Count, RISK, "Stop-payment fees charged in the last 90 days."),
    e("micro_lender_name", "Micro-lender", Text, RISK, "Micro-lender with the most transactions; NONE_DETECTED when there is none."),
];

/// An attribute an underwriter reads first in a package, and why it matters to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    pub name: &'static str,
    pub why: &'static str,
}

/// Why each headline attribute matters, in an underwriter's words: one short sentence each.
const WHY: &[(&str, &str)] = &[
    (
        "average_monthly_employer_income_complex",
        "Payroll is the steadiest income, and the one lending rules count first.",
    ),
    (
        "employer_name",
        "Who pays the customer: check it against the employer on the application.",
    ),
    (
        "employer_income_trend_simple",
        "A falling payroll can mean fewer hours or a lost job before the average shows it.",
    ),
    (
        "count_employer_income_previous_month",
        "Pay deposits in the last full month: none may mean the job has ended.",
    ),
    (
        "average_monthly_government_income_complex",
        "Benefits count as income, but some, such as EI, stop after a set time.",
    ),
    (
        "count_government_income_previous_month",
        "Government deposits in the last full month: whether the benefits still arrive.",
    ),
    (
        "average_monthly_non_employer_income_complex",
        "Gig and other income is real, but less predictable than payroll.",
    ),
    (
        "average_monthly_free_cash_flow",
        "What is left each month after all spending: the room for a new payment.",
    ),
    (
        "average_monthly_total_income_complex",
        "All income by month: what a new payment is measured against.",
    ),
    (
        "average_monthly_loan_payments_complex",
        "What existing loans already take each month.",
    ),
    (
        "sum_loan_deposits_90_days",
        "Loans received lately: new debt that may not be on the credit report yet.",
    ),
    (
        "average_monthly_micro_loan_payments_complex",
        "Payday and short-term loans point to cash running out between paydays.",
    ),
    (
        "count_distinct_micro_lenders",
        "Several micro-lenders at once often means borrowing from one to repay another.",
    ),
    (
        "count_nsf_90_days",
        "Payments that bounced: the plainest sign that a new one may bounce too.",
    ),
    (
        "balance_min",
        "How close the account came to empty in the last 90 days.",
    ),
    (
        "count_days_negative_balance_90_days",
        "Days spent overdrawn: a habit that one minimum balance does not show.",
    ),
    (
        "balance_trend_simple",
        "Whether the cushion in the account is growing or being used up.",
    ),
    (
        "micro_lender_name",
        "A payday lender on the statement is a risk flag on its own.",
    ),
    (
        "count_stop_payment_90_days",
        "Stopped payments can mean disputes with other creditors, or dodging them.",
    ),
    (
        "has_employer_income",
        "Whether any payroll shows at all: the first question about income.",
    ),
    (
        "count_active_days",
        "A quiet account may not be the customer's main one, and can hide where the money goes.",
    ),
    (
        "overall_activity_trend_simple",
        "Falling activity can mean the customer moved their banking elsewhere.",
    ),
    (
        "average_monthly_operating_income_biz",
        "The revenue that repays a business loan.",
    ),
    (
        "operating_income_trend_simple_biz",
        "Whether the business's revenue is growing or shrinking.",
    ),
    (
        "average_monthly_merchant_service_provider_deposits_biz",
        "Card sales paid out by Square, Moneris or Stripe: revenue a third party confirms.",
    ),
    (
        "average_monthly_operating_expenses_biz",
        "What running the business costs; against revenue, its margin.",
    ),
    (
        "average_monthly_payroll_payments_biz",
        "Payroll is the expense a business cannot skip.",
    ),
    (
        "average_monthly_loan_payments_biz",
        "Debt the business already pays each month.",
    ),
    (
        "average_monthly_loan_deposits_biz",
        "Loans received: other lenders are already in the business.",
    ),
    (
        "average_monthly_bank_fees_biz",
        "Growing bank fees (NSF, overdraft) point to cash-flow strain.",
    ),
];

/// The attributes an underwriter reads first in each package, most telling first. Every name
/// is one the package returns (flinks-api.md §4.4, and the sandbox: a test holds them to it).
/// Credit Risk has no average balance; its free cash flow and days overdrawn say more.
fn first_read(package: Package) -> &'static [&'static str] {
    match package {
        Package::Income => &[
            "average_monthly_employer_income_complex",
            "employer_name",
            "employer_income_trend_simple",
            "count_employer_income_previous_month",
            "average_monthly_government_income_complex",
            "count_government_income_previous_month",
            "average_monthly_non_employer_income_complex",
            "average_monthly_free_cash_flow",
        ],
        Package::Lending => &[
            "average_monthly_total_income_complex",
            "average_monthly_loan_payments_complex",
            "average_monthly_free_cash_flow",
            "sum_loan_deposits_90_days",
            "average_monthly_micro_loan_payments_complex",
            "count_distinct_micro_lenders",
            "count_nsf_90_days",
            "balance_min",
        ],
        Package::CreditRisk => &[
            "balance_min",
            "count_days_negative_balance_90_days",
            "count_nsf_90_days",
            "balance_trend_simple",
            "average_monthly_free_cash_flow",
            "average_monthly_loan_payments_complex",
            "micro_lender_name",
            "count_stop_payment_90_days",
        ],
        Package::UserAnalysis => &[
            "has_employer_income",
            "average_monthly_employer_income_complex",
            "average_monthly_government_income_complex",
            "count_active_days",
            "overall_activity_trend_simple",
            "balance_min",
            "count_nsf_90_days",
            "average_monthly_free_cash_flow",
        ],
        Package::BusinessAnalysis => &[
            "average_monthly_operating_income_biz",
            "operating_income_trend_simple_biz",
            "average_monthly_merchant_service_provider_deposits_biz",
            "average_monthly_operating_expenses_biz",
            "average_monthly_payroll_payments_biz",
            "average_monthly_loan_payments_biz",
            "average_monthly_loan_deposits_biz",
            "average_monthly_bank_fees_biz",
        ],
        // Everything is there, so the personal essentials: income, room, and the risk signs.
        Package::All => &[
            "average_monthly_employer_income_complex",
            "average_monthly_government_income_complex",
            "average_monthly_free_cash_flow",
            "balance_min",
            "count_days_negative_balance_90_days",
            "count_nsf_90_days",
            "average_monthly_loan_payments_complex",
            "average_monthly_micro_loan_payments_complex",
        ],
    }
}

/// The attributes an underwriter reads first in a package, most telling first.
pub fn headlines(package: Package) -> Vec<Headline> {
    first_read(package)
        .iter()
        .map(|&name| Headline {
            name,
            why: WHY
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, why)| why),
        })
        .collect()
}

/// Calendar-month windows of the `_current_month … _12_months_ago` series.
fn month_window(suffix: &str) -> Option<String> {
    match suffix {
        "current_month" => Some("this month".into()),
        "previous_month" => Some("last month".into()),
        _ => {
            let n: u32 = suffix.strip_suffix("_months_ago")?.parse().ok()?;
            Some(format!("{n} months ago"))
        }
    }
}

/// `_30_days` → "last 30 days".
fn day_window(suffix: &str) -> Option<String> {
    let n: u32 = suffix.strip_suffix("_days")?.parse().ok()?;
    Some(format!("last {n} days"))
}

fn humanize(words: &str) -> String {
    let mut s = words.replace('_', " ");
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    s
}

/// The names the desk's own catalog describes.
pub fn known_names() -> impl Iterator<Item = &'static str> {
    ENTRIES.iter().map(|e| e.name)
}

/// Describes an attribute, from the catalog when it is there, otherwise from its name.
pub fn describe(name: &str) -> AttributeInfo {
    if let Some(entry) = ENTRIES.iter().find(|e| e.name == name) {
        return AttributeInfo {
            label: entry.label.into(),
            unit: entry.unit,
            category: entry.category.into(),
            definition: entry.definition.into(),
            known: true,
        };
    }
    for (agg, unit, what) in [
        ("sum_", Currency, "Total of"),
        ("count_", Count, "Number of"),
    ] {
        let Some(rest) = name.strip_prefix(agg) else {
            continue;
        };
        for cut in rest.match_indices('_').map(|(i, _)| i) {
            let (subject, suffix) = (&rest[..cut], &rest[cut + 1..]);
            let window = month_window(suffix).or_else(|| day_window(suffix));
            if let Some(window) = window {
                let subject_words = subject.replace('_', " ");
                let known = subject == "employer_income";
                // A count and a sum of the same thing must not read the same.
                let label = match agg {
                    "count_" => format!("{} count ({window})", humanize(subject)),
                    _ => format!("{} ({window})", humanize(subject)),
                };
                return AttributeInfo {
                    label,
                    unit,
                    category: if known {
                        EMPLOYER
                    } else {
                        guess_category(subject)
                    }
                    .into(),
                    definition: format!("{what} {subject_words} transactions, {window}."),
                    known,
                };
            }
        }
    }
    guess(name)
}

/// Describes an attribute with what the environment's attribute library says of it: the library
/// is the authority on unit, category and definition (it is what computed the value); this
/// catalog adds the human label.
pub fn describe_with(name: &str, library: Option<&flinks_client::LibraryEntry>) -> AttributeInfo {
    let mut info = describe(name);
    let Some(entry) = library else {
        return info;
    };
    if let Some(unit) = entry.unit.as_deref().and_then(Unit::parse) {
        info.unit = unit;
    }
    if let Some(category) = entry.category.as_deref().filter(|c| !c.trim().is_empty()) {
        info.category = category.trim().to_owned();
    }
    if let Some(definition) = entry.definition.as_deref().filter(|d| !d.trim().is_empty()) {
        info.definition = definition.trim().to_owned();
    }
    info.known = true;
    info
}

fn guess_category(name: &str) -> &'static str {
    if name.contains("employer") {
        EMPLOYER
    } else if name.contains("income") || name.contains("deposit") {
        NON_EMPLOYER
    } else if name.contains("loan") || name.contains("mortgage") {
        LOANS
    } else if name.contains("utility") || name.contains("telecom") {
        BILLS
    } else if name.contains("nsf") || name.contains("stop_payment") || name.contains("lender") {
        RISK
    } else {
        OVERVIEW
    }
}

/// The §4.5 grammar, for names the catalog does not know.
fn guess(full_name: &str) -> AttributeInfo {
    let name = full_name.trim_end_matches("_biz");
    let unit =
        if name.ends_with("_simple") || name.ends_with("_frequency") || name.starts_with("has_") {
            Enum
        } else if name.ends_with("_name") {
            Text
        } else if name.ends_with("_trend") {
            Ratio
        } else if name.starts_with("count_") || name.starts_with("nbr_") {
            Count
        } else if name.ends_with("_days") && (name.contains("age") || name.starts_with("days_")) {
            Days
        } else if name.starts_with("sum_")
            || name.starts_with("average_")
            || name.starts_with("balance")
            || name.contains("income")
            || name.contains("payment")
        {
            Currency
        } else {
            Ratio
        };
    AttributeInfo {
        label: humanize(name),
        unit,
        category: guess_category(name).into(),
        definition:
            "Flinks attribute not in this app's catalog; the unit is inferred from its name.".into(),
        known: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_entries_are_unique_and_complete() {
        for (i, a) in ENTRIES.iter().enumerate() {
            assert!(
                ENTRIES[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
            assert!(a.definition.ends_with('.'), "{}", a.name);
            assert!(!a.label.is_empty());
        }
    }

    #[test]
    fn every_package_has_four_to_eight_headlines_each_with_a_reason() {
        for package in Package::ALL {
            let headlines = headlines(package);
            assert!((4..=8).contains(&headlines.len()), "{package:?}");
            for (i, h) in headlines.iter().enumerate() {
                assert!(
                    headlines[i + 1..].iter().all(|o| o.name != h.name),
                    "{package:?}: {} twice",
                    h.name
                );
                assert!(
                    h.why.ends_with('.') && h.why.len() <= 100,
                    "{package:?}: {} needs one short sentence, has {:?}",
                    h.name,
                    h.why
                );
            }
        }
        for (name, _) in WHY {
            assert!(
                Package::ALL.iter().any(|p| first_read(*p).contains(name)),
                "{name} is explained but read in no package"
            );
        }
    }

    #[test]
    fn headlines_are_attributes_the_package_returns() {
        let sandbox = flinks_sandbox::catalog::catalog();
        for package in Package::ALL {
            let theirs = flinks_sandbox::catalog::Package::ALL
                .into_iter()
                .find(|p| p.title() == package.title())
                .expect("the same packages");
            let returned: Vec<&str> = sandbox.package(theirs).map(|s| s.name.as_str()).collect();
            for h in headlines(package) {
                assert!(returned.contains(&h.name), "{package:?} has no {}", h.name);
            }
        }
    }

    #[test]
    fn monthly_series_get_a_window_label() {
        let info = describe("sum_employer_income_2_months_ago");
        assert_eq!(info.label, "Employer income (2 months ago)");
        assert_eq!(info.unit, Currency);
        assert!(info.known);
        let count = describe("count_employer_income_current_month");
        assert_eq!(count.unit, Count);
        assert_eq!(count.label, "Employer income count (this month)");
        assert_eq!(
            describe("sum_loan_payments_90_days").label,
            "Loan payments (last 90 days)"
        );
        assert_eq!(describe("sum_loan_payments_90_days").category, LOANS);
    }

    #[test]
    fn the_library_overrides_unit_category_and_definition_but_not_the_label() {
        let entry = flinks_client::LibraryEntry {
            name: "last_2_deposit_dates_payroll_biz".into(),
            packages: vec!["Business Analysis".into()],
            unit: Some("date".into()),
            category: Some("Payroll".into()),
            definition: Some("The two latest payroll deposits.".into()),
        };
        let info = describe_with(&entry.name, Some(&entry));
        assert_eq!(info.unit, Date);
        assert_eq!(info.category, "Payroll");
        assert_eq!(info.definition, "The two latest payroll deposits.");
        assert_eq!(info.label, "Last 2 deposit dates payroll");
        assert!(info.known);
        let odd = flinks_client::LibraryEntry {
            unit: Some("furlongs".into()),
            ..entry
        };
        assert_eq!(
            describe_with(&odd.name, Some(&odd)).unit,
            describe(&odd.name).unit
        );
    }

    #[test]
    fn unknown_names_get_a_unit_from_the_grammar() {
        assert_eq!(describe("auto_loan_payments_trend_simple_biz").unit, Enum);
        assert_eq!(describe("auto_loan_payments_trend_biz").unit, Ratio);
        assert_eq!(
            describe("average_monthly_payroll_deposits_biz").unit,
            Currency
        );
        assert_eq!(describe("count_distinct_micro_lenders").unit, Count);
        assert_eq!(describe("payroll_name").unit, Text);
        assert!(!describe("payroll_name").known);
    }
}
