use super::*;

fn credit(d: &str) -> Category {
    classify(d, true)
}
fn debit(d: &str) -> Category {
    classify(d, false)
}

#[test]
fn every_pattern_is_written_in_normalized_form() {
    let patterns = RULES
        .iter()
        .filter_map(|r| match r.words {
            Words::AnyOf(w) => Some(w),
            Words::MicroLender => None,
        })
        .flatten()
        .chain(MICRO_LENDERS.iter().map(|(w, _)| w))
        .chain(PAYROLL_FILLER);
    for p in patterns {
        assert_eq!(normalize(p).trim(), *p, "pattern {p:?} can never match");
    }
}

#[test]
fn nsf_fee() {
    assert_eq!(debit("NSF FEE"), C::NsfFee);
    assert_eq!(debit("NSF FEE ICASH LOAN PAD"), C::NsfFee);
    assert_eq!(debit("Non-Sufficient Funds"), C::NsfFee);
}

#[test]
fn stop_payment_fee() {
    assert_eq!(debit("STOP PAYMENT FEE"), C::StopPaymentFee);
    assert_eq!(debit("STOP PMT FEE"), C::StopPaymentFee);
}

#[test]
fn overdraft_fee() {
    assert_eq!(debit("OVERDRAFT INTEREST"), C::OverdraftFee);
    assert_eq!(debit("OD FEE"), C::OverdraftFee);
}

#[test]
fn government_programs() {
    use GovProgram::*;
    let gov = C::GovernmentIncome;
    assert_eq!(credit("CANADA FED EI"), gov(EmploymentInsurance));
    assert_eq!(credit("CCB CANADA CHILD BENEFIT"), gov(ChildBenefit));
    assert_eq!(credit("CPP CANADA PENSION"), gov(Pension));
    assert_eq!(credit("OAS OLD AGE SECURITY"), gov(Pension));
    assert_eq!(credit("ONTARIO WORKS"), gov(SocialAssistance));
    assert_eq!(credit("WSIB BENEFITS"), gov(Wsib));
    assert_eq!(credit("CANADA FED GST CREDIT"), gov(Other));
    assert_eq!(credit("CANADA CARBON REBATE"), gov(Other));
}

#[test]
fn payroll_is_employer_income_and_names_the_employer() {
    assert_eq!(credit("PAYROLL DEP AIR CANADA"), C::EmployerIncome);
    assert_eq!(credit("PAYROLL DEP MONEY MART"), C::EmployerIncome);
    assert_eq!(credit("SHOPIFY PAYROLL"), C::EmployerIncome);
    assert_eq!(
        employer_name("PAYROLL DEP AIR CANADA").as_deref(),
        Some("Air Canada")
    );
    assert_eq!(
        employer_name("Shopify Payroll 000123").as_deref(),
        Some("Shopify")
    );
    assert_eq!(employer_name("PAYROLL DEP RBC").as_deref(), Some("RBC"));
    assert_eq!(employer_name("PAYROLL DEP"), None);
    assert_eq!(employer_name("UBER CANADA BV PAYOUT"), None);
}

#[test]
fn micro_lenders() {
    assert_eq!(debit("ICASH LOAN PAD"), C::MicroLoanPayment);
    assert_eq!(debit("MONEY MART LOAN"), C::MicroLoanPayment);
    assert_eq!(credit("ICASH LOAN FUNDING"), C::LoanDeposit);
    assert_eq!(credit("MONEY MART LOAN ADVANCE"), C::LoanDeposit);
    assert_eq!(
        micro_lender_name("ICASH LOAN PAD").as_deref(),
        Some("iCash")
    );
    assert_eq!(
        micro_lender_name("MONEY MART LOAN").as_deref(),
        Some("Money Mart")
    );
    assert_eq!(micro_lender_name("TD AUTO FINANCE PAD"), None);
}

#[test]
fn loan_payments() {
    assert_eq!(debit("NSLSC STUDENT LOAN"), C::StudentLoanPayment);
    assert_eq!(debit("MORTGAGE PAYMENT RBC"), C::MortgagePayment);
    assert_eq!(debit("TD AUTO FINANCE PAD"), C::AutoLoanPayment);
    assert_eq!(debit("FORD CREDIT CA APY"), C::AutoLoanPayment);
    assert_eq!(debit("SCOTIA LOAN PAYMENT"), C::OtherLoanPayment);
    assert_eq!(credit("PERSONAL LOAN DEPOSIT"), C::LoanDeposit);
}

#[test]
fn credit_card_payment() {
    assert_eq!(debit("RBC VISA PAYMENT"), C::CreditCardPayment);
    assert_eq!(debit("MASTERCARD PAYMENT BMO"), C::CreditCardPayment);
}

#[test]
fn rent_even_when_paid_by_e_transfer() {
    assert_eq!(debit("RENT E-TRANSFER"), C::Rent);
    assert_eq!(debit("CURRENT ACCOUNT FEE"), C::Spending);
}

#[test]
fn e_transfers_are_not_own_transfers() {
    assert_eq!(
        credit("INTERAC E-TRANSFER FROM J TREMBLAY"),
        C::TransferDeposit
    );
    assert_eq!(debit("INTERAC E-TRANSFER TO M ROY"), C::TransferPayment);
    assert_eq!(
        credit("EFT CREDIT NORTHWIND PROPERTIES"),
        C::TransferDeposit
    );
    assert_eq!(credit("WIRE TRANSFER FROM ACME LTD"), C::TransferDeposit);
    assert_eq!(debit("WIRE TRANSFER TO SUPPLIER CO"), C::TransferPayment);
    assert!(C::TransferDeposit.is_income() && !C::TransferDeposit.is_own_transfer());
}

#[test]
fn own_transfers() {
    assert_eq!(credit("TRANSFER FROM CHEQUING"), C::TransferIn);
    assert_eq!(debit("TRANSFER TO SAVINGS"), C::TransferOut);
    assert_eq!(credit("PAYMENT RECEIVED - THANK YOU"), C::TransferIn);
    assert!(C::TransferIn.is_own_transfer() && C::TransferOut.is_own_transfer());
}

#[test]
fn utilities() {
    assert_eq!(debit("HYDRO ONE BILL PAYMENT"), C::Utility);
    assert_eq!(debit("ENBRIDGE GAS"), C::Utility);
}

#[test]
fn telecom() {
    assert_eq!(debit("ROGERS WIRELESS PAD"), C::Telecom);
    assert_eq!(debit("BELL CANADA PAD"), C::Telecom);
    assert_eq!(debit("TELUS MOBILITY"), C::Telecom);
    assert_eq!(debit("TACO BELL #123"), C::Spending);
}

#[test]
fn gig_payouts_are_other_income() {
    assert_eq!(credit("UBER CANADA BV PAYOUT"), C::OtherIncome);
    assert_eq!(credit("DOORDASH CANADA"), C::OtherIncome);
    assert_eq!(credit("SKIPTHEDISHES PAYOUT"), C::OtherIncome);
}

#[test]
fn fallbacks_follow_the_direction() {
    assert_eq!(debit("LOBLAWS #1042"), C::Spending);
    assert_eq!(debit("TIM HORTONS #2231"), C::Spending);
    assert_eq!(credit("INTEREST PAID"), C::OtherIncome);
}

#[test]
fn merchant_service_payouts() {
    assert_eq!(credit("SQUARE CANADA DEPOSIT"), C::MerchantDeposit);
    assert_eq!(credit("MONERIS SETTLEMENT"), C::MerchantDeposit);
    assert_eq!(credit("STRIPE PAYOUT"), C::MerchantDeposit);
    assert_eq!(credit("SHOPIFY PAYMENTS PAYOUT"), C::MerchantDeposit);
    // A paycheque from a payments company is still pay; a lender's advance still a loan.
    assert_eq!(credit("PAYROLL - Stripe Paycheck"), C::EmployerIncome);
    assert_eq!(credit("SQUARE CAPITAL LOAN ADVANCE"), C::LoanDeposit);
    // Shopify the employer is not Shopify Payments.
    assert_eq!(credit("PAYROLL DEP SHOPIFY"), C::EmployerIncome);
    assert!(C::MerchantDeposit.is_income());
}

#[test]
fn payroll_paid_out_is_a_business_expense() {
    assert_eq!(debit("WAGEPOINT PAYROLL"), C::PayrollPayment);
    assert_eq!(debit("PAYROLL RUN 0412"), C::PayrollPayment);
    assert_eq!(debit("CERIDIAN DAYFORCE"), C::PayrollPayment);
    assert_eq!(credit("PAYROLL DEP AIR CANADA"), C::EmployerIncome);
}

#[test]
fn business_loans_and_auto_lenders() {
    assert_eq!(credit("BDC LOAN ADVANCE"), C::LoanDeposit);
    assert_eq!(debit("BDC LOAN PAYMENT"), C::OtherLoanPayment);
    assert_eq!(credit("FORD CREDIT CANADA FUNDING"), C::AutoLoanDeposit);
    assert_eq!(debit("FORD CREDIT CA APY"), C::AutoLoanPayment);
    assert!(C::AutoLoanDeposit.is_loan_deposit() && C::LoanDeposit.is_loan_deposit());
    assert!(!C::AutoLoanDeposit.is_income());
}

#[test]
fn rent_utilities_and_fees_of_a_business() {
    assert_eq!(debit("COMMERCIAL RENT 1200 BAY ST"), C::Rent);
    assert_eq!(debit("HYDRO ONE BILL PAYMENT"), C::Utility);
    assert_eq!(debit("MONTHLY ACCOUNT FEE"), C::BankFee);
    assert_eq!(debit("NSF SERVICE CHARGE"), C::NsfFee);
    assert!(C::BankFee.is_fee() && C::NsfFee.is_fee() && !C::Rent.is_fee());
    assert_eq!(debit("CRA SOURCE DEDUCTIONS"), C::Spending);
}

#[test]
fn disability_is_its_own_program() {
    use GovProgram::*;
    assert_eq!(
        credit("CPP DISABILITY BENEFIT"),
        C::GovernmentIncome(Disability)
    );
    assert_eq!(credit("ODSP PAYMENT"), C::GovernmentIncome(Disability));
    assert_eq!(credit("CPP CANADA PENSION"), C::GovernmentIncome(Pension));
}

#[test]
fn loan_payment_grouping() {
    assert!(C::MicroLoanPayment.is_loan_payment());
    assert!(C::MortgagePayment.is_loan_payment());
    assert!(!C::CreditCardPayment.is_loan_payment());
}
