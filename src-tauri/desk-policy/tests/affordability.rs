//! Affordability against numbers worked by hand, and its attribute map against what the
//! sandbox computes for its customers.

use std::collections::BTreeMap;
use std::str::FromStr;

use desk_policy::affordability::{
    assess, attributes_from_json, loan_payment, qualifying_rate, AffordabilityError,
    AffordabilitySettings, AttributeMap, Compounding, FileKind, LoanRequest, Role,
};
use flinks_sandbox::catalog::{catalog, Package};
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::model::AttrValue;
use flinks_sandbox::personas;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, Decimal> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), d(v))).collect()
}

fn defaults() -> AffordabilitySettings {
    AffordabilitySettings::default()
}

// ---- the payment ----

#[test]
fn payment_400k_at_4_5_over_25_years_semi_annual_is_2213_89() {
    // $400,000 at 4.5% over 25 years, monthly payments, compounded semi-annually:
    //   rate per half-year      0.045 / 2                          = 0.0225
    //   effective annual rate   1.0225² − 1                        = 0.04550625
    //   monthly rate i          1.0225^(1/6) − 1                   = 0.00371531957480726538…
    //   payments n              25 × 12                            = 300
    //   (1 + i)^300             = 1.0225^50                        = 3.04204639968748782…
    //   (1 + i)^−300            1 / 3.04204639968748782            = 0.32872608389626500…
    //   P × i                   400,000 × 0.00371531957480726538   = 1,486.12782992290615
    //   payment                 1,486.12782992290615 / (1 − 0.32872608389626500)
    //                         = 1,486.12782992290615 / 0.67127391610373500 = 2,213.8918… → $2,213.89
    let mortgage = LoanRequest::mortgage(d("400000"), d("4.5"), 25);
    assert_eq!(loan_payment(&mortgage, d("4.5")).unwrap(), d("2213.89"));

    // The same loan compounded monthly, the US way: i = 0.045 / 12 = 0.00375,
    // 1.00375^300 = 3.07374252803650, 1,500 / (1 − 0.32533629309505) = 2,223.3299… → $2,223.33,
    // $9.44 a month more: why the convention matters.
    let monthly = LoanRequest {
        compounding: Compounding::Monthly,
        ..mortgage
    };
    assert_eq!(loan_payment(&monthly, d("4.5")).unwrap(), d("2223.33"));
}

#[test]
fn payment_matches_a_published_canadian_calculator() {
    // A Canadian mortgage calculator's output (Loan Amount $500,000, Rate 4.0% per year
    // (semi-annually), 25 years, 12 payments a year; "Effective Period Rate 0.331%",
    // "Payment $2,630.10"), as quoted at https://www.coursesidekick.com/communications/591720.
    // By hand: i = 1.02^(1/6) − 1 = 0.0033058903246372; 500,000 × i = 1,652.9451623186;
    // 1.02^−50 = 0.3715278821; 1,652.9451623186 / 0.6284721179 = 2,630.1010 → $2,630.10.
    let request = LoanRequest::mortgage(d("500000"), d("4"), 25);
    assert_eq!(loan_payment(&request, d("4")).unwrap(), d("2630.10"));
}

#[test]
fn personal_loan_compounds_monthly() {
    // $20,000 at 10.99% over 5 years: i = 0.1099 / 12 = 0.00915833…, 1.00915833^60 = 1.72805933,
    // 183.1666… / (1 − 0.57868383) = 434.7487… → $434.75.
    let request = LoanRequest::personal(d("20000"), d("10.99"), 5);
    assert_eq!(request.compounding, Compounding::Monthly);
    assert_eq!(loan_payment(&request, d("10.99")).unwrap(), d("434.75"));
}

// ---- the stress test ----

#[test]
fn stress_rate_is_contract_plus_two_when_that_is_above_the_floor() {
    assert_eq!(qualifying_rate(d("4.5"), &defaults()), d("6.5"));
    assert_eq!(qualifying_rate(d("5.49"), &defaults()), d("7.49"));
}

#[test]
fn stress_rate_is_the_floor_when_contract_plus_two_is_below_it() {
    assert_eq!(qualifying_rate(d("2.99"), &defaults()), d("5.25"));
    // At equality either side gives the same rate.
    assert_eq!(qualifying_rate(d("3.25"), &defaults()), d("5.25"));
    // The floor and the add are settings.
    let settings = AffordabilitySettings {
        stress_floor_rate: d("6"),
        stress_add: d("1"),
        ..defaults()
    };
    assert_eq!(qualifying_rate(d("4.5"), &settings), d("6"));
    assert_eq!(qualifying_rate(d("5.5"), &settings), d("6.5"));
}

#[test]
fn the_payment_is_at_the_qualifying_rate() {
    // 2.99% contract → the 5.25% floor. At 5.25% semi-annual: i = 1.02625^(1/6) − 1 =
    // 0.0043279020647011, 1.02625^−50 = 0.2737420363523, 1,731.1608258804 / 0.7262579636477 =
    // 2,383.6721 → $2,383.67.
    let request = LoanRequest::mortgage(d("400000"), d("2.99"), 25);
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let result = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(result.qualifying_rate, d("5.25"));
    assert_eq!(result.payment, d("2383.67"));
    let formula = &result.formulas[0];
    assert_eq!(formula.name, "Qualifying rate");
    assert_eq!(formula.with_numbers, "max(2.99% + 2.00%, 5.25%) = 5.25%");
}

// ---- GDS and TDS ----

/// $400,000 at 4.5% (qualifying at 6.5%), property tax $350, heating $100, condo fees $400,
/// income $10,000 a month, existing loan payments $600.
fn condo_file() -> (LoanRequest, BTreeMap<String, Decimal>) {
    let request = LoanRequest {
        property_tax_monthly: Some(d("350")),
        heating_monthly: Some(d("100")),
        condo_fees_monthly: Some(d("400")),
        ..LoanRequest::mortgage(d("400000"), d("4.5"), 25)
    };
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "600"),
    ]);
    (request, a)
}

#[test]
fn gds_and_tds_by_hand() {
    // Payment at 6.5% semi-annual: i = 1.0325^(1/6) − 1 = 0.0053447400754975,
    // 1.0325^−50 = 0.2020677397190899, 2,137.8960301990 / 0.7979322602809101 = 2,679.2951
    // → $2,679.30.
    // Housing: 2,679.30 + 350 + 100 + 50% × 400 = 3,329.30 → GDS 3,329.30 / 10,000 = 33.29%.
    // TDS: (3,329.30 + 600) / 10,000 = 39.293% → 39.29%.
    let (request, a) = condo_file();
    let r = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(r.qualifying_rate, d("6.5"));
    assert_eq!(r.payment, d("2679.30"));
    assert_eq!(r.monthly_payment, d("2679.30"));
    assert_eq!(r.housing_costs, Some(d("3329.30")));
    assert_eq!(r.monthly_income, Some(d("10000")));
    assert_eq!(r.monthly_debts, Some(d("600")));
    assert_eq!(r.gds, Some(d("33.29")));
    assert_eq!(r.tds, Some(d("39.29")));
    assert_eq!(r.dscr, None);
    assert_eq!(r.within_limits.gds, Some(true));
    assert_eq!(r.within_limits.tds, Some(true));
    assert_eq!(r.within_limits.dscr, None);
    assert!(r.within_limits.all);

    let gds = r.formulas.iter().find(|f| f.name == "GDS").unwrap();
    assert_eq!(
        gds.formula,
        "GDS = (monthly P&I at the qualifying rate + property tax + heating + 50.00% of condo \
         fees) / monthly income × 100"
    );
    assert_eq!(
        gds.with_numbers,
        "($2,679.30 + $350.00 + $100.00 + 50.00% × $400.00) / $10,000.00 × 100 = 33.29%"
    );
    assert_eq!((gds.limit, gds.within_limit), (Some(d("39")), Some(true)));
    let tds = r.formulas.iter().find(|f| f.name == "TDS").unwrap();
    assert_eq!(
        tds.with_numbers,
        "($3,329.30 + $600.00) / $10,000.00 × 100 = 39.29%"
    );
    let payment = r.formulas.iter().find(|f| f.name == "Payment").unwrap();
    assert!(
        payment
            .with_numbers
            .starts_with("i = (1 + 6.5% / 2)^(2 / 12) − 1 = 0.0053447401; n = 25 × 12 = 300;"),
        "{}",
        payment.with_numbers
    );
    assert!(payment.with_numbers.ends_with("= $2,679.30"));
    let income = r
        .formulas
        .iter()
        .find(|f| f.name == "Monthly income")
        .unwrap();
    assert_eq!(
        income.with_numbers,
        "average_monthly_total_income_complex = $10,000.00"
    );
}

#[test]
fn condo_fees_count_at_the_settings_share() {
    // 50% of $333.33 is $166.665, a half cent rounded up to $166.67: housing 2,679.30 + 166.67
    // = 2,845.97 on $10,000 → 28.46% (no tax or heating typed).
    let request = LoanRequest {
        condo_fees_monthly: Some(d("333.33")),
        ..LoanRequest::mortgage(d("400000"), d("4.5"), 25)
    };
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let half = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(half.housing_costs, Some(d("2845.97")));
    assert_eq!(half.gds, Some(d("28.46")));
    // A desk counting the whole fee: 2,679.30 + 333.33 = 3,012.63 → 30.13%.
    let whole = AffordabilitySettings {
        condo_fee_share: d("100"),
        ..defaults()
    };
    let all = assess(&request, &a, &whole).unwrap();
    assert_eq!(all.housing_costs, Some(d("3012.63")));
    assert_eq!(all.gds, Some(d("30.13")));
}

#[test]
fn settings_change_the_within_limits_outcome() {
    let (request, a) = condo_file();
    // GDS 33.29% and TDS 39.29% pass CMHC's 39% and 44% ...
    assert!(assess(&request, &a, &defaults()).unwrap().within_limits.all);
    // ... not a desk's 32% GDS ...
    let strict = AffordabilitySettings {
        gds_limit: d("32"),
        ..defaults()
    };
    let r = assess(&request, &a, &strict).unwrap();
    assert_eq!(r.within_limits.gds, Some(false));
    assert_eq!(r.within_limits.tds, Some(true));
    assert!(!r.within_limits.all);
    assert_eq!(r.to_policy_input()["gdsWithinLimit"], false);
    // ... and a limit equal to the ratio is met.
    let edge = AffordabilitySettings {
        tds_limit: d("39.29"),
        ..defaults()
    };
    assert!(assess(&request, &a, &edge).unwrap().within_limits.all);
    // A higher floor raises the payment. At 8% semi-annual: i = 1.04^(1/6) − 1 = 0.0065581969,
    // 2,623.2787746 / 0.8592873847 = 3,052.85; GDS (3,052.85 + 650) / 10,000 = 37.03%, TDS
    // (3,702.85 + 600) / 10,000 = 43.03%: still in. At 9%: 2,945.2492100 / 0.8892903500 =
    // 3,311.91; GDS 39.62%, TDS 45.62%: both out.
    let floor_8 = AffordabilitySettings {
        stress_floor_rate: d("8"),
        ..defaults()
    };
    let r8 = assess(&request, &a, &floor_8).unwrap();
    assert_eq!(r8.payment, d("3052.85"));
    assert_eq!((r8.gds, r8.tds), (Some(d("37.03")), Some(d("43.03"))));
    assert!(r8.within_limits.all);
    let floor_9 = AffordabilitySettings {
        stress_floor_rate: d("9"),
        ..defaults()
    };
    let r9 = assess(&request, &a, &floor_9).unwrap();
    assert_eq!(r9.payment, d("3311.91"));
    assert_eq!(r9.within_limits.gds, Some(false));
    assert_eq!(r9.within_limits.tds, Some(false));
}

#[test]
fn biweekly_payments_are_counted_as_a_monthly_amount() {
    // 26 payments a year at 6.5% semi-annual: i = 1.0325^(2/26) − 1 = 0.0024632632, n = 650,
    // payment $1,234.82; as a month 1,234.82 × 26 / 12 = 2,675.4433 → $2,675.44.
    let request = LoanRequest {
        payments_per_year: 26,
        ..LoanRequest::mortgage(d("400000"), d("4.5"), 25)
    };
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let r = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(r.payment, d("1234.82"));
    assert_eq!(r.monthly_payment, d("2675.44"));
    assert_eq!(r.gds, Some(d("26.75")));
    let monthly = r.formulas.iter().find(|f| f.name == "Monthly P&I").unwrap();
    assert_eq!(monthly.with_numbers, "$1,234.82 × 26 / 12 = $2,675.44");
}

#[test]
fn a_replaced_mortgage_leaves_the_debts_and_typed_debts_join_them() {
    // Loan payments $2,100 of which $1,800 mortgage; $150 of card minimums typed:
    // 2,100 − 1,800 + 150 = 450.
    let request = LoanRequest {
        replaces_existing_mortgage: true,
        other_debts_monthly: Some(d("150")),
        ..LoanRequest::mortgage(d("400000"), d("4.5"), 25)
    };
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "2100"),
        ("average_monthly_mortgage_payments_complex", "1800"),
    ]);
    let r = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(r.monthly_debts, Some(d("450")));
    let debts = r
        .formulas
        .iter()
        .find(|f| f.name == "Monthly debts")
        .unwrap();
    assert_eq!(
        debts.with_numbers,
        "$2,100.00 − $1,800.00 + $150.00 = $450.00"
    );
    // Without the mortgage attribute (a Lending run) the replacement cannot be made.
    let lending_only = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "2100"),
    ]);
    let err = assess(&request, &lending_only, &defaults()).unwrap_err();
    assert!(
        matches!(
            err,
            AffordabilityError::MissingAttribute {
                role: Role::MonthlyMortgagePayments,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("average_monthly_mortgage_payments_complex"));
}

// ---- DSCR ----

fn business_attrs() -> BTreeMap<String, Decimal> {
    attrs(&[
        ("average_monthly_operating_income_biz", "30000"),
        ("average_monthly_operating_expenses_biz", "24000"),
        ("average_monthly_bank_fees_biz", "100"),
        ("average_monthly_loan_payments_biz", "1500"),
    ])
}

#[test]
fn dscr_by_hand() {
    // $100,000 at 7% over 5 years, monthly: qualifying 9%, i = 0.0075, 1.0075^60 = 1.5656810269,
    // 750 / (1 − 0.6386996986) = 2,075.8355 → $2,075.84.
    // NOI = 12 × (30,000 − (24,000 + 100)) = 70,800.
    // Debt service = 12 × 1,500 + 2,075.84 × 12 = 18,000 + 24,910.08 = 42,910.08.
    // DSCR = 70,800 / 42,910.08 = 1.64996… → 1.65, above 1.25.
    let request = LoanRequest::business(d("100000"), d("7"), 5);
    let r = assess(&request, &business_attrs(), &defaults()).unwrap();
    assert_eq!(r.request.file, FileKind::Business);
    assert_eq!(r.payment, d("2075.84"));
    assert_eq!(r.net_operating_income, Some(d("70800")));
    assert_eq!(r.annual_debt_service, Some(d("42910.08")));
    assert_eq!(r.dscr, Some(d("1.65")));
    assert_eq!(r.within_limits.dscr, Some(true));
    assert_eq!((r.gds, r.tds, r.within_limits.gds), (None, None, None));
    assert!(r.within_limits.all);
    let dscr = r.formulas.iter().find(|f| f.name == "DSCR").unwrap();
    assert_eq!(
        dscr.formula,
        "DSCR = net operating income / annual debt service"
    );
    assert_eq!(dscr.with_numbers, "$70,800.00 / $42,910.08 = 1.65");
    let expenses = r
        .formulas
        .iter()
        .find(|f| f.name == "Monthly operating expenses")
        .unwrap();
    assert_eq!(expenses.with_numbers, "$24,000.00 + $100.00 = $24,100.00");
    let input = r.to_policy_input();
    assert_eq!(input["dscr"], serde_json::json!(1.65));
    assert_eq!(input["gds"], serde_json::Value::Null);
    assert_eq!(input["file"], "business");

    // A lender asking 1.75 turns the same file down.
    let strict = AffordabilitySettings {
        dscr_minimum: d("1.75"),
        ..defaults()
    };
    let r = assess(&request, &business_attrs(), &strict).unwrap();
    assert_eq!(r.within_limits.dscr, Some(false));
    assert!(!r.within_limits.all);
}

#[test]
fn a_business_file_needs_the_business_attributes() {
    let request = LoanRequest::business(d("100000"), d("7"), 5);
    let personal = attrs(&[("average_monthly_total_income_complex", "10000")]);
    let err = assess(&request, &personal, &defaults()).unwrap_err();
    assert!(
        err.to_string()
            .contains("average_monthly_operating_income_biz"),
        "{err}"
    );
    assert!(err.to_string().contains("Business Analysis"), "{err}");
}

// ---- the attribute map against the sandbox ----

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

/// A persona's attributes for a package, through JSON as a Flinks reply's `Card` carries them.
fn sandbox_attributes(username: &str, package: Package) -> BTreeMap<String, Decimal> {
    let cast = personas::cast(personas::DEFAULT_SEED, as_of());
    let persona = cast
        .iter()
        .find(|p| p.username == username)
        .unwrap_or_else(|| panic!("no persona {username}"));
    let card: serde_json::Map<String, serde_json::Value> =
        engine::package(package, persona, as_of(), &Scope::default())
            .into_iter()
            .map(|a| (a.name, a.value.to_json()))
            .collect();
    attributes_from_json(&serde_json::Value::Object(card))
}

/// The cents the engine computed, not through JSON.
fn sandbox_money(username: &str, package: Package, name: &str) -> Decimal {
    let cast = personas::cast(personas::DEFAULT_SEED, as_of());
    let persona = cast.iter().find(|p| p.username == username).unwrap();
    let attribute = engine::package(package, persona, as_of(), &Scope::default())
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{} has no {name}", package.title()));
    match attribute.value {
        AttrValue::Money(cents) => Decimal::new(cents, 2),
        other => panic!("{name} is {other:?}"),
    }
}

#[test]
fn income_read_from_lending_is_the_total_income_attribute() {
    let a = sandbox_attributes("salaried_biweekly", Package::Lending);
    let request = LoanRequest::personal(d("15000"), d("8.99"), 5);
    let r = assess(&request, &a, &defaults()).unwrap();
    let total = sandbox_money(
        "salaried_biweekly",
        Package::Lending,
        "average_monthly_total_income_complex",
    );
    assert!(total > Decimal::ZERO);
    assert_eq!(r.monthly_income, Some(total));
    assert_eq!(
        r.sources[0].names(),
        ["average_monthly_total_income_complex"]
    );
    let loans = sandbox_money(
        "salaried_biweekly",
        Package::Lending,
        "average_monthly_loan_payments_complex",
    );
    // salaried_biweekly pays an auto loan.
    assert!(loans > Decimal::ZERO);
    assert_eq!(r.monthly_debts, Some(loans));
}

#[test]
fn income_from_packages_without_the_total_is_its_two_parts() {
    for package in [Package::Income, Package::CreditRisk, Package::UserAnalysis] {
        let a = sandbox_attributes("salaried_biweekly", package);
        let employer = sandbox_money(
            "salaried_biweekly",
            package,
            "average_monthly_employer_income_complex",
        );
        let other = sandbox_money(
            "salaried_biweekly",
            package,
            "average_monthly_non_employer_income_complex",
        );
        let read = AttributeMap::flinks()
            .read(Role::MonthlyIncome, &a)
            .unwrap();
        assert_eq!(read.value, employer + other, "{}", package.title());
        // The same income as Lending's total, but for the cent each part was rounded to.
        let total = sandbox_money(
            "salaried_biweekly",
            Package::Lending,
            "average_monthly_total_income_complex",
        );
        assert!(
            (read.value - total).abs() <= d("0.01"),
            "{}",
            package.title()
        );
    }
}

#[test]
fn a_government_income_file_has_income_without_payroll() {
    // No employer: payroll alone would have no income to divide by.
    let a = sandbox_attributes("government_income", Package::Lending);
    let r = assess(
        &LoanRequest::personal(d("5000"), d("9.99"), 3),
        &a,
        &defaults(),
    )
    .unwrap();
    assert_eq!(
        sandbox_money(
            "government_income",
            Package::Lending,
            "average_monthly_employer_income_complex"
        ),
        Decimal::ZERO
    );
    assert_eq!(
        r.monthly_income,
        Some(sandbox_money(
            "government_income",
            Package::Lending,
            "average_monthly_total_income_complex"
        ))
    );
    assert!(r.monthly_income.unwrap() > Decimal::ZERO);
}

#[test]
fn a_mortgage_holder_refinancing_from_credit_risk() {
    let a = sandbox_attributes("high_income_saver", Package::CreditRisk);
    let loans = sandbox_money(
        "high_income_saver",
        Package::CreditRisk,
        "average_monthly_loan_payments_complex",
    );
    let mortgage = sandbox_money(
        "high_income_saver",
        Package::CreditRisk,
        "average_monthly_mortgage_payments_complex",
    );
    assert!(mortgage > Decimal::ZERO);
    let request = LoanRequest {
        replaces_existing_mortgage: true,
        property_tax_monthly: Some(d("450")),
        heating_monthly: Some(d("120")),
        ..LoanRequest::mortgage(d("600000"), d("4.79"), 25)
    };
    let r = assess(&request, &a, &defaults()).unwrap();
    assert_eq!(r.monthly_debts, Some(loans - mortgage));
    let kept = LoanRequest {
        replaces_existing_mortgage: false,
        ..request
    };
    assert_eq!(
        assess(&kept, &a, &defaults()).unwrap().monthly_debts,
        Some(loans)
    );
}

#[test]
fn dscr_of_the_sandbox_business_reads_its_business_attributes() {
    let a = sandbox_attributes("small_business", Package::BusinessAnalysis);
    let money = |name| sandbox_money("small_business", Package::BusinessAnalysis, name);
    let revenue = money("average_monthly_operating_income_biz");
    let expenses =
        money("average_monthly_operating_expenses_biz") + money("average_monthly_bank_fees_biz");
    let existing = money("average_monthly_loan_payments_biz");
    assert!(revenue > Decimal::ZERO && expenses > Decimal::ZERO && existing > Decimal::ZERO);
    let request = LoanRequest::business(d("50000"), d("8"), 5);
    let r = assess(&request, &a, &defaults()).unwrap();
    let noi = (revenue - expenses) * Decimal::from(12);
    let service = existing * Decimal::from(12) + r.payment * Decimal::from(12);
    assert_eq!(r.net_operating_income, Some(noi));
    assert_eq!(r.annual_debt_service, Some(service));
    assert_eq!(
        r.dscr,
        Some(
            (noi / service)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        )
    );
}

#[test]
fn the_default_map_names_what_each_listed_package_returns() {
    // Each source's packages are exactly those of the sandbox catalog holding all of its
    // attributes, so the "run …" advice of a missing-attribute error is right.
    for source in AttributeMap::flinks().sources {
        for name in &source.attributes {
            assert!(
                catalog().get(name).is_some(),
                "{name} is not in the catalog"
            );
        }
        let holding: Vec<&str> = Package::ALL
            .into_iter()
            .filter(|&p| {
                let names: Vec<&str> = catalog().package(p).map(|s| s.name.as_str()).collect();
                source
                    .attributes
                    .iter()
                    .all(|a| names.contains(&a.as_str()))
            })
            .map(|p| p.title())
            .collect();
        let mut listed: Vec<&str> = source.packages.iter().map(String::as_str).collect();
        let mut holding_sorted = holding.clone();
        listed.sort_unstable();
        holding_sorted.sort_unstable();
        assert_eq!(listed, holding_sorted, "{:?}", source.attributes);
    }
}
