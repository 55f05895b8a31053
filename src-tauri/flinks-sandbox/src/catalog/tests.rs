use std::collections::HashSet;

use chrono::NaiveDate;

use super::flows::{
    ACTIVITY, BILLS, BIZ_EXPENSES, BIZ_FEES, BIZ_LIABILITIES, BIZ_LOAN_DEPOSITS, BUSINESS_FLOWS,
    CASH_FLOW, EMPLOYER, INCOME, LIABILITIES, LOANS, NON_EMPLOYER, OVERVIEW, RISK,
};
use super::*;
use crate::engine::{self, Scope};
use crate::model::AttrValue;
use crate::personas::{self, DEFAULT_SEED};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

fn names(package: Package) -> Vec<&'static str> {
    catalog()
        .package(package)
        .map(|s| s.name.as_str())
        .collect()
}

#[test]
fn all_is_the_union_of_the_packages_and_has_at_least_300() {
    let all: HashSet<&str> = names(Package::All).into_iter().collect();
    assert_eq!(all.len(), names(Package::All).len(), "unique names");
    assert!(all.len() >= 300, "{}", all.len());
    let mut union = HashSet::new();
    for p in Package::ALL.into_iter().filter(|p| *p != Package::All) {
        let members = names(p);
        let unique: HashSet<&str> = members.iter().copied().collect();
        assert_eq!(unique.len(), members.len(), "{p:?} lists a name twice");
        assert!(unique.is_subset(&all), "{p:?}");
        union.extend(unique);
    }
    assert_eq!(union, all);
}

#[test]
fn user_analysis_holds_income_and_credit_risk() {
    let ua: HashSet<&str> = names(Package::UserAnalysis).into_iter().collect();
    for name in names(Package::Income)
        .into_iter()
        .chain(names(Package::CreditRisk))
    {
        assert!(ua.contains(name), "{name}");
    }
    for name in [
        "count_active_days",
        "overall_activity_trend_simple",
        "debit_activity_trend_simple",
        "credit_activity_trend_simple",
        "has_employer_income",
        "average_monthly_recurring_payments_complex",
        "sum_loan_payments",
        "sum_employer_income",
    ] {
        assert!(ua.contains(name), "{name}");
    }
}

/// The names flinks-api.md §4.4 lists for a package, each present.
fn assert_lists(package: Package, documented: &[&str]) {
    let members: HashSet<&str> = names(package).into_iter().collect();
    let missing: Vec<&&str> = documented
        .iter()
        .filter(|n| !members.contains(**n))
        .collect();
    assert!(missing.is_empty(), "{package:?} lacks {missing:?}");
}

fn months13(prefix: &str) -> Vec<String> {
    (0..13)
        .map(|k| format!("{prefix}_{}", crate::vocabulary::month_suffix(k)))
        .collect()
}

#[test]
fn income_and_credit_risk_are_complete() {
    let mut income: Vec<String> = [
        "employer_name",
        "average_monthly_employer_income_complex",
        "employer_income_trend_simple",
        "average_monthly_non_employer_income_complex",
        "average_monthly_government_income_complex",
        "sum_employment_insurance_income_90_days",
        "sum_social_assistance_income_90_days",
        "sum_wsib_income_90_days",
        "sum_pension_income_90_days",
        "sum_child_support_income_government_90_days",
        "sum_other_income_90_days",
        "account_age_days",
        "average_monthly_free_cash_flow",
    ]
    .map(String::from)
    .to_vec();
    for series in [
        "sum_employer_income",
        "count_employer_income",
        "sum_government_income",
        "count_government_income",
        "sum_total_income",
        "sum_total_credits",
    ] {
        income.extend(months13(series));
    }
    assert_lists(
        Package::Income,
        &income.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(names(Package::CreditRisk).len(), 49);
    assert_lists(
        Package::CreditRisk,
        &[
            "balance_min",
            "count_days_negative_balance_90_days",
            "average_monthly_free_cash_flow",
            "balance_trend_simple",
            "total_deposits_trend_simple",
            "average_monthly_loan_payments_complex",
            "average_monthly_auto_loan_payments_complex",
            "average_monthly_mortgage_payments_complex",
            "average_monthly_micro_loan_payments_complex",
            "average_monthly_student_loan_payments_complex",
            "average_monthly_other_loan_payments_complex",
            "average_monthly_utility_payments_complex",
            "average_monthly_telecom_payments_complex",
            "count_nsf_90_days",
            "count_stop_payment_90_days",
            "micro_lender_name",
            "average_monthly_debit",
            "account_age_days",
        ],
    );
}

#[test]
fn lending_has_the_documented_names() {
    assert_lists(
        Package::Lending,
        &[
            "count_nsf_30_days",
            "count_nsf_60_days",
            "sum_nsf_60_days",
            "average_monthly_nsf_fees_count",
            "sum_micro_loan_payments_current_month",
            "sum_micro_loan_payments_previous_month",
            "sum_micro_loan_payments_2_months_ago",
            "sum_micro_loan_payments_60_days",
            "count_distinct_micro_lenders",
            "average_micro_loan_payment",
            "recurring_deposits_current_month",
            "recurring_deposits_previous_month",
            "recurring_deposits_2_months_ago",
            "average_monthly_recurring_transfers_in_complex",
            "average_monthly_recurring_transfers_out_complex",
            "sum_total_income_current_month",
            "sum_total_income_previous_month",
            "sum_total_income_2_months_ago",
            "sum_loan_payments_current_month",
            "sum_loan_payments_previous_month",
            "sum_loan_payments_2_months_ago",
            "count_loan_payments_current_month",
            "count_loan_payments_previous_month",
            "sum_loan_payments_30_days",
            "sum_loan_payments_60_days",
            "sum_loan_payments_90_days",
            "sum_loan_deposits_30_days",
            "sum_loan_deposits_60_days",
            "sum_loan_deposits_90_days",
            "sum_government_income_current_month",
            "sum_employment_insurance_income_current_month",
            "sum_employment_insurance_income_previous_month",
            "sum_employment_insurance_income_2_months_ago",
            "sum_disability_income_current_month",
            "sum_disability_income_previous_month",
            "sum_disability_income_2_months_ago",
            "sum_disability_60_days",
            "sum_employer_income_30_days",
            "average_monthly_employer_income",
            "average_employer_income_deposit",
            "employer_income_frequency",
            "average_closing_balance_day_of_employer_income",
            "average_closing_balance_day_after_employer_income",
            "average_closing_balance_day_of_income",
            "average_closing_balance_day_after_income",
            "balance_90_days_ago",
            "balance_current",
            "balance_min",
            "count_days_negative_balance_90_days",
            "sum_non_employer_income",
            "sum_non_employer_income_current_month",
            "sum_non_employer_income_previous_month",
            "sum_non_employer_income_2_months_ago",
            "sum_non_employer_income_30_days",
            "telecom_payments_average",
            "other_loan_payments_average",
            "utility_payments_average",
            "total_debits_30_days",
            "total_credits_30_days",
            "account_age",
            "average_monthly_free_cash_flow",
            "count_active_days",
            "balance_trend_simple",
            "average_monthly_loan_payments_complex",
            "average_monthly_government_income_complex",
        ],
    );
}

#[test]
fn business_analysis_has_the_documented_names_and_every_family_member() {
    assert_lists(
        Package::BusinessAnalysis,
        &[
            "auto_loan_deposits_frequency_biz",
            "auto_loan_deposits_trend_biz",
            "auto_loan_deposits_trend_simple_biz",
            "auto_loan_payments_frequency_biz",
            "auto_loan_payments_trend_biz",
            "average_monthly_auto_loan_payments_biz",
            "sum_auto_loan_payments_365_days_biz",
            "average_monthly_operating_income_biz",
            "sum_operating_income_365_days_biz",
            "average_monthly_payroll_deposits_biz",
            "sum_payroll_deposits_365_days_biz",
            "average_auto_loan_deposits_deposit_biz",
            "average_monthly_auto_loan_deposits_biz",
            "last_2_deposit_dates_auto_loan_deposits_biz",
            "count_auto_loan_payments_10_months_ago_biz",
        ],
    );
    let biz = names(Package::BusinessAnalysis);
    assert!(biz.iter().all(|n| n.ends_with("_biz")));
    for f in BUSINESS_FLOWS {
        let members = biz.iter().filter(|n| n.contains(f.key)).count();
        assert!(members >= 7 + 26, "{}: {members}", f.key);
    }
}

#[test]
fn every_returned_attribute_is_in_the_catalog_and_all_returns_the_catalog() {
    let cast = personas::cast(DEFAULT_SEED, as_of());
    let catalog_names: Vec<&str> = catalog().specs().iter().map(|s| s.name.as_str()).collect();
    for p in &cast {
        for package in Package::ALL {
            let attrs = engine::package(package, p, as_of(), &Scope::default());
            for a in &attrs {
                let spec = catalog()
                    .get(&a.name)
                    .unwrap_or_else(|| panic!("{} is not in the catalog", a.name));
                assert!(spec.packages.contains(&package), "{}", a.name);
            }
            if package == Package::All {
                let returned: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
                assert_eq!(returned, catalog_names, "{}", p.username);
            }
        }
    }
}

#[test]
fn values_have_the_types_their_units_say() {
    let enums = [
        "CONSISTENT",
        "INCREASING",
        "DECREASING",
        "NONE_DETECTED",
        "YES",
        "NO",
        "Weekly",
        "BiWeekly",
        "Monthly",
    ];
    for p in personas::cast(DEFAULT_SEED, as_of()) {
        let attrs = engine::package(Package::All, &p, as_of(), &Scope::default());
        for (spec, a) in catalog().specs().iter().zip(&attrs) {
            let fits = match (spec.unit, &a.value) {
                (Unit::Currency, AttrValue::Money(_)) => true,
                (Unit::Count, AttrValue::Count(_) | AttrValue::Number(_)) => true,
                (Unit::Days, AttrValue::Count(d)) => *d >= 0,
                (Unit::Ratio, AttrValue::Number(x)) => *x >= 0.0,
                (Unit::Enum, AttrValue::Text(t)) => enums.contains(&t.as_str()),
                (Unit::Text, AttrValue::Text(t)) => !t.is_empty(),
                (Unit::Date, AttrValue::Text(t)) => {
                    t == "NONE_DETECTED"
                        || t.split(", ")
                            .all(|d| NaiveDate::parse_from_str(d, "%Y/%m/%d").is_ok())
                }
                _ => false,
            };
            assert!(fits, "{}: {} is {:?}", p.username, a.name, a.value);
        }
    }
}

#[test]
fn entries_are_described() {
    let sections = [
        OVERVIEW,
        EMPLOYER,
        NON_EMPLOYER,
        LOANS,
        BILLS,
        RISK,
        ACTIVITY,
        INCOME,
        CASH_FLOW,
        LIABILITIES,
        BIZ_LOAN_DEPOSITS,
        BIZ_EXPENSES,
        BIZ_LIABILITIES,
        BIZ_FEES,
    ];
    for s in catalog().specs() {
        assert!(sections.contains(&s.category), "{}", s.name);
        assert!(
            s.definition.ends_with('.') && !s.definition.contains('\n'),
            "{}",
            s.name
        );
        assert!(s.definition.len() > 20, "{}", s.name);
        assert_eq!(s.packages.last(), Some(&Package::All), "{}", s.name);
        assert!(s.packages.len() >= 2, "{} is in no package", s.name);
        assert_eq!(s.name, s.name.to_ascii_lowercase());
        assert!(!s.name.contains('{'), "{}", s.name);
    }
    assert_eq!(
        catalog().get("Balance_Min").map(|s| s.name.as_str()),
        Some("balance_min")
    );
    assert!(catalog().get("nbr_nsf").is_none());
}

#[test]
fn endpoints_name_their_packages() {
    for p in Package::ALL {
        assert_eq!(Package::from_endpoint(p.endpoint()), Some(p));
        assert_eq!(
            Package::from_endpoint(&p.endpoint().to_ascii_lowercase()),
            Some(p)
        );
    }
    assert_eq!(
        Package::from_endpoint("GetUserAnalysisAtributes"),
        Some(Package::UserAnalysis)
    );
    assert_eq!(
        Package::from_endpoint("GetAllBusinessAttributes"),
        Some(Package::BusinessAnalysis)
    );
    assert_eq!(Package::from_endpoint("GetScore"), None);
}
