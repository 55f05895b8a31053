//! Which attributes each package holds, in its order: the package builders, and the single
//! attributes (balances, names, ages) that are not members of a family.

use super::families::{
    days, months, Aggregation, Registry, ALL_WINDOWS, BUSINESS_SUMMARY, INCOME_SOURCE,
    SHORT_WINDOWS,
};
use super::flows::*;
use super::spec::Unit;
use crate::vocabulary::{
    AverageDivisor, BalanceMeasure, Calculation, Counterparties, Flow, Period,
};

/// An attribute that is not a family member: balances, names, ages.
struct Single {
    name: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
    calculation: Calculation,
}

const fn single(
    name: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
    calculation: Calculation,
) -> Single {
    Single {
        name,
        unit,
        category,
        definition,
        calculation,
    }
}

#[rustfmt::skip]
const SINGLES: &[Single] = &[
    single("balance_current", Unit::Currency, OVERVIEW,
        "End-of-day balance of the primary account on the data's last day.",
        Calculation::Balance(BalanceMeasure::Current)),
    single("balance_90_days_ago", Unit::Currency, OVERVIEW,
        "End-of-day balance of the primary account 90 days before the data's last day.",
        Calculation::Balance(BalanceMeasure::DaysAgo(90))),
    single("balance_min", Unit::Currency, OVERVIEW,
        "Lowest end-of-day balance of the primary account (the busiest chequing account) over \
         the last 90 days.",
        Calculation::Balance(BalanceMeasure::Min)),
    single("balance_max", Unit::Currency, OVERVIEW,
        "Highest end-of-day balance of the primary account over the last 90 days.",
        Calculation::Balance(BalanceMeasure::Max)),
    single("average_daily_balance_90_days", Unit::Currency, OVERVIEW,
        "Average end-of-day balance of the primary account over the last 90 days.",
        Calculation::Balance(BalanceMeasure::Average)),
    single("count_days_negative_balance_90_days", Unit::Days, OVERVIEW,
        "Days of the last 90 on which the primary account's end-of-day balance was below zero.",
        Calculation::Balance(BalanceMeasure::NegativeDays)),
    single("balance_trend_simple", Unit::Enum, OVERVIEW,
        "The primary account's average end-of-day balance over the last 90 days against the 90 \
         days before; INCREASING or DECREASING beyond 15%, else CONSISTENT.",
        Calculation::Balance(BalanceMeasure::Trend)),
    single("account_age_days", Unit::Days, OVERVIEW,
        "Days from the opening of the oldest account in scope to the data's last day.",
        Calculation::AccountAge),
    single("account_age", Unit::Days, OVERVIEW,
        "Days from the opening of the oldest account in scope to the data's last day (the older \
         name of account_age_days).",
        Calculation::AccountAge),
    single("employer_name", Unit::Text, EMPLOYER,
        "Employer whose payroll deposits are the most frequent over the last 365 days (ties: the \
         larger total); NONE_DETECTED when there are none.",
        Calculation::Name(Counterparties::Employers, 0)),
    single("secondary_employer_name", Unit::Text, EMPLOYER,
        "Employer with the second most payroll deposits over the last 365 days; NONE_DETECTED \
         when there is no second one.",
        Calculation::Name(Counterparties::Employers, 1)),
    single("count_distinct_employers", Unit::Count, EMPLOYER,
        "Number of employers that paid payroll deposits in the last 365 days; the detail lists \
         the latest deposit of each.",
        Calculation::CountDistinct(Counterparties::Employers)),
    single("micro_lender_name", Unit::Text, RISK,
        "Micro-lender seen on the most transactions over the last 365 days; NONE_DETECTED when \
         there is none.",
        Calculation::Name(Counterparties::MicroLenders, 0)),
    single("count_distinct_micro_lenders", Unit::Count, RISK,
        "Number of micro-lenders seen in the last 365 days; the detail lists the latest \
         transaction with each.",
        Calculation::CountDistinct(Counterparties::MicroLenders)),
    single("count_active_days", Unit::Days, ACTIVITY,
        "Days of the last 365 with at least one transaction; the detail lists the first \
         transaction of each.",
        Calculation::ActiveDays),
];

impl Registry {
    /// The single attributes of those names.
    fn singles(&mut self, names: &[&str]) {
        for name in names {
            let s = SINGLES
                .iter()
                .find(|s| s.name == *name)
                .unwrap_or_else(|| panic!("no single attribute {name}"));
            let definition = s.definition.to_owned();
            self.add(
                s.name.to_owned(),
                s.unit,
                s.category,
                definition,
                s.calculation,
            );
        }
    }

    /// `average_monthly_{k}_complex` of each flow.
    fn complex(&mut self, flows: &[&'static Flow]) {
        for &f in flows {
            self.one(
                "average_monthly_{k}_complex",
                Aggregation::Average(AverageDivisor::Month),
                f,
            );
        }
    }
}

fn employer_overview(r: &mut Registry) {
    r.singles(&["employer_name"]);
    r.complex(&[&EMPLOYER_INCOME]);
    r.one("{k}_trend_simple", Aggregation::Trend, &EMPLOYER_INCOME);
    r.monthly(&EMPLOYER_INCOME, 13, "");
}

fn free_cash_flow(r: &mut Registry) {
    r.one(
        "average_monthly_{k}",
        Aggregation::Average(AverageDivisor::Twelve),
        &FREE_CASH_FLOW,
    );
}

/// GetIncomeAttributes, as flinks-api.md §4.4 lists it.
pub(super) fn income(r: &mut Registry) {
    employer_overview(r);
    r.complex(&[&NON_EMPLOYER_INCOME, &GOVERNMENT_INCOME]);
    r.monthly(&GOVERNMENT_INCOME, 13, "");
    for f in [
        &GOVERNMENT_INCOME,
        &EMPLOYMENT_INSURANCE,
        &SOCIAL_ASSISTANCE,
        &WSIB,
        &PENSION,
        &CHILD_SUPPORT,
        &OTHER_GOVERNMENT,
    ] {
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &days(&[90]));
    }
    r.each("sum_{k}_{w}", Aggregation::Sum, &TOTAL_INCOME, &months(13));
    r.each("sum_{k}_{w}", Aggregation::Sum, &TOTAL_CREDITS, &months(13));
    r.singles(&["account_age_days"]);
    free_cash_flow(r);
}

/// GetCreditRiskAttributes, as flinks-api.md §4.4 lists it, in its order.
pub(super) fn credit_risk(r: &mut Registry) {
    // Account overview.
    r.singles(&["balance_min", "count_days_negative_balance_90_days"]);
    free_cash_flow(r);
    r.singles(&["balance_trend_simple"]);
    employer_overview(r);
    // Non-employer income.
    r.complex(&[&NON_EMPLOYER_INCOME, &GOVERNMENT_INCOME]);
    r.one(
        "total_deposits_trend_simple",
        Aggregation::Trend,
        &TOTAL_CREDITS,
    );
    // Loan payments and committed bills.
    r.complex(&[
        &LOAN_PAYMENTS_ALL,
        &AUTO_LOAN_PAYMENTS,
        &MORTGAGE_PAYMENTS,
        &MICRO_LOAN_PAYMENTS,
        &STUDENT_LOAN_PAYMENTS,
        &OTHER_LOAN_PAYMENTS,
        &UTILITY_PAYMENTS,
        &TELECOM_PAYMENTS,
    ]);
    // Additional risk.
    r.each("count_{k}_{w}", Aggregation::Count, &NSF, &days(&[90]));
    r.each(
        "count_{k}_{w}",
        Aggregation::Count,
        &STOP_PAYMENT,
        &days(&[90]),
    );
    r.singles(&["micro_lender_name"]);
    r.one(
        "average_monthly_debit",
        Aggregation::Average(AverageDivisor::Month),
        &TOTAL_DEBITS,
    );
    r.singles(&["account_age_days"]);
}

/// GetUserAnalysisAttributes: Income, Credit Risk and the primary-account layer.
pub(super) fn user_analysis(r: &mut Registry) {
    income(r);
    credit_risk(r);
    r.singles(&["count_active_days"]);
    for f in [&OVERALL_ACTIVITY, &DEBIT_ACTIVITY, &CREDIT_ACTIVITY] {
        r.one("{k}_trend_simple", Aggregation::ActivityTrend, f);
    }
    r.one("has_{k}", Aggregation::Has, &EMPLOYER_INCOME);
    r.complex(&[&RECURRING_PAYMENTS]);
    r.one(
        "sum_{k}",
        Aggregation::Sum(Period::Days(365)),
        &LOAN_PAYMENTS_ALL,
    );
    r.one(
        "sum_{k}",
        Aggregation::Sum(Period::Days(365)),
        &EMPLOYER_INCOME,
    );
}

/// GetLendingAttributes: the names flinks-api.md §4.4 lists for Lending, and their families.
pub(super) fn lending(r: &mut Registry) {
    // Income analysis: total income, then each source.
    r.complex(&[&TOTAL_INCOME]);
    r.one(
        "sum_{k}",
        Aggregation::Sum(Period::Days(365)),
        &TOTAL_INCOME,
    );
    r.each("sum_{k}_{w}", Aggregation::Sum, &TOTAL_INCOME, &months(3));
    r.each(
        "count_{k}_{w}",
        Aggregation::Count,
        &TOTAL_INCOME,
        &months(3),
    );
    employer_overview(r);
    r.singles(&["secondary_employer_name", "count_distinct_employers"]);
    r.one(
        "estimated_annual_net_{k}",
        Aggregation::Average(AverageDivisor::Year),
        &EMPLOYER_INCOME,
    );
    for f in [&EMPLOYER_INCOME, &GOVERNMENT_INCOME, &NON_EMPLOYER_INCOME] {
        r.table(INCOME_SOURCE, f);
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &days(ALL_WINDOWS));
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &months(3));
    }
    for f in [&EMPLOYMENT_INSURANCE, &DISABILITY] {
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &months(3));
    }
    r.each(
        "sum_disability_{w}",
        Aggregation::Sum,
        &DISABILITY,
        &days(&[60]),
    );
    // Overall risk: balances and cash flow.
    r.singles(&[
        "balance_current",
        "balance_90_days_ago",
        "balance_min",
        "balance_max",
        "average_daily_balance_90_days",
        "count_days_negative_balance_90_days",
        "balance_trend_simple",
    ]);
    free_cash_flow(r);
    r.each("{k}_{w}", Aggregation::Sum, &TOTAL_DEBITS, &days(&[30]));
    r.each("{k}_{w}", Aggregation::Sum, &TOTAL_CREDITS, &days(&[30]));
    r.singles(&["account_age", "account_age_days", "count_active_days"]);
    // Specific risk: NSF fees and micro-loans.
    r.each(
        "count_{k}_{w}",
        Aggregation::Count,
        &NSF,
        &days(SHORT_WINDOWS),
    );
    r.each("sum_{k}_{w}", Aggregation::Sum, &NSF, &days(SHORT_WINDOWS));
    r.one(
        "average_monthly_{k}_fees_count",
        Aggregation::MonthlyCount,
        &NSF,
    );
    r.each(
        "count_{k}_{w}",
        Aggregation::Count,
        &STOP_PAYMENT,
        &days(&[90]),
    );
    r.singles(&["micro_lender_name", "count_distinct_micro_lenders"]);
    r.one(
        "average_micro_loan_payment",
        Aggregation::Average(AverageDivisor::Transaction),
        &MICRO_LOAN_PAYMENTS,
    );
    r.complex(&[&MICRO_LOAN_PAYMENTS]);
    r.each(
        "sum_{k}_{w}",
        Aggregation::Sum,
        &MICRO_LOAN_PAYMENTS,
        &months(3),
    );
    r.each(
        "sum_{k}_{w}",
        Aggregation::Sum,
        &MICRO_LOAN_PAYMENTS,
        &days(SHORT_WINDOWS),
    );
    // Predictive risk and cash flow: what comes and goes on a schedule, balances on paydays.
    r.each("{k}_{w}", Aggregation::Sum, &RECURRING_DEPOSITS, &months(3));
    r.complex(&[
        &RECURRING_PAYMENTS,
        &RECURRING_TRANSFERS_IN,
        &RECURRING_TRANSFERS_OUT,
    ]);
    for (f, income) in [
        (&EMPLOYER_INCOME, "employer_income"),
        (&TOTAL_INCOME, "income"),
    ] {
        for (offset, when, days) in [
            (0, "of", "each day"),
            (1, "after", "the day after each day"),
        ] {
            r.add(
                format!("average_closing_balance_day_{when}_{income}"),
                Unit::Currency,
                CASH_FLOW,
                format!(
                    "Average end-of-day balance of the primary account on {days} with {} in the last 365 days.",
                    f.what
                ),
                Calculation::Balance(BalanceMeasure::ClosingOn(f, offset)),
            );
        }
    }
    // Liabilities: loans paid and received.
    r.complex(&[&LOAN_PAYMENTS_ALL]);
    for f in [&LOAN_PAYMENTS_ALL, &LOAN_DEPOSITS] {
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &months(3));
        r.each("count_{k}_{w}", Aggregation::Count, f, &months(3));
        r.each("sum_{k}_{w}", Aggregation::Sum, f, &days(ALL_WINDOWS));
    }
    for f in [&TELECOM_PAYMENTS, &OTHER_LOAN_PAYMENTS, &UTILITY_PAYMENTS] {
        r.one(
            "{k}_average",
            Aggregation::Average(AverageDivisor::Transaction),
            f,
        );
    }
    r.complex(&[&GOVERNMENT_INCOME]);
}

/// GetBusinessAnalysisAttributes: for each business flow its summary and 13 months of sums
/// and counts.
pub(super) fn business_analysis(r: &mut Registry) {
    for &f in BUSINESS_FLOWS {
        r.table(BUSINESS_SUMMARY, f);
        r.monthly(f, 13, "_biz");
    }
}
