use std::collections::BTreeMap;
use std::str::FromStr;

use serde_json::json;

use super::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, Decimal> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), d(v))).collect()
}

#[test]
fn requests_and_settings_read_numbers_or_strings() {
    let request: LoanRequest = serde_json::from_value(json!({
        "amount": 400000,
        "annualRate": "4.5",
        "amortizationYears": 25,
        "compounding": "semiAnnual",
        "condoFeesMonthly": 312.5,
        "heatingMonthly": ""
    }))
    .unwrap();
    assert_eq!(request.amount, d("400000"));
    assert_eq!(request.annual_rate, d("4.5"));
    assert_eq!(request.payments_per_year, 12);
    assert_eq!(request.file, FileKind::Personal);
    assert_eq!(request.condo_fees_monthly, Some(d("312.5")));
    assert_eq!(request.heating_monthly, None);
    assert!(!request.replaces_existing_mortgage);

    let back: LoanRequest =
        serde_json::from_value(serde_json::to_value(&request).unwrap()).unwrap();
    assert_eq!(back, request);

    // Missing settings take the defaults; the names are camelCase.
    let settings: AffordabilitySettings =
        serde_json::from_value(json!({ "gdsLimit": 35, "stressFloorRate": "5.5" })).unwrap();
    assert_eq!(settings.gds_limit, d("35"));
    assert_eq!(settings.stress_floor_rate, d("5.5"));
    assert_eq!(settings.tds_limit, d("44"));
    assert_eq!(settings.dscr_minimum, d("1.25"));
}

#[test]
fn a_request_must_name_its_compounding() {
    let err = serde_json::from_value::<LoanRequest>(json!({
        "amount": 1000, "annualRate": 5, "amortizationYears": 1
    }))
    .unwrap_err();
    assert!(err.to_string().contains("compounding"), "{err}");
}

#[test]
fn defaults_are_cmhc_and_the_federal_stress_test() {
    let s = AffordabilitySettings::default();
    assert_eq!(
        (
            s.gds_limit,
            s.tds_limit,
            s.stress_floor_rate,
            s.stress_add,
            s.condo_fee_share,
            s.dscr_minimum
        ),
        (d("39"), d("44"), d("5.25"), d("2"), d("50"), d("1.25"))
    );
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn settings_out_of_range_are_named() {
    let cases = [
        (
            AffordabilitySettings {
                gds_limit: d("0"),
                ..Default::default()
            },
            "gdsLimit",
        ),
        (
            AffordabilitySettings {
                tds_limit: d("100.01"),
                ..Default::default()
            },
            "tdsLimit",
        ),
        (
            AffordabilitySettings {
                stress_floor_rate: d("-1"),
                ..Default::default()
            },
            "stressFloorRate",
        ),
        (
            AffordabilitySettings {
                condo_fee_share: d("101"),
                ..Default::default()
            },
            "condoFeeShare",
        ),
        (
            AffordabilitySettings {
                dscr_minimum: d("0"),
                ..Default::default()
            },
            "dscrMinimum",
        ),
    ];
    for (settings, field) in cases {
        match settings.validate() {
            Err(AffordabilityError::InvalidSetting { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // A limit of exactly 100% is allowed.
    let full = AffordabilitySettings {
        gds_limit: d("100"),
        tds_limit: d("100"),
        ..Default::default()
    };
    assert_eq!(full.validate(), Ok(()));
}

#[test]
fn impossible_loans_are_refused_with_the_field() {
    let base = LoanRequest::mortgage(d("400000"), d("4.5"), 25);
    let cases = [
        (
            LoanRequest {
                amount: d("0"),
                ..base.clone()
            },
            "amount",
        ),
        (
            LoanRequest {
                amount: d("-5"),
                ..base.clone()
            },
            "amount",
        ),
        (
            LoanRequest {
                amortization_years: 0,
                ..base.clone()
            },
            "amortizationYears",
        ),
        (
            LoanRequest {
                annual_rate: d("-0.5"),
                ..base.clone()
            },
            "annualRate",
        ),
        (
            LoanRequest {
                payments_per_year: 0,
                ..base.clone()
            },
            "paymentsPerYear",
        ),
        (
            LoanRequest {
                heating_monthly: Some(d("-1")),
                ..base.clone()
            },
            "heatingMonthly",
        ),
    ];
    let income = attrs(&[
        ("average_monthly_total_income_complex", "9000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    for (request, field) in cases {
        let err = assess(&request, &income, &AffordabilitySettings::default()).unwrap_err();
        match &err {
            AffordabilityError::InvalidLoan { field: f, .. } => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
        assert!(err.to_string().contains(field), "{err}");
    }
    // A cent over fifty years has no payment a cent large.
    let crumb = LoanRequest::personal(d("0.01"), d("0"), 50);
    assert!(matches!(
        assess(&crumb, &income, &AffordabilitySettings::default()),
        Err(AffordabilityError::InvalidLoan { .. })
    ));
}

#[test]
fn missing_income_names_every_attribute_tried_and_the_packages() {
    let request = LoanRequest::mortgage(d("400000"), d("4.5"), 25);
    // Employer income alone is half of the second source: not enough.
    let only_payroll = attrs(&[
        ("average_monthly_employer_income_complex", "6000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let err = assess(&request, &only_payroll, &AffordabilitySettings::default()).unwrap_err();
    let AffordabilityError::MissingAttribute {
        role,
        alternatives,
        packages,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*role, Role::MonthlyIncome);
    assert_eq!(alternatives.len(), 2);
    assert!(packages.contains(&"Lending".to_owned()));
    let message = err.to_string();
    for name in [
        "monthly income",
        "average_monthly_total_income_complex",
        "average_monthly_employer_income_complex + average_monthly_non_employer_income_complex",
        "Lending",
    ] {
        assert!(message.contains(name), "{message}");
    }
    // The error travels as JSON with a code.
    let wire = serde_json::to_value(&err).unwrap();
    assert_eq!(wire["code"], "missingAttribute");
    assert_eq!(wire["role"], "monthlyIncome");
}

#[test]
fn zero_income_is_an_error_not_a_division() {
    let request = LoanRequest::personal(d("10000"), d("8"), 3);
    let broke = attrs(&[
        ("average_monthly_total_income_complex", "0"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let err = assess(&request, &broke, &AffordabilitySettings::default()).unwrap_err();
    assert!(
        matches!(err, AffordabilityError::NoIncome { .. }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("average_monthly_total_income_complex"));
}

#[test]
fn attributes_from_json_keeps_numbers_and_numeric_text() {
    let card = json!({
        "Id": "367046b0-7699-483d-94c2-08d9a3d5c70f",
        "average_monthly_total_income_complex": 5105.6,
        "average_monthly_loan_payments_complex": "412.30",
        "employer_name": "NONE_DETECTED",
        "balance_trend_simple": "CONSISTENT",
        "count_nsf_90_days": 2,
        "last_2_deposit_dates_employer_income": "2026/03/13, 2026/02/27"
    });
    let read = attributes_from_json(&card);
    assert_eq!(
        read,
        attrs(&[
            ("average_monthly_total_income_complex", "5105.6"),
            ("average_monthly_loan_payments_complex", "412.30"),
            ("count_nsf_90_days", "2"),
        ])
    );
}

#[test]
fn names_are_matched_in_any_case() {
    let read = AttributeMap::flinks()
        .read(
            Role::MonthlyIncome,
            &attrs(&[("Average_Monthly_Total_Income_Complex", "4000")]),
        )
        .unwrap();
    assert_eq!(read.value, d("4000"));
    assert_eq!(
        read.attributes[0].name,
        "average_monthly_total_income_complex"
    );
}

#[test]
fn a_custom_map_replaces_the_default() {
    // A desk that counts payroll only.
    let mut map = AttributeMap::flinks();
    map.sources.retain(|s| s.role != Role::MonthlyIncome);
    map.sources.push(AttributeSource {
        role: Role::MonthlyIncome,
        attributes: vec!["average_monthly_employer_income_complex".to_owned()],
        packages: vec!["Income".to_owned()],
        note: "payroll only".to_owned(),
    });
    let a = attrs(&[
        ("average_monthly_total_income_complex", "8000"),
        ("average_monthly_employer_income_complex", "5000"),
        ("average_monthly_loan_payments_complex", "0"),
    ]);
    let request = LoanRequest::personal(d("10000"), d("8"), 5);
    let result = assess_with(&map, &request, &a, &AffordabilitySettings::default()).unwrap();
    assert_eq!(result.monthly_income, Some(d("5000")));
    // The map itself is data: it round-trips through JSON.
    let back: AttributeMap = serde_json::from_value(serde_json::to_value(&map).unwrap()).unwrap();
    assert_eq!(back, map);
}

#[test]
fn policy_input_is_flat_numbers_in_percent() {
    let request = LoanRequest {
        property_tax_monthly: Some(d("350")),
        ..LoanRequest::mortgage(d("400000"), d("4.5"), 25)
    };
    let a = attrs(&[
        ("average_monthly_total_income_complex", "10000"),
        ("average_monthly_loan_payments_complex", "600"),
    ]);
    let result = assess(&request, &a, &AffordabilitySettings::default()).unwrap();
    let input = result.to_policy_input();
    assert_eq!(input["qualifyingRate"], json!(6.5));
    assert_eq!(input["payment"], json!(2679.3));
    assert_eq!(input["gds"], json!(30.29));
    assert_eq!(input["tds"], json!(36.29));
    assert_eq!(input["gdsLimit"], json!(39.0));
    assert_eq!(input["dscr"], json!(null));
    assert_eq!(input["dscrWithinLimit"], json!(null));
    assert_eq!(input["withinLimits"], json!(true));
    assert_eq!(input["file"], json!("personal"));
    assert!(input.as_object().unwrap().values().all(|v| !v.is_object()));
    // The formulas show the same figures the policy tests.
    let gds = result.formulas.iter().find(|f| f.name == "GDS").unwrap();
    assert_eq!(gds.value, d("30.29"));
    assert!(
        gds.with_numbers.ends_with("= 30.29%"),
        "{}",
        gds.with_numbers
    );
}
