//! The arithmetic: the payment at the qualifying rate, then GDS and TDS or DSCR, each figure
//! with its formula.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::annuity;
use super::attributes::{AttributeMap, Role, SourceReading};
use super::error::AffordabilityError;
use super::formula::{dollars, percent, round2, times, FigureUnit, Formula};
use super::inputs::{AffordabilitySettings, FileKind, LoanRequest};
use super::{qualifying_rate, Affordability, WithinLimits};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;
const TWELVE: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

pub(super) struct Payment {
    /// To the cent.
    pub payment: Decimal,
    /// Per payment, a fraction.
    pub periodic_rate: Decimal,
    pub payments: u32,
}

fn checked(step: &str, value: Option<Decimal>) -> Result<Decimal, AffordabilityError> {
    value.ok_or_else(|| AffordabilityError::Overflow {
        step: step.to_owned(),
    })
}

pub(super) fn payment(
    request: &LoanRequest,
    annual_rate: Decimal,
) -> Result<Payment, AffordabilityError> {
    let periodic_rate = checked(
        "the periodic rate",
        annuity::periodic_rate(annual_rate, request.compounding, request.payments_per_year),
    )?;
    let payments = request.amortization_years * request.payments_per_year;
    let exact = checked(
        "the payment",
        annuity::payment(request.amount, periodic_rate, payments),
    )?;
    let payment = round2(exact);
    // A payment that rounds to nothing would leave DSCR's debt service at zero.
    if payment.is_zero() {
        return Err(AffordabilityError::InvalidLoan {
            field: "amount".to_owned(),
            value: request.amount.to_string(),
            expected: "large enough for a payment of at least a cent".to_owned(),
        });
    }
    Ok(Payment {
        payment,
        periodic_rate,
        payments,
    })
}

pub(super) fn compute(
    map: &AttributeMap,
    request: &LoanRequest,
    attributes: &BTreeMap<String, Decimal>,
    settings: &AffordabilitySettings,
) -> Result<Affordability, AffordabilityError> {
    let rate = qualifying_rate(request.annual_rate, settings);
    let pay = payment(request, rate)?;
    let per_year = Decimal::from(request.payments_per_year);
    let monthly_payment = round2(checked(
        "the monthly payment",
        pay.payment
            .checked_mul(per_year)
            .and_then(|y| y.checked_div(TWELVE)),
    )?);
    let mut out = Affordability {
        request: request.clone(),
        settings: settings.clone(),
        qualifying_rate: rate,
        payment: pay.payment,
        monthly_payment,
        housing_costs: None,
        monthly_income: None,
        monthly_debts: None,
        gds: None,
        tds: None,
        net_operating_income: None,
        annual_debt_service: None,
        dscr: None,
        within_limits: WithinLimits {
            gds: None,
            tds: None,
            dscr: None,
            all: false,
        },
        sources: Vec::new(),
        formulas: vec![
            qualifying_formula(request, settings, rate),
            payment_formula(request, rate, &pay),
        ],
    };
    if request.payments_per_year != 12 {
        out.formulas.push(Formula::new(
            "Monthly P&I",
            "Monthly P&I = payment × payments per year / 12",
            format!(
                "{} × {} / 12 = {}",
                dollars(pay.payment),
                request.payments_per_year,
                dollars(monthly_payment)
            ),
            monthly_payment,
            FigureUnit::Dollars,
        ));
    }
    match request.file {
        FileKind::Personal => personal(&mut out, map, attributes)?,
        FileKind::Business => business(&mut out, map, attributes)?,
    }
    let w = &mut out.within_limits;
    w.all = [w.gds, w.tds, w.dscr].into_iter().flatten().all(|ok| ok);
    Ok(out)
}

fn personal(
    out: &mut Affordability,
    map: &AttributeMap,
    attributes: &BTreeMap<String, Decimal>,
) -> Result<(), AffordabilityError> {
    let request = &out.request;
    let settings = &out.settings;
    let income = map.read(Role::MonthlyIncome, attributes)?;
    if income.value <= Decimal::ZERO {
        return Err(AffordabilityError::NoIncome {
            value: income.value,
            attributes: income.names(),
        });
    }
    let loans = map.read(Role::MonthlyDebtPayments, attributes)?;
    let mortgage = match request.replaces_existing_mortgage {
        true => Some(map.read(Role::MonthlyMortgagePayments, attributes)?),
        false => None,
    };
    let other = request.other_debts_monthly.unwrap_or_default();
    let replaced = mortgage.as_ref().map_or(Decimal::ZERO, |m| m.value);
    // A map other than the default could read a mortgage larger than the loan total it is
    // part of; debts below zero would lower TDS under GDS.
    let debts = checked(
        "the monthly debts",
        loans
            .value
            .checked_sub(replaced)
            .map(|d| d.max(Decimal::ZERO))
            .and_then(|d| d.checked_add(other)),
    )?;

    let tax = request.property_tax_monthly.unwrap_or_default();
    let heating = request.heating_monthly.unwrap_or_default();
    let condo = request.condo_fees_monthly.unwrap_or_default();
    let condo_share = round2(checked(
        "the condo fee share",
        condo
            .checked_mul(settings.condo_fee_share)
            .and_then(|c| c.checked_div(HUNDRED)),
    )?);
    let housing = checked(
        "the housing costs",
        [tax, heating, condo_share]
            .into_iter()
            .try_fold(out.monthly_payment, |sum, x| sum.checked_add(x)),
    )?;
    let ratio = |step: &str, costs: Decimal| {
        checked(
            step,
            costs
                .checked_div(income.value)
                .and_then(|r| r.checked_mul(HUNDRED))
                .map(round2),
        )
    };
    let gds = ratio("GDS", housing)?;
    let tds = ratio("TDS", checked("TDS", housing.checked_add(debts))?)?;
    let gds_ok = gds <= settings.gds_limit;
    let tds_ok = tds <= settings.tds_limit;

    let mut formulas = vec![reading_formula("Monthly income", &income)];
    formulas.push(debts_formula(&loans, mortgage.as_ref(), other, debts));
    let share = percent(settings.condo_fee_share);
    formulas.push(
        Formula::new(
            "GDS",
            format!(
                "GDS = (monthly P&I at the qualifying rate + property tax + heating + {share} of \
                 condo fees) / monthly income × 100"
            ),
            format!(
                "({} + {} + {} + {share} × {}) / {} × 100 = {}",
                dollars(out.monthly_payment),
                dollars(tax),
                dollars(heating),
                dollars(condo),
                dollars(income.value),
                percent(gds)
            ),
            gds,
            FigureUnit::Percent,
        )
        .held_to(settings.gds_limit, gds_ok),
    );
    formulas.push(
        Formula::new(
            "TDS",
            "TDS = (GDS housing costs + monthly debts) / monthly income × 100",
            format!(
                "({} + {}) / {} × 100 = {}",
                dollars(housing),
                dollars(debts),
                dollars(income.value),
                percent(tds)
            ),
            tds,
            FigureUnit::Percent,
        )
        .held_to(settings.tds_limit, tds_ok),
    );

    out.housing_costs = Some(housing);
    out.monthly_income = Some(income.value);
    out.monthly_debts = Some(debts);
    out.gds = Some(gds);
    out.tds = Some(tds);
    out.within_limits.gds = Some(gds_ok);
    out.within_limits.tds = Some(tds_ok);
    out.sources.push(income);
    out.sources.push(loans);
    out.sources.extend(mortgage);
    out.formulas.extend(formulas);
    Ok(())
}

fn business(
    out: &mut Affordability,
    map: &AttributeMap,
    attributes: &BTreeMap<String, Decimal>,
) -> Result<(), AffordabilityError> {
    let revenue = map.read(Role::MonthlyRevenue, attributes)?;
    let expenses = map.read(Role::MonthlyOperatingExpenses, attributes)?;
    let existing = map.read(Role::MonthlyBusinessDebtPayments, attributes)?;
    let per_year = out.request.payments_per_year;
    let noi = checked(
        "the net operating income",
        revenue
            .value
            .checked_sub(expenses.value)
            .and_then(|m| m.checked_mul(TWELVE)),
    )?;
    let new_loan = checked(
        "the annual debt service",
        out.payment.checked_mul(Decimal::from(per_year)),
    )?;
    let debt_service = checked(
        "the annual debt service",
        existing
            .value
            .checked_mul(TWELVE)
            .and_then(|e| e.checked_add(new_loan)),
    )?;
    // Positive: the new loan's payment is at least a cent (see `payment`).
    let dscr = checked("DSCR", noi.checked_div(debt_service).map(round2))?;
    let minimum = out.settings.dscr_minimum;
    let dscr_ok = dscr >= minimum;

    out.formulas.extend([
        reading_formula("Monthly revenue", &revenue),
        reading_formula("Monthly operating expenses", &expenses),
        reading_formula("Existing monthly loan payments", &existing),
        Formula::new(
            "Net operating income",
            "Net operating income = 12 × (monthly revenue − monthly operating expenses)",
            format!(
                "12 × ({} − {}) = {}",
                dollars(revenue.value),
                dollars(expenses.value),
                dollars(noi)
            ),
            noi,
            FigureUnit::Dollars,
        ),
        Formula::new(
            "Annual debt service",
            "Annual debt service = 12 × existing monthly loan payments + payment at the \
             qualifying rate × payments per year",
            format!(
                "12 × {} + {} × {per_year} = {}",
                dollars(existing.value),
                dollars(out.payment),
                dollars(debt_service)
            ),
            debt_service,
            FigureUnit::Dollars,
        ),
        Formula::new(
            "DSCR",
            "DSCR = net operating income / annual debt service",
            format!(
                "{} / {} = {}",
                dollars(noi),
                dollars(debt_service),
                times(dscr)
            ),
            dscr,
            FigureUnit::Times,
        )
        .held_to(minimum, dscr_ok),
    ]);
    out.net_operating_income = Some(noi);
    out.annual_debt_service = Some(debt_service);
    out.dscr = Some(dscr);
    out.within_limits.dscr = Some(dscr_ok);
    out.sources.extend([revenue, expenses, existing]);
    Ok(())
}

fn qualifying_formula(
    request: &LoanRequest,
    settings: &AffordabilitySettings,
    rate: Decimal,
) -> Formula {
    Formula::new(
        "Qualifying rate",
        "Qualifying rate = max(contract rate + stress add, floor)",
        format!(
            "max({} + {}, {}) = {}",
            percent(request.annual_rate),
            percent(settings.stress_add),
            percent(settings.stress_floor_rate),
            percent(rate)
        ),
        rate,
        FigureUnit::Percent,
    )
}

fn payment_formula(request: &LoanRequest, rate: Decimal, pay: &Payment) -> Formula {
    let m = request.compounding.per_year();
    let p = request.payments_per_year;
    let (rule, worked) = if m == p {
        (
            format!("i = qualifying rate / {m}"),
            format!("i = {}% / {m}", rate.normalize()),
        )
    } else {
        (
            format!("i = (1 + qualifying rate / {m})^({m} / {p}) − 1"),
            format!("i = (1 + {}% / {m})^({m} / {p}) − 1", rate.normalize()),
        )
    };
    let i = pay.periodic_rate.round_dp(10);
    Formula::new(
        "Payment",
        format!(
            "Payment = amount × i / (1 − (1 + i)^−n), where {rule} ({}) and n = amortization \
             years × payments per year",
            request.compounding.describe()
        ),
        format!(
            "{worked} = {i}; n = {} × {p} = {}; {} × {i} / (1 − {}^−{}) = {}",
            request.amortization_years,
            pay.payments,
            dollars(request.amount),
            Decimal::ONE + i,
            pay.payments,
            dollars(pay.payment)
        ),
        pay.payment,
        FigureUnit::Dollars,
    )
}

/// "Monthly income = a + b" with "$x + $y = $z".
fn reading_formula(name: &str, reading: &SourceReading) -> Formula {
    let names = reading.names().join(" + ");
    let values: Vec<String> = reading
        .attributes
        .iter()
        .map(|a| dollars(a.value))
        .collect();
    let with_numbers = match values.as_slice() {
        [one] => format!("{names} = {one}"),
        many => format!("{} = {}", many.join(" + "), dollars(reading.value)),
    };
    Formula::new(
        name,
        format!("{name} = {names}"),
        with_numbers,
        reading.value,
        FigureUnit::Dollars,
    )
}

fn debts_formula(
    loans: &SourceReading,
    mortgage: Option<&SourceReading>,
    other: Decimal,
    debts: Decimal,
) -> Formula {
    let mut rule = format!("Monthly debts = {}", loans.names().join(" + "));
    let mut worked = dollars(loans.value);
    if let Some(m) = mortgage {
        rule.push_str(&format!(
            " − {} (replaced by the new loan)",
            m.names().join(" + ")
        ));
        worked.push_str(&format!(" − {}", dollars(m.value)));
    }
    rule.push_str(" + other monthly debts (typed)");
    worked.push_str(&format!(" + {} = {}", dollars(other), dollars(debts)));
    Formula::new("Monthly debts", rule, worked, debts, FigureUnit::Dollars)
}
