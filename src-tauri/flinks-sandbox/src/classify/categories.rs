//! What a transaction can be: the categories classification gives, and the questions the
//! attributes ask of them (income? a loan payment? a fee?).

use Category as C;

/// What a transaction is, as the attributes engine needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    EmployerIncome,
    GovernmentIncome(GovProgram),
    /// Money in that is neither payroll, government, a transfer nor a card-terminal payout: gig
    /// payouts, cheque deposits, interest, refunds.
    OtherIncome,
    /// Interac e-Transfers, wires and EFT credits from someone else (a person or a customer).
    TransferDeposit,
    /// Payouts of a merchant-service provider (card terminals, online checkout): Square, Moneris,
    /// Stripe…
    MerchantDeposit,
    LoanDeposit,
    /// An auto lender funding a vehicle loan into the account.
    AutoLoanDeposit,
    /// Money moved in from another account of the same customer.
    TransferIn,
    /// Money moved out to another account of the same customer.
    TransferOut,
    AutoLoanPayment,
    MortgagePayment,
    MicroLoanPayment,
    StudentLoanPayment,
    OtherLoanPayment,
    Utility,
    Telecom,
    NsfFee,
    StopPaymentFee,
    OverdraftFee,
    /// Account, plan and service fees of the bank.
    BankFee,
    CreditCardPayment,
    Rent,
    /// Payroll a business pays out to its employees (through a payroll service).
    PayrollPayment,
    /// Interac e-Transfers and wires sent to someone else.
    TransferPayment,
    Spending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GovProgram {
    EmploymentInsurance,
    ChildBenefit,
    Pension,
    SocialAssistance,
    Disability,
    Wsib,
    Other,
}

/// Every kind of loan payment (what `average_monthly_loan_payments_complex` adds up).
pub const LOAN_PAYMENTS: &[Category] = &[
    Category::AutoLoanPayment,
    Category::MortgagePayment,
    Category::MicroLoanPayment,
    Category::StudentLoanPayment,
    Category::OtherLoanPayment,
];

impl Category {
    pub fn is_loan_payment(self) -> bool {
        LOAN_PAYMENTS.contains(&self)
    }

    /// Moves between the customer's own accounts: neither income nor expense.
    pub fn is_own_transfer(self) -> bool {
        matches!(self, Category::TransferIn | Category::TransferOut)
    }

    /// Money earned or received: payroll, government programs, transfers and payouts from
    /// others, card-terminal payouts, other deposits. Not loans, not own transfers.
    pub fn is_income(self) -> bool {
        matches!(
            self,
            C::EmployerIncome
                | C::GovernmentIncome(_)
                | C::OtherIncome
                | C::TransferDeposit
                | C::MerchantDeposit
        )
    }

    /// A lender funding a loan into the account.
    pub fn is_loan_deposit(self) -> bool {
        matches!(self, C::LoanDeposit | C::AutoLoanDeposit)
    }

    /// What the bank charges: NSF, stop-payment, overdraft and account fees.
    pub fn is_fee(self) -> bool {
        matches!(
            self,
            C::NsfFee | C::StopPaymentFee | C::OverdraftFee | C::BankFee
        )
    }
}
