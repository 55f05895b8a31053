//! The attribute catalog: every attribute's name, packages, unit, category and one-line
//! definition, and how the engine computes it.
//!
//! Attributes come in families: a [`Flow`] (which transactions: payroll deposits, loan
//! payments, merchant-service payouts…) crossed with aggregations ([`Agg`]: sums and counts per
//! calendar month or per window, monthly averages, trends, frequencies…). A name template such as
//! `sum_{k}_{w}` gives each member its Flinks name (flinks-api.md §4.4 where Flinks documents
//! one, the §4.5 grammar otherwise), and the same row gives its unit, definition and
//! computation, so the catalog cannot drift from what the engine returns. The package builders
//! at the end list which families each package holds; a package that holds another (User
//! Analysis holds Income and Credit Risk) calls its builder.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::classify::{Category as C, GovProgram as G, LOAN_PAYMENTS};
use crate::engine::{Bal, Calc, Entry, Flow, Names, Per, Period, Pick, Way};

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
    pub(crate) calc: Calc,
}

/// Every attribute, and which of them each package returns in which order.
#[derive(Debug)]
pub struct Catalog {
    specs: Vec<Spec>,
    index: HashMap<String, usize>,
    members: HashMap<Package, Vec<usize>>,
}

/// The catalog, built once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(build)
}

impl Catalog {
    /// Every attribute, in the All package's order.
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// The attribute of that name, in any case.
    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.index
            .get(&name.trim().to_ascii_lowercase())
            .map(|&i| &self.specs[i])
    }

    /// A package's attributes in its order.
    pub fn package(&self, package: Package) -> impl Iterator<Item = &Spec> {
        let members: &[usize] = match package {
            Package::All => &[],
            p => &self.members[&p],
        };
        let all = (package == Package::All).then_some(self.specs.iter());
        members
            .iter()
            .map(|&i| &self.specs[i])
            .chain(all.into_iter().flatten())
    }
}

// ---- categories: the section names of flinks-api.md §4.4 ----

const OVERVIEW: &str = "Account Overview";
const EMPLOYER: &str = "Employer Income";
const NON_EMPLOYER: &str = "Non-Employer Income";
const LOANS: &str = "Loan Payments";
const BILLS: &str = "Committed Bills";
const RISK: &str = "Additional Risk";
const ACTIVITY: &str = "Primary Account Detection";
const INCOME: &str = "Income Analysis";
const CASH_FLOW: &str = "Predictive Risk and Cash-Flow Analysis";
const LIABILITIES: &str = "Liability Analysis";
const BIZ_LOAN_DEPOSITS: &str = "Loan Deposits Analysis";
const BIZ_EXPENSES: &str = "Operating Expenses Analysis";
const BIZ_LIABILITIES: &str = "Liabilities and Loan Payments Analysis";
const BIZ_FEES: &str = "Fees and Other Expenses";

// ---- flows ----

use Pick::{Is, When};
use Way::{Any, In, Net, Out};

fn own(e: &Entry) -> bool {
    e.category.is_own_transfer()
}

/// Declares the flows, one entry each:
/// `NAME = (key, way, section, pick, "what the transactions are")`.
macro_rules! flows {
    ($($name:ident = ($key:literal, $way:expr, $section:expr, $pick:expr, $what:literal);)*) => {
        $(static $name: Flow = Flow {
            key: $key,
            what: $what,
            section: $section,
            way: $way,
            pick: $pick,
        };)*
    };
}

flows! {
    EMPLOYER_INCOME = ("employer_income", In, EMPLOYER, Is(&[C::EmployerIncome]),
        "payroll deposits from employers");
    GOVERNMENT_INCOME = ("government_income", In, NON_EMPLOYER,
        When(|e| matches!(e.category, C::GovernmentIncome(_))),
        "deposits of government programs (EI, child benefit, pensions, disability, social \
         assistance, WSIB, tax credits)");
    EMPLOYMENT_INSURANCE = ("employment_insurance_income", In, NON_EMPLOYER,
        Is(&[C::GovernmentIncome(G::EmploymentInsurance)]),
        "Employment Insurance (EI) deposits");
    SOCIAL_ASSISTANCE = ("social_assistance_income", In, NON_EMPLOYER,
        Is(&[C::GovernmentIncome(G::SocialAssistance)]),
        "social assistance deposits (Ontario Works, provincial income assistance)");
    WSIB = ("wsib_income", In, NON_EMPLOYER, Is(&[C::GovernmentIncome(G::Wsib)]),
        "workers' compensation deposits (WSIB, WCB, CNESST)");
    PENSION = ("pension_income", In, NON_EMPLOYER, Is(&[C::GovernmentIncome(G::Pension)]),
        "public pension deposits (CPP, QPP, OAS)");
    CHILD_SUPPORT = ("child_support_income_government", In, NON_EMPLOYER,
        Is(&[C::GovernmentIncome(G::ChildBenefit)]),
        "government child benefit deposits (Canada Child Benefit)");
    OTHER_GOVERNMENT = ("other_income", In, NON_EMPLOYER, Is(&[C::GovernmentIncome(G::Other)]),
        "other government deposits (GST/HST credit, carbon rebate, tax refunds)");
    DISABILITY = ("disability_income", In, NON_EMPLOYER, Is(&[C::GovernmentIncome(G::Disability)]),
        "disability benefit deposits (CPP Disability, ODSP, AISH)");
    NON_EMPLOYER_INCOME = ("non_employer_income", In, NON_EMPLOYER,
        When(|e| e.category.is_income() && e.category != C::EmployerIncome),
        "income deposits other than payroll (government programs, transfers from others, \
         card-terminal payouts, gig payouts and other deposits)");
    TOTAL_INCOME = ("total_income", In, INCOME, When(|e| e.category.is_income()),
        "income deposits of every kind (payroll, government programs, transfers from others, \
         card-terminal payouts and other deposits; not loans or own transfers)");
    TOTAL_CREDITS = ("total_credits", In, OVERVIEW, When(|e| e.is_credit() && !own(e)),
        "credits from outside the customer's own accounts (loans included)");
    TOTAL_DEBITS = ("total_debits", Out, OVERVIEW, When(|e| !e.is_credit() && !own(e)),
        "debits to outside the customer's own accounts");
    FREE_CASH_FLOW = ("free_cash_flow", Net, OVERVIEW, When(|e| !own(e)),
        "credits minus debits, transfers between own accounts excluded");
    LOAN_PAYMENTS_ALL = ("loan_payments", Out, LOANS, Is(LOAN_PAYMENTS),
        "loan payments of every kind (auto, mortgage, micro, student, other)");
    AUTO_LOAN_PAYMENTS = ("auto_loan_payments", Out, LOANS, Is(&[C::AutoLoanPayment]),
        "auto loan payments");
    MORTGAGE_PAYMENTS = ("mortgage_payments", Out, LOANS, Is(&[C::MortgagePayment]),
        "mortgage payments");
    MICRO_LOAN_PAYMENTS = ("micro_loan_payments", Out, LOANS, Is(&[C::MicroLoanPayment]),
        "payments to micro-lenders (payday and instalment lenders)");
    STUDENT_LOAN_PAYMENTS = ("student_loan_payments", Out, LOANS, Is(&[C::StudentLoanPayment]),
        "student loan payments");
    OTHER_LOAN_PAYMENTS = ("other_loan_payments", Out, LOANS, Is(&[C::OtherLoanPayment]),
        "payments of other loans and lines of credit");
    UTILITY_PAYMENTS = ("utility_payments", Out, BILLS, Is(&[C::Utility]),
        "utility bills (hydro, gas, water)");
    TELECOM_PAYMENTS = ("telecom_payments", Out, BILLS, Is(&[C::Telecom]),
        "telecom bills (mobile, internet, TV)");
    LOAN_DEPOSITS = ("loan_deposits", In, LIABILITIES, When(|e| e.category.is_loan_deposit()),
        "loan advances deposited by lenders");
    NSF = ("nsf", Out, RISK, Is(&[C::NsfFee]),
        "NSF (non-sufficient funds) fees");
    STOP_PAYMENT = ("stop_payment", Out, RISK, Is(&[C::StopPaymentFee]),
        "stop-payment fees");
    RECURRING_DEPOSITS = ("recurring_deposits", In, CASH_FLOW,
        When(|e| e.recurring && e.is_credit() && !own(e)),
        "deposits from a payer who pays on a schedule (weekly, biweekly or monthly)");
    RECURRING_PAYMENTS = ("recurring_payments", Out, CASH_FLOW,
        When(|e| e.recurring && !e.is_credit() && !own(e)),
        "payments to a payee paid on a schedule (weekly, biweekly or monthly)");
    RECURRING_TRANSFERS_IN = ("recurring_transfers_in", In, CASH_FLOW,
        When(|e| e.recurring && matches!(e.category, C::TransferIn | C::TransferDeposit)),
        "transfers in (from own accounts or e-Transfers from others) that arrive on a schedule");
    RECURRING_TRANSFERS_OUT = ("recurring_transfers_out", Out, CASH_FLOW,
        When(|e| e.recurring && matches!(e.category, C::TransferOut | C::TransferPayment)),
        "transfers out (to own accounts or e-Transfers to others) that leave on a schedule");
    OVERALL_ACTIVITY = ("overall_activity", Any, ACTIVITY, When(|_| true),
        "transactions");
    DEBIT_ACTIVITY = ("debit_activity", Any, ACTIVITY, When(|e| !e.is_credit()),
        "debits");
    CREDIT_ACTIVITY = ("credit_activity", Any, ACTIVITY, When(|e| e.is_credit()),
        "credits");

    // Business flows: what GetBusinessAnalysisAttributes adds up, each under its own section.
    OPERATING_INCOME_BIZ = ("operating_income", In, INCOME,
        When(|e| matches!(e.category, C::OtherIncome | C::TransferDeposit | C::MerchantDeposit)),
        "revenue deposits (card-terminal payouts, transfers and cheques from customers, other \
         deposits; not loans, government programs or own transfers)");
    MERCHANT_DEPOSITS_BIZ = ("merchant_service_provider_deposits", In, INCOME,
        Is(&[C::MerchantDeposit]),
        "payouts of merchant-service providers (Square, Moneris, Stripe and other card \
         terminals and checkouts)");
    TRANSFER_DEPOSITS_BIZ = ("transfer_deposits", In, INCOME, Is(&[C::TransferDeposit]),
        "e-Transfers, wires and EFT credits from others");
    PAYROLL_DEPOSITS_BIZ = ("payroll_deposits", In, INCOME, Is(&[C::EmployerIncome]),
        "payroll deposits from employers");
    LOAN_DEPOSITS_BIZ = ("loan_deposits", In, BIZ_LOAN_DEPOSITS,
        When(|e| e.category.is_loan_deposit()),
        "loan advances deposited by lenders");
    AUTO_LOAN_DEPOSITS_BIZ = ("auto_loan_deposits", In, BIZ_LOAN_DEPOSITS,
        Is(&[C::AutoLoanDeposit]),
        "vehicle loans funded by auto lenders");
    OPERATING_EXPENSES_BIZ = ("operating_expenses", Out, BIZ_EXPENSES,
        When(|e| !e.is_credit() && !own(e) && !e.category.is_loan_payment() && !e.category.is_fee()),
        "business expense payments (debits to others except loan payments and bank fees)");
    PAYROLL_PAYMENTS_BIZ = ("payroll_payments", Out, BIZ_EXPENSES, Is(&[C::PayrollPayment]),
        "payroll payments to employees (direct or through a payroll service)");
    RENT_PAYMENTS_BIZ = ("rent_payments", Out, BIZ_EXPENSES, Is(&[C::Rent]),
        "rent payments");
    UTILITY_PAYMENTS_BIZ = ("utility_payments", Out, BIZ_EXPENSES, Is(&[C::Utility]),
        "utility bills (hydro, gas, water)");
    LOAN_PAYMENTS_BIZ = ("loan_payments", Out, BIZ_LIABILITIES, Is(LOAN_PAYMENTS),
        "loan payments of every kind (term loans, auto, mortgage, micro, other)");
    AUTO_LOAN_PAYMENTS_BIZ = ("auto_loan_payments", Out, BIZ_LIABILITIES, Is(&[C::AutoLoanPayment]),
        "auto loan payments");
    BANK_FEES_BIZ = ("bank_fees", Out, BIZ_FEES, When(|e| e.category.is_fee()),
        "bank fees: NSF, stop-payment, overdraft, account and service charges");
}

const BUSINESS_FLOWS: &[&Flow] = &[
    &OPERATING_INCOME_BIZ,
    &MERCHANT_DEPOSITS_BIZ,
    &TRANSFER_DEPOSITS_BIZ,
    &PAYROLL_DEPOSITS_BIZ,
    &LOAN_DEPOSITS_BIZ,
    &AUTO_LOAN_DEPOSITS_BIZ,
    &OPERATING_EXPENSES_BIZ,
    &PAYROLL_PAYMENTS_BIZ,
    &RENT_PAYMENTS_BIZ,
    &UTILITY_PAYMENTS_BIZ,
    &LOAN_PAYMENTS_BIZ,
    &AUTO_LOAN_PAYMENTS_BIZ,
    &BANK_FEES_BIZ,
];

// ---- aggregations ----

/// What a family member computes from its flow.
#[derive(Debug, Clone, Copy)]
enum Agg {
    Sum(Period),
    Count(Period),
    Average(Per),
    MonthlyCount,
    Trend,
    TrendRatio,
    ActivityTrend,
    Frequency,
    LastTwoDates,
    Has,
}

impl Agg {
    fn calc(self, f: &'static Flow) -> Calc {
        match self {
            Agg::Sum(p) => Calc::Sum(f, p),
            Agg::Count(p) => Calc::Count(f, p),
            Agg::Average(per) => Calc::Average(f, per),
            Agg::MonthlyCount => Calc::MonthlyCount(f),
            Agg::Trend => Calc::Trend(f),
            Agg::TrendRatio => Calc::TrendRatio(f),
            Agg::ActivityTrend => Calc::ActivityTrend(f),
            Agg::Frequency => Calc::Frequency(f),
            Agg::LastTwoDates => Calc::LastTwoDates(f),
            Agg::Has => Calc::Has(f),
        }
    }

    fn unit(self) -> Unit {
        match self {
            Agg::Sum(_) | Agg::Average(_) => Unit::Currency,
            Agg::Count(_) | Agg::MonthlyCount => Unit::Count,
            Agg::Trend | Agg::ActivityTrend | Agg::Frequency | Agg::Has => Unit::Enum,
            Agg::TrendRatio => Unit::Ratio,
            Agg::LastTwoDates => Unit::Date,
        }
    }

    fn period(self) -> Option<Period> {
        match self {
            Agg::Sum(p) | Agg::Count(p) => Some(p),
            _ => None,
        }
    }

    fn define(self, f: &Flow) -> String {
        let what = f.what;
        let trend = "INCREASING or DECREASING beyond 15%, else CONSISTENT";
        match self {
            Agg::Sum(p) => format!("Sum of {what} in {}.", p.phrase()),
            Agg::Count(p) => format!("Number of {what} in {}.", p.phrase()),
            Agg::Average(Per::Month) => format!(
                "Monthly average of {what}: their sum over the last 365 days divided by the months the accounts existed in them (1 to 12)."
            ),
            Agg::Average(Per::Twelve) => format!(
                "Monthly average of {what}: their sum over the last 365 days divided by 12."
            ),
            Agg::Average(Per::Year) => format!(
                "Yearly amount of {what}: their monthly average over the months the accounts existed in the last 365 days, times 12."
            ),
            Agg::Average(Per::Transaction) => {
                format!("Average amount of one of the {what} over the last 365 days.")
            }
            Agg::MonthlyCount => format!(
                "Number of {what} per month: their count over the last 365 days divided by the months the accounts existed in them."
            ),
            Agg::Trend => format!(
                "Trend of {what}: their daily amount over the last 90 days against the 270 days before; {trend}."
            ),
            Agg::TrendRatio => format!(
                "Daily amount of {what} over the last 90 days divided by that of the 270 days before (0 when there were none before)."
            ),
            Agg::ActivityTrend => format!(
                "Trend of the number of {what}: per day over the last 90 days against the 270 days before; {trend}."
            ),
            Agg::Frequency => format!(
                "How often {what} occur, from the gaps between their dates over the last 365 days: Weekly, BiWeekly, Monthly or NONE_DETECTED."
            ),
            Agg::LastTwoDates => format!(
                "Dates of the last two {what} in the last 365 days (YYYY/MM/DD, latest first), or NONE_DETECTED."
            ),
            Agg::Has => format!("YES when there were {what} in the last 365 days, else NO."),
        }
    }
}

/// The calendar months `current_month`, `previous_month`, `2_months_ago` … up to `n − 1`.
fn months(n: u32) -> Vec<Period> {
    (0..n).map(Period::Month).collect()
}

/// Windows of the last N days.
fn days(ns: &[i64]) -> Vec<Period> {
    ns.iter().map(|&n| Period::Days(n)).collect()
}

const SHORT_WINDOWS: &[i64] = &[30, 60, 90];
const ALL_WINDOWS: &[i64] = &[30, 60, 90, 180, 365];

/// What Lending reports on each income source (flinks-api.md §4.4, Lending: "average monthly
/// complex, average amount, total detected, frequency, trend, last two deposit dates").
const INCOME_SOURCE: &[(&str, Agg)] = &[
    ("average_monthly_{k}_complex", Agg::Average(Per::Month)),
    ("average_monthly_{k}", Agg::Average(Per::Twelve)),
    ("average_{k}_deposit", Agg::Average(Per::Transaction)),
    ("sum_{k}", Agg::Sum(Period::Days(365))),
    ("{k}_trend_simple", Agg::Trend),
    ("{k}_frequency", Agg::Frequency),
    ("last_2_deposit_dates_{k}", Agg::LastTwoDates),
];

/// What Business Analysis reports on each business flow (flinks-api.md §4.4, Business
/// Analysis); `{each}` is `deposit` for money in and `payment` for money out.
const BUSINESS_SUMMARY: &[(&str, Agg)] = &[
    ("average_monthly_{k}_biz", Agg::Average(Per::Month)),
    ("average_{k}_{each}_biz", Agg::Average(Per::Transaction)),
    ("{k}_trend_biz", Agg::TrendRatio),
    ("{k}_trend_simple_biz", Agg::Trend),
    ("{k}_frequency_biz", Agg::Frequency),
    ("last_2_{each}_dates_{k}_biz", Agg::LastTwoDates),
    ("sum_{k}_{w}_biz", Agg::Sum(Period::Days(365))),
];

/// A name from a template: `{k}` the flow's key, `{w}` the period's suffix, `{each}` deposit
/// or payment.
fn fill(template: &str, f: &Flow, period: Option<Period>) -> String {
    let each = match f.way {
        In => "deposit",
        Out => "payment",
        Net | Any => "transaction",
    };
    let name = template.replace("{k}", f.key).replace("{each}", each);
    match period {
        Some(p) => name.replace("{w}", &p.suffix()),
        None => name,
    }
}

// ---- the registry the package builders fill ----

#[derive(Default)]
struct Registry {
    specs: Vec<Spec>,
    index: HashMap<String, usize>,
    members: HashMap<Package, Vec<usize>>,
    /// The package being built.
    package: Option<Package>,
}

impl Registry {
    fn build(&mut self, package: Package, builder: fn(&mut Registry)) {
        self.package = Some(package);
        self.members.entry(package).or_default();
        builder(self);
    }

    /// Adds an attribute to the package being built; one already in the catalog under that
    /// name joins the package as it is.
    fn add(
        &mut self,
        name: String,
        unit: Unit,
        category: &'static str,
        definition: String,
        calc: Calc,
    ) {
        let package = self
            .package
            .expect("attributes are added by a package builder");
        let i = match self.index.get(&name) {
            Some(&i) => {
                debug_assert_eq!(
                    self.specs[i].definition, definition,
                    "{name} is defined twice"
                );
                i
            }
            None => {
                self.specs.push(Spec {
                    name: name.clone(),
                    packages: Vec::new(),
                    unit,
                    category,
                    definition,
                    calc,
                });
                self.index.insert(name, self.specs.len() - 1);
                self.specs.len() - 1
            }
        };
        let members = self.members.entry(package).or_default();
        if !members.contains(&i) {
            members.push(i);
            self.specs[i].packages.push(package);
        }
    }

    /// One family member: `agg` of `f`, named by the template.
    fn one(&mut self, template: &str, agg: Agg, f: &'static Flow) {
        let name = fill(template, f, agg.period());
        self.add(name, agg.unit(), f.section, agg.define(f), agg.calc(f));
    }

    /// The family members of `f` for each period.
    fn each(
        &mut self,
        template: &str,
        agg: fn(Period) -> Agg,
        f: &'static Flow,
        periods: &[Period],
    ) {
        for &p in periods {
            self.one(template, agg(p), f);
        }
    }

    /// A table of (template, aggregation) rows applied to `f`.
    fn table(&mut self, rows: &[(&str, Agg)], f: &'static Flow) {
        for &(template, agg) in rows {
            self.one(template, agg, f);
        }
    }

    /// `sum_{k}_<month>` then `count_{k}_<month>` for the months, with a name suffix.
    fn monthly(&mut self, f: &'static Flow, n: u32, suffix: &str) {
        self.each(&format!("sum_{{k}}_{{w}}{suffix}"), Agg::Sum, f, &months(n));
        self.each(
            &format!("count_{{k}}_{{w}}{suffix}"),
            Agg::Count,
            f,
            &months(n),
        );
    }
}

fn build() -> Catalog {
    let mut r = Registry::default();
    r.build(Package::Income, income);
    r.build(Package::CreditRisk, credit_risk);
    r.build(Package::UserAnalysis, user_analysis);
    r.build(Package::Lending, lending);
    r.build(Package::BusinessAnalysis, business_analysis);
    for spec in &mut r.specs {
        spec.packages.sort_unstable();
        spec.packages.push(Package::All);
    }
    Catalog {
        specs: r.specs,
        index: r.index,
        members: r.members,
    }
}

// ---- the packages ----

/// An attribute that is not a family member: balances, names, ages.
struct Single {
    name: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
    calc: Calc,
}

const fn single(
    name: &'static str,
    unit: Unit,
    category: &'static str,
    definition: &'static str,
    calc: Calc,
) -> Single {
    Single {
        name,
        unit,
        category,
        definition,
        calc,
    }
}

#[rustfmt::skip]
const SINGLES: &[Single] = &[
    single("balance_current", Unit::Currency, OVERVIEW,
        "End-of-day balance of the primary account on the data's last day.",
        Calc::Balance(Bal::Current)),
    single("balance_90_days_ago", Unit::Currency, OVERVIEW,
        "End-of-day balance of the primary account 90 days before the data's last day.",
        Calc::Balance(Bal::DaysAgo(90))),
    single("balance_min", Unit::Currency, OVERVIEW,
        "Lowest end-of-day balance of the primary account (the busiest chequing account) over \
         the last 90 days.",
        Calc::Balance(Bal::Min)),
    single("balance_max", Unit::Currency, OVERVIEW,
        "Highest end-of-day balance of the primary account over the last 90 days.",
        Calc::Balance(Bal::Max)),
    single("average_daily_balance_90_days", Unit::Currency, OVERVIEW,
        "Average end-of-day balance of the primary account over the last 90 days.",
        Calc::Balance(Bal::Average)),
    single("count_days_negative_balance_90_days", Unit::Days, OVERVIEW,
        "Days of the last 90 on which the primary account's end-of-day balance was below zero.",
        Calc::Balance(Bal::NegativeDays)),
    single("balance_trend_simple", Unit::Enum, OVERVIEW,
        "The primary account's average end-of-day balance over the last 90 days against the 90 \
         days before; INCREASING or DECREASING beyond 15%, else CONSISTENT.",
        Calc::Balance(Bal::Trend)),
    single("account_age_days", Unit::Days, OVERVIEW,
        "Days from the opening of the oldest account in scope to the data's last day.",
        Calc::AccountAge),
    single("account_age", Unit::Days, OVERVIEW,
        "Days from the opening of the oldest account in scope to the data's last day (the older \
         name of account_age_days).",
        Calc::AccountAge),
    single("employer_name", Unit::Text, EMPLOYER,
        "Employer whose payroll deposits are the most frequent over the last 365 days (ties: the \
         larger total); NONE_DETECTED when there are none.",
        Calc::Name(Names::Employers, 0)),
    single("secondary_employer_name", Unit::Text, EMPLOYER,
        "Employer with the second most payroll deposits over the last 365 days; NONE_DETECTED \
         when there is no second one.",
        Calc::Name(Names::Employers, 1)),
    single("count_distinct_employers", Unit::Count, EMPLOYER,
        "Number of employers that paid payroll deposits in the last 365 days; the detail lists \
         the latest deposit of each.",
        Calc::CountDistinct(Names::Employers)),
    single("micro_lender_name", Unit::Text, RISK,
        "Micro-lender seen on the most transactions over the last 365 days; NONE_DETECTED when \
         there is none.",
        Calc::Name(Names::MicroLenders, 0)),
    single("count_distinct_micro_lenders", Unit::Count, RISK,
        "Number of micro-lenders seen in the last 365 days; the detail lists the latest \
         transaction with each.",
        Calc::CountDistinct(Names::MicroLenders)),
    single("count_active_days", Unit::Days, ACTIVITY,
        "Days of the last 365 with at least one transaction; the detail lists the first \
         transaction of each.",
        Calc::ActiveDays),
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
            self.add(s.name.to_owned(), s.unit, s.category, definition, s.calc);
        }
    }

    /// `average_monthly_{k}_complex` of each flow.
    fn complex(&mut self, flows: &[&'static Flow]) {
        for &f in flows {
            self.one("average_monthly_{k}_complex", Agg::Average(Per::Month), f);
        }
    }
}

fn employer_overview(r: &mut Registry) {
    r.singles(&["employer_name"]);
    r.complex(&[&EMPLOYER_INCOME]);
    r.one("{k}_trend_simple", Agg::Trend, &EMPLOYER_INCOME);
    r.monthly(&EMPLOYER_INCOME, 13, "");
}

fn free_cash_flow(r: &mut Registry) {
    r.one(
        "average_monthly_{k}",
        Agg::Average(Per::Twelve),
        &FREE_CASH_FLOW,
    );
}

/// GetIncomeAttributes, as flinks-api.md §4.4 lists it.
fn income(r: &mut Registry) {
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
        r.each("sum_{k}_{w}", Agg::Sum, f, &days(&[90]));
    }
    r.each("sum_{k}_{w}", Agg::Sum, &TOTAL_INCOME, &months(13));
    r.each("sum_{k}_{w}", Agg::Sum, &TOTAL_CREDITS, &months(13));
    r.singles(&["account_age_days"]);
    free_cash_flow(r);
}

/// GetCreditRiskAttributes, as flinks-api.md §4.4 lists it, in its order.
fn credit_risk(r: &mut Registry) {
    // Account overview.
    r.singles(&["balance_min", "count_days_negative_balance_90_days"]);
    free_cash_flow(r);
    r.singles(&["balance_trend_simple"]);
    employer_overview(r);
    // Non-employer income.
    r.complex(&[&NON_EMPLOYER_INCOME, &GOVERNMENT_INCOME]);
    r.one("total_deposits_trend_simple", Agg::Trend, &TOTAL_CREDITS);
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
    r.each("count_{k}_{w}", Agg::Count, &NSF, &days(&[90]));
    r.each("count_{k}_{w}", Agg::Count, &STOP_PAYMENT, &days(&[90]));
    r.singles(&["micro_lender_name"]);
    r.one(
        "average_monthly_debit",
        Agg::Average(Per::Month),
        &TOTAL_DEBITS,
    );
    r.singles(&["account_age_days"]);
}

/// GetUserAnalysisAttributes: Income, Credit Risk and the primary-account layer.
fn user_analysis(r: &mut Registry) {
    income(r);
    credit_risk(r);
    r.singles(&["count_active_days"]);
    for f in [&OVERALL_ACTIVITY, &DEBIT_ACTIVITY, &CREDIT_ACTIVITY] {
        r.one("{k}_trend_simple", Agg::ActivityTrend, f);
    }
    r.one("has_{k}", Agg::Has, &EMPLOYER_INCOME);
    r.complex(&[&RECURRING_PAYMENTS]);
    r.one("sum_{k}", Agg::Sum(Period::Days(365)), &LOAN_PAYMENTS_ALL);
    r.one("sum_{k}", Agg::Sum(Period::Days(365)), &EMPLOYER_INCOME);
}

/// GetLendingAttributes: the names flinks-api.md §4.4 lists for Lending, and their families.
fn lending(r: &mut Registry) {
    // Income analysis: total income, then each source.
    r.complex(&[&TOTAL_INCOME]);
    r.one("sum_{k}", Agg::Sum(Period::Days(365)), &TOTAL_INCOME);
    r.each("sum_{k}_{w}", Agg::Sum, &TOTAL_INCOME, &months(3));
    r.each("count_{k}_{w}", Agg::Count, &TOTAL_INCOME, &months(3));
    employer_overview(r);
    r.singles(&["secondary_employer_name", "count_distinct_employers"]);
    r.one(
        "estimated_annual_net_{k}",
        Agg::Average(Per::Year),
        &EMPLOYER_INCOME,
    );
    for f in [&EMPLOYER_INCOME, &GOVERNMENT_INCOME, &NON_EMPLOYER_INCOME] {
        r.table(INCOME_SOURCE, f);
        r.each("sum_{k}_{w}", Agg::Sum, f, &days(ALL_WINDOWS));
        r.each("sum_{k}_{w}", Agg::Sum, f, &months(3));
    }
    for f in [&EMPLOYMENT_INSURANCE, &DISABILITY] {
        r.each("sum_{k}_{w}", Agg::Sum, f, &months(3));
    }
    r.each("sum_disability_{w}", Agg::Sum, &DISABILITY, &days(&[60]));
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
    r.each("{k}_{w}", Agg::Sum, &TOTAL_DEBITS, &days(&[30]));
    r.each("{k}_{w}", Agg::Sum, &TOTAL_CREDITS, &days(&[30]));
    r.singles(&["account_age", "account_age_days", "count_active_days"]);
    // Specific risk: NSF fees and micro-loans.
    r.each("count_{k}_{w}", Agg::Count, &NSF, &days(SHORT_WINDOWS));
    r.each("sum_{k}_{w}", Agg::Sum, &NSF, &days(SHORT_WINDOWS));
    r.one("average_monthly_{k}_fees_count", Agg::MonthlyCount, &NSF);
    r.each("count_{k}_{w}", Agg::Count, &STOP_PAYMENT, &days(&[90]));
    r.singles(&["micro_lender_name", "count_distinct_micro_lenders"]);
    r.one(
        "average_micro_loan_payment",
        Agg::Average(Per::Transaction),
        &MICRO_LOAN_PAYMENTS,
    );
    r.complex(&[&MICRO_LOAN_PAYMENTS]);
    r.each("sum_{k}_{w}", Agg::Sum, &MICRO_LOAN_PAYMENTS, &months(3));
    r.each(
        "sum_{k}_{w}",
        Agg::Sum,
        &MICRO_LOAN_PAYMENTS,
        &days(SHORT_WINDOWS),
    );
    // Predictive risk and cash flow: what comes and goes on a schedule, balances on paydays.
    r.each("{k}_{w}", Agg::Sum, &RECURRING_DEPOSITS, &months(3));
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
                Calc::Balance(Bal::ClosingOn(f, offset)),
            );
        }
    }
    // Liabilities: loans paid and received.
    r.complex(&[&LOAN_PAYMENTS_ALL]);
    for f in [&LOAN_PAYMENTS_ALL, &LOAN_DEPOSITS] {
        r.each("sum_{k}_{w}", Agg::Sum, f, &months(3));
        r.each("count_{k}_{w}", Agg::Count, f, &months(3));
        r.each("sum_{k}_{w}", Agg::Sum, f, &days(ALL_WINDOWS));
    }
    for f in [&TELECOM_PAYMENTS, &OTHER_LOAN_PAYMENTS, &UTILITY_PAYMENTS] {
        r.one("{k}_average", Agg::Average(Per::Transaction), f);
    }
    r.complex(&[&GOVERNMENT_INCOME]);
}

/// GetBusinessAnalysisAttributes: for each business flow its summary and 13 months of sums
/// and counts.
fn business_analysis(r: &mut Registry) {
    for &f in BUSINESS_FLOWS {
        r.table(BUSINESS_SUMMARY, f);
        r.monthly(f, 13, "_biz");
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::NaiveDate;

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
            .map(|k| format!("{prefix}_{}", crate::engine::month_suffix(k)))
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
}
