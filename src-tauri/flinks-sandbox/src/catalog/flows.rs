//! The flows attributes add up, and the section of flinks-api.md §4.4 each family belongs to.

use crate::classify::{Category as C, GovProgram as G, LOAN_PAYMENTS};
use crate::vocabulary::{ClassifiedTransaction, Flow, FlowDirection, TransactionFilter};

// ---- categories: the section names of flinks-api.md §4.4 ----

pub(super) const OVERVIEW: &str = "Account Overview";
pub(super) const EMPLOYER: &str = "Employer Income";
pub(super) const NON_EMPLOYER: &str = "Non-Employer Income";
pub(super) const LOANS: &str = "Loan Payments";
pub(super) const BILLS: &str = "Committed Bills";
pub(super) const RISK: &str = "Additional Risk";
pub(super) const ACTIVITY: &str = "Primary Account Detection";
pub(super) const INCOME: &str = "Income Analysis";
pub(super) const CASH_FLOW: &str = "Predictive Risk and Cash-Flow Analysis";
pub(super) const LIABILITIES: &str = "Liability Analysis";
pub(super) const BIZ_LOAN_DEPOSITS: &str = "Loan Deposits Analysis";
pub(super) const BIZ_EXPENSES: &str = "Operating Expenses Analysis";
pub(super) const BIZ_LIABILITIES: &str = "Liabilities and Loan Payments Analysis";
pub(super) const BIZ_FEES: &str = "Fees and Other Expenses";

// ---- flows ----

use FlowDirection::{Any, In, Net, Out};
use TransactionFilter::{Is, When};

fn own(e: &ClassifiedTransaction) -> bool {
    e.category.is_own_transfer()
}

/// Declares the flows, one entry each:
/// `NAME = (key, direction, section, filter, "what the transactions are")`.
macro_rules! flows {
    ($($name:ident = ($key:literal, $direction:expr, $section:expr, $filter:expr, $what:literal);)*) => {
        $(pub(super) static $name: Flow = Flow {
            key: $key,
            what: $what,
            section: $section,
            direction: $direction,
            filter: $filter,
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

pub(super) const BUSINESS_FLOWS: &[&Flow] = &[
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
