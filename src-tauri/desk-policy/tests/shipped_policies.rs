//! The policies the desk ships, decided for every sandbox customer. The expected decision is
//! worked out here in plain Rust from the attributes, rule by rule as the policy files say in
//! words, so the engine is checked against a second reading of the rules, not against itself.

use chrono::NaiveDate;
use desk_policy::policy::{Decision, Policy};
use flinks_sandbox::catalog::{catalog, Package};
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::model::Persona;
use flinks_sandbox::personas;
use serde_json::{Map, Value};

use Decision::{Decline, Pass, Refer};

const PERSONAL_LOAN: &[u8] = include_bytes!("../policies/personal-loan.json");
const SMALL_BUSINESS: &[u8] = include_bytes!("../policies/small-business.json");

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

/// The run's attributes by name, as the desk hands them to a policy.
fn attributes(package: Package, persona: &Persona, as_of: NaiveDate) -> Value {
    let attrs = engine::package(package, persona, as_of, &Scope::default());
    Value::Object(
        attrs
            .into_iter()
            .map(|a| (a.name, a.value.to_json()))
            .collect::<Map<_, _>>(),
    )
}

fn num(a: &Value, name: &str) -> f64 {
    a[name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is {}", a[name]))
}

/// Decline if any reason declines, else refer if any refers, else pass.
fn decided(reasons: &[(&'static str, Decision)]) -> (Decision, Vec<&'static str>) {
    let decision = reasons.iter().map(|r| r.1).max().unwrap_or(Pass);
    (decision, reasons.iter().map(|r| r.0).collect())
}

/// personal-loan.json, read in words: decline on 2+ NSF returns in 90 days, more than 5 days
/// overdrawn, or 2+ micro lenders; refer on one NSF return, 1 to 5 days overdrawn, one micro
/// lender, an account under 180 days old, income under $1,500 a month, loan payments over 40%
/// of income (all of it without income), neither an employer nor $100 a month of government
/// income, falling employer pay, or free cash flow under −$250 a month.
fn personal_loan_expected(a: &Value) -> (Decision, Vec<&'static str>) {
    let mut reasons = Vec::new();
    let nsf = num(a, "count_nsf_90_days");
    if nsf >= 2.0 {
        reasons.push(("nsf_returns", Decline));
    }
    if nsf == 1.0 {
        reasons.push(("nsf_return", Refer));
    }
    let overdrawn = num(a, "count_days_negative_balance_90_days");
    if overdrawn > 5.0 {
        reasons.push(("overdrawn_often", Decline));
    }
    if (1.0..=5.0).contains(&overdrawn) {
        reasons.push(("overdrawn_some", Refer));
    }
    let micro = num(a, "count_distinct_micro_lenders");
    if micro >= 2.0 {
        reasons.push(("micro_lenders", Decline));
    }
    if micro == 1.0 {
        reasons.push(("micro_lender", Refer));
    }
    if num(a, "account_age") < 180.0 {
        reasons.push(("short_history", Refer));
    }
    let income = num(a, "average_monthly_total_income_complex");
    if income < 1500.0 {
        reasons.push(("low_income", Refer));
    }
    let loans = num(a, "average_monthly_loan_payments_complex");
    let debt_to_income = if income > 0.0 { loans / income } else { 1.0 };
    if debt_to_income > 0.4 {
        reasons.push(("debt_load", Refer));
    }
    if num(a, "count_distinct_employers") == 0.0
        && num(a, "average_monthly_government_income") < 100.0
    {
        reasons.push(("no_steady_income", Refer));
    }
    if a["employer_income_trend_simple"] == "DECREASING" {
        reasons.push(("falling_pay", Refer));
    }
    if num(a, "average_monthly_free_cash_flow") < -250.0 {
        reasons.push(("spending_over_income", Refer));
    }
    decided(&reasons)
}

/// small-business.json, read in words: decline under $2,000 a month of business revenue, or when
/// revenue covers less than half of expenses plus loan payments; with at least $2,000, refer
/// under $10,000, when revenue does not cover expenses plus loan payments, when loan advances
/// exceed half of revenue, when loan payments exceed a quarter of it, or when it is falling;
/// refer on bank fees over $100 a month whatever the revenue.
fn small_business_expected(a: &Value) -> (Decision, Vec<&'static str>) {
    let mut reasons = Vec::new();
    let revenue = num(a, "average_monthly_operating_income_biz");
    let expenses = num(a, "average_monthly_operating_expenses_biz");
    let loan_payments = num(a, "average_monthly_loan_payments_biz");
    let share = |x: f64| if revenue > 0.0 { x / revenue } else { 0.0 };
    let coverage = match expenses + loan_payments {
        out if out > 0.0 => revenue / out,
        _ => 1.0,
    };
    let business = revenue >= 2000.0;
    if revenue < 2000.0 {
        reasons.push(("revenue_under_2000", Decline));
    }
    if business && revenue < 10_000.0 {
        reasons.push(("revenue_under_10000", Refer));
    }
    if business && coverage < 0.5 {
        reasons.push(("expenses_far_above_revenue", Decline));
    }
    if business && (0.5..1.0).contains(&coverage) {
        reasons.push(("expenses_above_revenue", Refer));
    }
    if business && share(num(a, "average_monthly_loan_deposits_biz")) > 0.5 {
        reasons.push(("loan_funded", Refer));
    }
    if business && share(loan_payments) > 0.25 {
        reasons.push(("debt_payments_high", Refer));
    }
    if num(a, "average_monthly_bank_fees_biz") > 100.0 {
        reasons.push(("bank_fees", Refer));
    }
    if business && a["operating_income_trend_simple_biz"] == "DECREASING" {
        reasons.push(("revenue_falling", Refer));
    }
    decided(&reasons)
}

type Expected = fn(&Value) -> (Decision, Vec<&'static str>);

/// Each persona's decision, checked against the expectation; returns them by username.
fn decide_all(
    file: &[u8],
    package: Package,
    expected: Expected,
    as_of: NaiveDate,
) -> Vec<(String, Decision)> {
    let policy = Policy::from_json(file).unwrap();
    let mut decisions = Vec::new();
    for persona in personas::cast(personas::DEFAULT_SEED, as_of) {
        let input = attributes(package, &persona, as_of);
        let evaluation = policy.evaluate(&input).unwrap();
        let rules: Vec<&str> = evaluation.reasons.iter().map(|r| r.rule.as_str()).collect();
        let (decision, expected_rules) = expected(&input);
        assert_eq!(
            (evaluation.decision, rules),
            (decision, expected_rules),
            "{} on {as_of}",
            persona.username
        );
        for reason in &evaluation.reasons {
            assert!(
                !reason.text.is_empty() && !reason.value.is_null(),
                "{reason:?}"
            );
        }
        decisions.push((persona.username, evaluation.decision));
    }
    decisions
}

fn decision_of(decisions: &[(String, Decision)], username: &str) -> Decision {
    decisions.iter().find(|d| d.0 == username).unwrap().1
}

#[test]
fn the_shipped_policies_read_only_attributes_their_package_has() {
    for (file, package) in [
        (PERSONAL_LOAN, Package::Lending),
        (SMALL_BUSINESS, Package::BusinessAnalysis),
    ] {
        let policy = Policy::from_json(file).unwrap();
        let names: Vec<&str> = catalog()
            .package(package)
            .map(|s| s.name.as_str())
            .collect();
        policy.check_attributes(|a| names.contains(&a)).unwrap();
        assert!(policy.attributes_used().len() >= 6);
    }
}

#[test]
fn personal_loan_is_refused_on_a_credit_risk_run_naming_where_it_reads_a_missing_attribute() {
    let policy = Policy::from_json(PERSONAL_LOAN).unwrap();
    let names: Vec<&str> = catalog()
        .package(Package::CreditRisk)
        .map(|s| s.name.as_str())
        .collect();
    let err = policy.check_attributes(|a| names.contains(&a)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "node \"Ratios\" (expressionNode, id b9794656-bf46-5cd7-bab0-be39b1b7d5c0), \
         row 1 (_id 1eb28a8b-8b00-5c54-907b-bbd6f36ebe38), expression \"debt_to_income\": \
         \"average_monthly_total_income_complex\" is not an attribute of this package"
    );
}

#[test]
fn personal_loan_decides_every_customer_and_tells_pass_refer_and_decline_apart() {
    let decisions = decide_all(
        PERSONAL_LOAN,
        Package::Lending,
        personal_loan_expected,
        as_of(),
    );
    for outcome in [Pass, Refer, Decline] {
        assert!(
            decisions.iter().any(|d| d.1 == outcome),
            "no {outcome}: {decisions:?}"
        );
    }
    // The stories behind them, in the transactions themselves ("NSF FEE": "TRANSFER" holds NSF).
    let cast = personas::cast(personas::DEFAULT_SEED, as_of());
    let persona = |name: &str| cast.iter().find(|p| p.username == name).unwrap();
    let window = as_of() - chrono::Days::new(90);
    let recent = |p: &Persona| {
        p.accounts
            .iter()
            .filter(|a| a.category == "Operations")
            .flat_map(|a| a.transactions.iter())
            .filter(|t| t.date > window && t.date <= as_of())
            .cloned()
            .collect::<Vec<_>>()
    };

    assert_eq!(decision_of(&decisions, "borrower_nsf"), Decline);
    let borrower = recent(persona("borrower_nsf"));
    assert!(
        borrower
            .iter()
            .filter(|t| t.description.contains("NSF FEE"))
            .count()
            >= 2
    );
    assert!(borrower.iter().filter(|t| t.balance < 0).count() > 5);

    assert_eq!(decision_of(&decisions, "thin_file_student"), Refer);
    let opened = persona("thin_file_student")
        .accounts
        .iter()
        .map(|a| a.opened)
        .min();
    assert!(opened.unwrap() > as_of() - chrono::Days::new(180));

    assert_eq!(decision_of(&decisions, "salaried_biweekly"), Pass);
    let salaried = recent(persona("salaried_biweekly"));
    assert!(salaried
        .iter()
        .all(|t| !t.description.contains("NSF FEE") && t.balance >= 0));
}

#[test]
fn small_business_declines_customers_without_business_revenue() {
    let decisions = decide_all(
        SMALL_BUSINESS,
        Package::BusinessAnalysis,
        small_business_expected,
        as_of(),
    );
    // Only the contractor runs a business: the salaried, the retired and the student have no
    // business revenue to lend against.
    for username in [
        "salaried_biweekly",
        "government_income",
        "thin_file_student",
    ] {
        assert_eq!(decision_of(&decisions, username), Decline, "{username}");
    }
    assert_ne!(decision_of(&decisions, "small_business"), Decline);
}

#[test]
fn the_sandbox_of_today_is_decided_as_the_rules_say() {
    // The built-in sandbox ends its data today, so the attributes move with the date.
    let today = chrono::Utc::now().date_naive();
    decide_all(
        PERSONAL_LOAN,
        Package::Lending,
        personal_loan_expected,
        today,
    );
    decide_all(
        SMALL_BUSINESS,
        Package::BusinessAnalysis,
        small_business_expected,
        today,
    );
}
