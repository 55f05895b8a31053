//! The cast: one script per synthetic customer, each a few accounts and tables of streams that
//! tell the customer's story.

use crate::model::Cents;

use super::builder::{
    keep_above, Amount, Builder, Kind, Lender, NsfPolicy, Opening, Script, Stream, Way, When,
};
use Amount::{Around, Between, Fixed};
use Way::{In, Out};
use When::{Biweekly, BiweeklyMostly, Every, FirstDay, Monthly, Quarterly, Scattered, Weekly};

/// Days before `as_of` on which the thin-file student's account was opened.
pub const STUDENT_ACCOUNT_AGE_DAYS: i64 = 122;

pub(super) const SCRIPTS: &[Script<'static>] = &[
    Script {
        username: "salaried_biweekly",
        holder: "Sophie Tremblay",
        story: "salaried, paid biweekly by one employer; rent, bills and an auto loan",
        write: salaried_biweekly,
    },
    Script {
        username: "borrower_nsf",
        holder: "Kevin Daigle",
        story: "irregular pay and micro-loans; weeks off work after an injury (Ontario Works, then WSIB), an overdraft and NSF fees in the last months",
        write: borrower_nsf,
    },
    Script {
        username: "gig_worker",
        holder: "Priya Sharma",
        story: "delivery and ride-hail payouts several times a week, no employer; a car loan, a line of credit drawn for the rent, online sales for the last five months",
        write: gig_worker,
    },
    Script {
        username: "government_income",
        holder: "Denise Lavoie",
        story: "lives on EI, the Canada Child Benefit and a CPP pension",
        write: government_income,
    },
    Script {
        username: "thin_file_student",
        holder: "Ethan Nguyen",
        story: "a student with a disability whose only account is four months old: ODSP income support, part-time pay",
        write: thin_file_student,
    },
    Script {
        username: "high_income_saver",
        holder: "Jonathan Okafor",
        story: "high salary, a mortgage, monthly savings and a credit card paid in full",
        write: high_income_saver,
    },
    Script {
        username: "small_business",
        holder: "Okonkwo Renovations Inc.",
        story: "a renovation contractor: customer payments, Square, Moneris and Stripe payouts, biweekly payroll, a BDC term loan, shop rent and utilities; a third crew for the last months, with a bigger shop and four vans financed by Ford Credit",
        write: small_business,
    },
    Script {
        username: "multiple_employers",
        holder: "Marie-Claude Bergeron",
        story: "three employers: biweekly at Loblaw, monthly at United Airlines, and weekly shifts at Amazon for the last four months",
        write: multiple_employers,
    },
];

// Merchant lists, in bank-statement style.
const GROCERS: &[&str] = &[
    "LOBLAWS #1042",
    "METRO 512 TORONTO",
    "SOBEYS #4411",
    "NO FRILLS #3307",
    "FOOD BASICS #671",
    "FRESHCO #9912",
    "WALMART SUPERCENTER #3115",
];
const COFFEE: &[&str] = &[
    "TIM HORTONS #2231",
    "TIM HORTONS #0874",
    "STARBUCKS 04821",
    "SECOND CUP #118",
];
const FUEL: &[&str] = &[
    "SHELL C12345",
    "PETRO-CANADA 8834",
    "ESSO CIRCLE K 4410",
    "PIONEER #145",
];
const DINING: &[&str] = &[
    "A&W #1120",
    "SWISS CHALET #1764",
    "PIZZA PIZZA #221",
    "THE KEG STEAKHOUSE",
    "MCDONALD'S #4412",
    "BOSTON PIZZA #88",
];
const SHOPPING: &[&str] = &[
    "AMAZON.CA",
    "CANADIAN TIRE #118",
    "SHOPPERS DRUG MART #1290",
    "DOLLARAMA #882",
    "BEST BUY #951",
    "WINNERS #221",
    "LCBO #217",
];
const FRIENDS_IN: &[&str] = &[
    "INTERAC E-TRANSFER FROM J TREMBLAY",
    "INTERAC E-TRANSFER FROM M ROY",
    "INTERAC E-TRANSFER FROM A GAGNON",
];
const FRIENDS_OUT: &[&str] = &[
    "INTERAC E-TRANSFER TO L BOUCHARD",
    "INTERAC E-TRANSFER TO S MARTIN",
];

// A persona is its accounts plus tables of streams: each row says when a line appears on the
// statement, which way the money goes, what the line says and how much it moves. The tables are
// laid out as columns, which rustfmt would undo.

#[rustfmt::skip]
const SALARIED: &[Stream] = &[
    Stream(Biweekly(0),     In,  &["PAYROLL DEP AIR CANADA"],  Around(2_486_37, 2)),
    Stream(Monthly(1, 0),   Out, &["RENT E-TRANSFER"],         Fixed(2_250_00)),
    Stream(Monthly(12, 2),  Out, &["HYDRO ONE BILL PAYMENT"],  Around(110_00, 25)),
    Stream(Monthly(18, 2),  Out, &["ENBRIDGE GAS"],            Around(95_00, 45)),
    Stream(Monthly(22, 0),  Out, &["ROGERS WIRELESS PAD"],     Around(92_00, 3)),
    Stream(Monthly(8, 0),   Out, &["BELL CANADA PAD"],         Around(84_75, 2)),
    Stream(Monthly(15, 0),  Out, &["TD AUTO FINANCE PAD"],     Fixed(487_62)),
    Stream(Monthly(3, 0),   Out, &["INTACT INSURANCE PAD"],    Fixed(168_40)),
    Stream(Weekly(1, 2),    Out, GROCERS,                      Between(45_00, 220_00)),
    Stream(Weekly(2, 5),    Out, COFFEE,                       Between(2_50, 16_00)),
    Stream(Weekly(1, 1),    Out, FUEL,                         Between(45_00, 85_00)),
    Stream(Weekly(1, 3),    Out, DINING,                       Between(15_00, 120_00)),
    Stream(Weekly(0, 1),    Out, SHOPPING,                     Between(12_00, 180_00)),
    Stream(Scattered(10),   Out, FRIENDS_OUT,                  Between(20_00, 250_00)),
];

fn salaried_biweekly(b: &mut Builder) {
    let chq = b.open(
        Kind::Chequing,
        2_914,
        500_00,
        keep_above(6_240_18, 1_500_00),
    );
    b.streams(chq, b.span(chq), SALARIED);
}

#[rustfmt::skip]
const BORROWER: &[Stream] = &[
    Stream(Monthly(1, 1),         Out, &[RENT_PAD],                  Fixed(1_150_00)),
    Stream(Monthly(20, 0),        Out, &[ROGERS_PAD],                Around(78_00, 5)),
    Stream(Monthly(14, 2),        Out, &[HYDRO_BILL],                Around(85_00, 30)),
    Stream(Monthly(2, 1),         Out, &[PRESTO_AUTOLOAD],           Fixed(128_15)),
    Stream(Weekly(1, 2),          Out, GROCERS,                      Between(25_00, 95_00)),
    Stream(Weekly(2, 4),          Out, COFFEE,                       Between(3_00, 14_00)),
];

/// Paid on most other Fridays, when there were shifts: before the injury and since his return.
#[rustfmt::skip]
const BORROWER_PAY: &[Stream] = &[
    Stream(BiweeklyMostly(7, 85), In,  &["PAYROLL DEP DOLLARAMA"],   Between(740_00, 1_220_00)),
];

/// Days before `as_of` on which the borrower was hurt at the Dollarama warehouse, was paid
/// Ontario Works while his claim was pending, was paid by WSIB, and went back to work.
const INJURED: i64 = 105;
const ONTARIO_WORKS: i64 = 86;
const WSIB_FROM: i64 = 77;
const WSIB_TO: i64 = 35;

/// The claim accepted: loss-of-earnings benefits every other week until he is back at work.
#[rustfmt::skip]
const BORROWER_WSIB: &[Stream] = &[
    Stream(Every(14, 4),          In,  &["WSIB LOE BENEFIT"],        Fixed(742_36)),
];

/// One month of Ontario Works, applied for while the WSIB claim was pending.
#[rustfmt::skip]
const BORROWER_ONTARIO_WORKS: &[Stream] = &[
    Stream(FirstDay,              In,  &["ONTARIO WORKS"],           Fixed(733_00)),
];

/// Stop-payment requests are his own: they come at any balance. His NSF fees are not scripted:
/// Flinks Capital charges them when a payment overdraws the account (`BORROWER_NSF`).
#[rustfmt::skip]
const BORROWER_EARLIER: &[Stream] = &[
    Stream(Scattered(1),    Out, &["STOP PAYMENT FEE"],    Fixed(12_50)),
];

/// Within the last 80 days, so that the 90-day counts never come out empty.
#[rustfmt::skip]
const BORROWER_RECENT: &[Stream] = &[
    Stream(Scattered(1),    Out, &["STOP PAYMENT FEE"],    Fixed(12_50)),
    Stream(Monthly(28, 0),  Out, &["OVERDRAFT INTEREST"],  Between(2_00, 9_00)),
];

const RENT_PAD: &str = "RENT PAD 88 JANE ST";
const ROGERS_PAD: &str = "ROGERS WIRELESS PAD";
const HYDRO_BILL: &str = "HYDRO ONE BILL PAYMENT";
const PRESTO_AUTOLOAD: &str = "PRESTO AUTOLOAD";

/// The pre-authorized payments that bounce on his account: his rent, the lenders' PADs and his
/// bills.
const BORROWER_NSF: NsfPolicy = NsfPolicy {
    payments: &[
        RENT_PAD,
        ICASH.payment,
        MONEY_MART.payment,
        ROGERS_PAD,
        HYDRO_BILL,
        PRESTO_AUTOLOAD,
    ],
    fee: ("NSF FEE", 48_00),
    min_gap_days: 7,
    overdrawn_in_last_90_days: 2,
};

fn borrower_nsf(b: &mut Builder) {
    // The opening balance is solved for, so that whatever the seed the account spends several
    // of the last 90 days in its overdraft.
    let overdrawn = Opening::OverdrawnInLast90Days {
        days: 5,
        balance: -60_00,
    };
    let chq = b.open(Kind::Chequing, 640, 1_000_00, overdrawn);
    let all = b.span(chq);
    // Money in first: on a day with both, the statement lists the deposit before the payments.
    b.streams(chq, b.before_last_days(chq, INJURED), BORROWER_PAY);
    b.streams(chq, b.day(chq, ONTARIO_WORKS), BORROWER_ONTARIO_WORKS);
    b.streams(chq, b.days_ago(chq, WSIB_FROM, WSIB_TO), BORROWER_WSIB);
    b.streams(chq, b.last_days(chq, WSIB_TO - 1), BORROWER_PAY);
    b.streams(chq, all, BORROWER);
    b.micro_loans(chq, all, Every(56, 7), &ICASH, Between(300_00, 750_00));
    b.micro_loans(
        chq,
        all,
        Every(70, 21),
        &MONEY_MART,
        Between(400_00, 900_00),
    );
    b.streams(chq, b.before_last_days(chq, 90), BORROWER_EARLIER);
    b.streams(chq, b.last_days(chq, 80), BORROWER_RECENT);
    b.nsf_policy(chq, BORROWER_NSF);
}

#[rustfmt::skip]
const GIG: &[Stream] = &[
    Stream(Weekly(2, 4),    In,  &["UBER CANADA BV PAYOUT"],  Between(40_00, 260_00)),
    Stream(Weekly(1, 3),    In,  &["DOORDASH CANADA"],        Between(25_00, 180_00)),
    Stream(Weekly(0, 2),    In,  &["SKIPTHEDISHES PAYOUT"],   Between(20_00, 140_00)),
    Stream(Scattered(6),    In,  FRIENDS_IN,                  Between(20_00, 150_00)),
    Stream(Monthly(1, 2),   Out, &["RENT E-TRANSFER"],        Fixed(1_250_00)),
    Stream(Monthly(9, 0),   Out, &["FIDO MOBILE PAD"],        Around(61_00, 3)),
    Stream(Monthly(5, 0),   Out, &["INTACT INSURANCE PAD"],   Fixed(212_30)),
    Stream(Weekly(2, 4),    Out, FUEL,                        Between(35_00, 80_00)),
    Stream(Weekly(1, 2),    Out, GROCERS,                     Between(30_00, 140_00)),
    Stream(Weekly(3, 6),    Out, COFFEE,                      Between(2_00, 12_00)),
];

/// Her car: bought privately 355 days before `as_of` with an RBC auto loan funded into the
/// account (she paid the seller by bank draft the same day), repaid monthly from the first 5th
/// at least 20 days later.
#[rustfmt::skip]
const GIG_CAR_PURCHASE: &[Stream] = &[
    Stream(FirstDay,        In,  &["RBC AUTO LOAN ADVANCE"],      Fixed(21_400_00)),
    Stream(FirstDay,        Out, &["BANK DRAFT PURCHASE"],        Fixed(21_400_00)),
];
#[rustfmt::skip]
const GIG_CAR_PAYMENTS: &[Stream] = &[
    Stream(Monthly(5, 0),   Out, &["RBC AUTO LOAN PAYMENT"],      Fixed(436_18)),
];
const GIG_CAR_DAYS_AGO: i64 = 355;

/// Payouts come mid-month and rent on the 1st: she draws on her line of credit for the rent and
/// pays it back once the payouts are in.
#[rustfmt::skip]
const GIG_LINE_OF_CREDIT: &[Stream] = &[
    Stream(Monthly(1, 0),   In,  &["RBC LINE OF CREDIT ADVANCE"], Between(300_00, 700_00)),
    Stream(Monthly(20, 2),  Out, &["RBC LINE OF CREDIT PAYMENT"], Between(300_00, 700_00)),
];

/// For the last 150 days she has also sold vintage clothes online, paid out monthly
/// through PayPal.
#[rustfmt::skip]
const GIG_ONLINE_SALES: &[Stream] = &[
    Stream(Monthly(12, 3),  In,  &["PAYPAL TRANSFER"],            Between(120_00, 420_00)),
];

fn gig_worker(b: &mut Builder) {
    let chq = b.open(Kind::Chequing, 1_100, 0, keep_above(1_800_00, 150_00));
    let all = b.span(chq);
    b.streams(chq, all, GIG);
    b.streams(chq, b.day(chq, GIG_CAR_DAYS_AGO), GIG_CAR_PURCHASE);
    let repaying = b.days_ago(chq, GIG_CAR_DAYS_AGO - 20, 0);
    b.streams(chq, repaying, GIG_CAR_PAYMENTS);
    b.streams(chq, all, GIG_LINE_OF_CREDIT);
    b.streams(chq, b.last_days(chq, 150), GIG_ONLINE_SALES);
}

#[rustfmt::skip]
const GOVERNMENT: &[Stream] = &[
    Stream(Monthly(10, 2),  In,  &["CANADA FED EI"],               Around(1_780_00, 3)),
    Stream(Monthly(20, 0),  In,  &["CCB CANADA CHILD BENEFIT"],    Fixed(648_25)),
    Stream(Monthly(26, 0),  In,  &["CPP CANADA PENSION"],          Fixed(812_37)),
    Stream(Quarterly(5),    In,  &["CANADA FED GST CREDIT"],       Fixed(129_75)),
    Stream(Monthly(1, 0),   Out, &["RENT E-TRANSFER"],             Fixed(1_450_00)),
    Stream(Monthly(14, 2),  Out, &["TORONTO HYDRO BILL PAYMENT"],  Around(78_00, 30)),
    Stream(Monthly(19, 2),  Out, &["ENBRIDGE GAS"],                Around(88_00, 45)),
    Stream(Monthly(11, 0),  Out, &["TELUS MOBILITY"],              Around(65_00, 3)),
    Stream(Monthly(2, 1),   Out, &["PRESTO AUTOLOAD"],             Fixed(128_15)),
    Stream(Weekly(1, 2),    Out, GROCERS,                          Between(40_00, 180_00)),
    Stream(Weekly(1, 2),    Out, SHOPPING,                         Between(8_00, 120_00)),
    Stream(Weekly(0, 2),    Out, DINING,                           Between(12_00, 45_00)),
];

fn government_income(b: &mut Builder) {
    let chq = b.open(Kind::Chequing, 5_200, 0, keep_above(2_310_55, 250_00));
    b.streams(chq, b.span(chq), GOVERNMENT);
}

#[rustfmt::skip]
const STUDENT: &[Stream] = &[
    Stream(FirstDay,        In,  &["INTERAC E-TRANSFER FROM L NGUYEN"],  Fixed(1_200_00)),
    Stream(Biweekly(7),     In,  &["PAYROLL DEP CINEPLEX"],              Between(180_00, 340_00)),
    Stream(Monthly(1, 1),   In,  &["INTERAC E-TRANSFER FROM L NGUYEN"],  Fixed(250_00)),
    Stream(Monthly(1, 0),   In,  &["ODSP INCOME SUPPORT"],               Fixed(1_228_00)),
    Stream(Monthly(1, 0),   Out, &["RENT E-TRANSFER"],                   Fixed(475_00)),
    Stream(Monthly(28, 0),  Out, &["NSLSC STUDENT LOAN"],                Fixed(142_18)),
    Stream(Monthly(7, 0),   Out, &["PUBLIC MOBILE"],                     Fixed(34_00)),
    Stream(Monthly(16, 0),  Out, &["SPOTIFY P2C41A"],                    Fixed(6_49)),
    Stream(Weekly(0, 1),    Out, GROCERS,                                Between(20_00, 75_00)),
    Stream(Weekly(0, 2),    Out, COFFEE,                                 Between(2_00, 9_00)),
];

fn thin_file_student(b: &mut Builder) {
    let chq = b.open(
        Kind::Chequing,
        STUDENT_ACCOUNT_AGE_DAYS,
        0,
        keep_above(0, 20_00),
    );
    b.streams(chq, b.span(chq), STUDENT);
}

#[rustfmt::skip]
const SAVER: &[Stream] = &[
    Stream(Biweekly(7),     In,  &["PAYROLL DEP SHOPIFY"],        Around(5_812_44, 1)),
    Stream(Monthly(1, 0),   Out, &["MORTGAGE PAYMENT RBC"],       Fixed(3_184_27)),
    Stream(Monthly(12, 2),  Out, &["HYDRO OTTAWA BILL PAYMENT"],  Around(142_00, 25)),
    Stream(Monthly(18, 2),  Out, &["ENBRIDGE GAS"],               Around(120_00, 45)),
    Stream(Monthly(8, 0),   Out, &["BELL CANADA PAD"],            Around(124_00, 2)),
    Stream(Monthly(22, 0),  Out, &["ROGERS WIRELESS PAD"],        Around(145_00, 2)),
    Stream(Weekly(1, 3),    Out, COFFEE,                          Between(3_00, 18_00)),
];

#[rustfmt::skip]
const SAVER_SAVINGS: &[Stream] = &[
    Stream(Monthly(31, 0),  In,  &["INTEREST PAID"],              Between(35_00, 65_00)),
];

#[rustfmt::skip]
const SAVER_CARD: &[Stream] = &[
    Stream(Weekly(1, 3),    Out, GROCERS,                         Between(60_00, 320_00)),
    Stream(Weekly(1, 3),    Out, DINING,                          Between(25_00, 180_00)),
    Stream(Weekly(0, 2),    Out, SHOPPING,                        Between(15_00, 220_00)),
    Stream(Weekly(1, 1),    Out, FUEL,                            Between(55_00, 110_00)),
    Stream(Monthly(14, 0),  Out, &["NETFLIX.COM"],                Fixed(20_99)),
    Stream(Scattered(3),    Out, &["AIR CANADA 0142"],            Between(350_00, 1_400_00)),
];

fn high_income_saver(b: &mut Builder) {
    let chq = b.open(
        Kind::Chequing,
        4_000,
        2_000_00,
        keep_above(14_500_00, 8_000_00),
    );
    let savings = b.open(Kind::Savings, 1_500, 0, keep_above(38_000_00, 0));
    let card = b.open(Kind::CreditCard, 2_200, 0, Opening::Fixed(-1_850_00));
    let all = b.span(chq);
    b.streams(chq, all, SAVER);
    let saving = ("TRANSFER TO SAVINGS", "TRANSFER FROM CHEQUING");
    b.transfers(chq, savings, all, Monthly(3, 0), saving, Fixed(4_000_00));
    b.streams(savings, b.span(savings), SAVER_SAVINGS);
    b.streams(card, b.span(card), SAVER_CARD);
    b.pay_card_monthly(
        card,
        chq,
        6,
        ("RBC VISA PAYMENT", "PAYMENT RECEIVED - THANK YOU"),
    );
}

const BUSINESS_CUSTOMERS: &[&str] = &[
    "EFT CREDIT NORTHWIND PROPERTIES",
    "EFT CREDIT LAKESHORE CONDO CORP",
    "EFT CREDIT HARBOURFRONT HOMES",
];
const CUSTOMERS_BY_E_TRANSFER: &[&str] = &[
    "INTERAC E-TRANSFER FROM R PATEL",
    "INTERAC E-TRANSFER FROM K OKAFOR",
    "INTERAC E-TRANSFER FROM L BERGERON",
];
const SUPPLIES: &[&str] = &[
    "HOME DEPOT #7012",
    "RONA #61234",
    "COSTCO WHOLESALE #535",
    "GRAND & TOY #118",
];

#[rustfmt::skip]
const BUSINESS: &[Stream] = &[
    Stream(Weekly(3, 5),    In,  &["SQUARE CANADA DEPOSIT"],      Between(250_00, 2_200_00)),
    Stream(Weekly(1, 2),    In,  &["MONERIS SETTLEMENT"],         Between(400_00, 2_800_00)),
    Stream(Every(7, 3),     In,  &["STRIPE PAYOUT"],              Between(300_00, 1_600_00)),
    Stream(Scattered(30),   In,  BUSINESS_CUSTOMERS,              Between(1_500_00, 8_500_00)),
    Stream(Scattered(24),   In,  CUSTOMERS_BY_E_TRANSFER,         Between(200_00, 2_400_00)),
    Stream(Scattered(8),    In,  &["MOBILE CHEQUE DEPOSIT"],      Between(800_00, 5_500_00)),
    Stream(Monthly(12, 2),  Out, &["HYDRO ONE BILL PAYMENT"],     Around(420_00, 20)),
    Stream(Monthly(18, 2),  Out, &["ENBRIDGE GAS"],               Around(260_00, 40)),
    Stream(Monthly(8, 0),   Out, &["BELL CANADA PAD"],            Around(189_00, 2)),
    Stream(Monthly(15, 0),  Out, &[FORD_CREDIT_PAYMENT],          Fixed(689_12)),
    Stream(Monthly(3, 0),   Out, &["INTACT INSURANCE PAD"],       Fixed(412_80)),
    Stream(Monthly(28, 0),  Out, &["MONTHLY ACCOUNT FEE"],        Fixed(45_00)),
    Stream(Monthly(25, 0),  Out, &["INTERAC E-TRANSFER TO D OKONKWO"], Fixed(12_000_00)),
    Stream(Weekly(1, 3),    Out, SUPPLIES,                        Between(80_00, 1_600_00)),
    Stream(Weekly(1, 2),    Out, FUEL,                            Between(60_00, 140_00)),
];

/// Days before `as_of` on which the third crew started: from then on payroll and source
/// deductions are larger, and the business rents a bigger shop.
const THIRD_CREW: i64 = 110;

/// Two crews, at the old shop.
#[rustfmt::skip]
const BUSINESS_TWO_CREWS: &[Stream] = &[
    Stream(Biweekly(7),     Out, &["WAGEPOINT PAYROLL"],          Around(9_800_00, 4)),
    Stream(Monthly(15, 0),  Out, &["CRA SOURCE DEDUCTIONS"],      Around(3_900_00, 5)),
    Stream(Monthly(1, 0),   Out, &["COMMERCIAL RENT 1200 BAY ST"], Fixed(4_800_00)),
];

/// Three crews, at the new shop.
#[rustfmt::skip]
const BUSINESS_THREE_CREWS: &[Stream] = &[
    Stream(Biweekly(7),     Out, &["WAGEPOINT PAYROLL"],          Around(14_100_00, 4)),
    Stream(Monthly(15, 0),  Out, &["CRA SOURCE DEDUCTIONS"],      Around(5_600_00, 5)),
    Stream(Monthly(1, 0),   Out, &["COMMERCIAL RENT 45 INDUSTRIAL PKWY"], Fixed(6_900_00)),
];

/// The term loan: funded 250 days before `as_of`, repaid monthly from the month after.
#[rustfmt::skip]
const BUSINESS_LOAN_ADVANCE: &[Stream] = &[
    Stream(FirstDay,        In,  &["BDC LOAN ADVANCE"],           Fixed(60_000_00)),
];
#[rustfmt::skip]
const BUSINESS_LOAN_PAYMENTS: &[Stream] = &[
    Stream(Monthly(20, 0),  Out, &["BDC LOAN PAYMENT"],           Fixed(1_285_40)),
];

const FORD_CREDIT_PAYMENT: &str = "FORD CREDIT CA APY";

/// The new crews' vans, one a month, each bought from the dealer with a Ford Credit loan that
/// was funded into the account the same day, and repaid monthly from the next month: (days
/// before `as_of`, the loan, its monthly payment).
const VANS: &[(i64, Cents, Cents)] = &[
    (100, 54_870_00, 1_012_44),
    (70, 56_215_00, 1_037_27),
    (40, 54_870_00, 1_012_44),
    (10, 58_340_00, 1_076_49),
];

fn small_business(b: &mut Builder) {
    let chq = b.open(
        Kind::BusinessChequing,
        2_400,
        5_000_00,
        keep_above(38_000_00, 8_000_00),
    );
    b.streams(chq, b.span(chq), BUSINESS);
    b.streams(chq, b.before_last_days(chq, THIRD_CREW), BUSINESS_TWO_CREWS);
    b.streams(chq, b.last_days(chq, THIRD_CREW), BUSINESS_THREE_CREWS);
    b.streams(chq, b.last_days(chq, 250), BUSINESS_LOAN_ADVANCE);
    b.streams(chq, b.last_days(chq, 225), BUSINESS_LOAN_PAYMENTS);
    for &(days_ago, loan, payment) in VANS {
        let funded = b.day(chq, days_ago);
        let van = [
            Stream(FirstDay, In, &["FORD CREDIT CANADA FUNDING"], Fixed(loan)),
            Stream(FirstDay, Out, &["DON VALLEY NORTH FORD"], Fixed(loan)),
        ];
        b.streams(chq, funded, &van);
        // Payments from the first 15th at least 20 days after the funding.
        if days_ago > 20 {
            let repaying = b.days_ago(chq, days_ago - 20, 0);
            let payments = [Stream(
                Monthly(15, 0),
                Out,
                &[FORD_CREDIT_PAYMENT],
                Fixed(payment),
            )];
            b.streams(chq, repaying, &payments);
        }
    }
}

#[rustfmt::skip]
const MULTIPLE_EMPLOYERS: &[Stream] = &[
    Stream(Biweekly(0),     In,  &["PAYROLL DEP LOBLAW COMPANIES"],  Around(1_642_18, 2)),
    Stream(Monthly(25, 0),  In,  &["PAYROLL DEP UNITED AIRLINES"],   Around(1_210_00, 1)),
    Stream(Monthly(1, 0),   Out, &["RENT E-TRANSFER"],               Fixed(1_650_00)),
    Stream(Monthly(12, 2),  Out, &["TORONTO HYDRO BILL PAYMENT"],    Around(72_00, 25)),
    Stream(Monthly(20, 0),  Out, &["ROGERS WIRELESS PAD"],           Around(88_00, 3)),
    Stream(Monthly(3, 0),   Out, &["INTACT INSURANCE PAD"],          Fixed(142_60)),
    Stream(Monthly(2, 1),   Out, &["PRESTO AUTOLOAD"],               Fixed(128_15)),
    Stream(Monthly(4, 0),   Out, &["MONTHLY PLAN FEE"],              Fixed(16_95)),
    Stream(Weekly(1, 2),    Out, GROCERS,                            Between(35_00, 180_00)),
    Stream(Weekly(2, 4),    Out, COFFEE,                             Between(2_50, 14_00)),
    Stream(Weekly(0, 2),    Out, DINING,                             Between(15_00, 90_00)),
    Stream(Weekly(0, 1),    Out, SHOPPING,                           Between(12_00, 160_00)),
];

/// The third job: weekly pay on Mondays for the last four months.
#[rustfmt::skip]
const MULTIPLE_EMPLOYERS_RECENT: &[Stream] = &[
    Stream(Every(7, 3),     In,  &["PAYROLL DEP AMAZON CANADA FULFILLMENT"], Between(310_00, 460_00)),
];

fn multiple_employers(b: &mut Builder) {
    let chq = b.open(Kind::Chequing, 3_300, 500_00, keep_above(3_100_00, 400_00));
    b.streams(chq, b.span(chq), MULTIPLE_EMPLOYERS);
    b.streams(chq, b.last_days(chq, 120), MULTIPLE_EMPLOYERS_RECENT);
}

const ICASH: Lender = Lender {
    advance: "ICASH LOAN FUNDING",
    payment: "ICASH LOAN PAD",
    fee_percent: 18,
    installments: 4,
};
const MONEY_MART: Lender = Lender {
    advance: "MONEY MART LOAN ADVANCE",
    payment: "MONEY MART LOAN",
    fee_percent: 15,
    installments: 3,
};
