//! The cast of synthetic Flinks Capital customers, generated from a seed.
//!
//! Every persona is a short script over a builder: it opens accounts and posts tables of
//! streams, each a schedule (biweekly, monthly on a day with jitter, k days a week, scattered),
//! a direction, descriptions and an amount with its jitter. The builder then orders each
//! account's events, sets the opening balance and writes the running balances, so a script
//! never does balance arithmetic.
//!
//! Output is a pure function of (seed, as_of). Login ids and account ids are drawn before any
//! date-dependent randomness, so they depend on the seed and the username only.

// Amounts are cents written as dollars_cents (1_250_00 is $1,250.00), a grouping clippy
// would otherwise call inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::model::{Account, Cents, Persona, Transaction};
use Amount::{Around, Between, Fixed};
use Way::{In, Out};
use When::{Biweekly, BiweeklyMostly, Every, FirstDay, Monthly, Quarterly, Scattered, Weekly};

pub const DEFAULT_SEED: u64 = 0x464C_494E_4B53;

/// Days of history before `as_of` (the cast's transactions start on `as_of - HISTORY_DAYS`).
const HISTORY_DAYS: i64 = 365;
const BULK_HISTORY_DAYS: i64 = 730;
const INSTITUTION_NUMBER: &str = "777";
/// Days before `as_of` on which the thin-file student's account was opened.
pub const STUDENT_ACCOUNT_AGE_DAYS: i64 = 122;

/// The synthetic customers, in a fixed order.
pub fn cast(seed: u64, as_of: NaiveDate) -> Vec<Persona> {
    SCRIPTS
        .iter()
        .map(|script| {
            let mut b = Builder::new(seed, script, as_of, HISTORY_DAYS);
            (script.write)(&mut b);
            b.finish()
        })
        .collect()
}

/// One chequing account with exactly `n_transactions` transactions spread over 24 months, for
/// benchmarks. The username is `bulk_<n>`.
pub fn bulk(seed: u64, as_of: NaiveDate, n_transactions: usize) -> Persona {
    let username = format!("bulk_{n_transactions}");
    let script = Script {
        username: &username,
        holder: "Alex Morin",
        story: "a long, busy chequing account for benchmarks",
        write: |_| {},
    };
    let mut b = Builder::new(seed, &script, as_of, BULK_HISTORY_DAYS);
    let opening = 2_500_00;
    let chq = b.open(Kind::Chequing, 3_650, 1_000_00, Opening::Fixed(opening));
    b.busy_account(chq, n_transactions, opening);
    b.finish()
}

struct Script<'a> {
    username: &'a str,
    holder: &'a str,
    story: &'a str,
    write: fn(&mut Builder),
}

const SCRIPTS: &[Script<'static>] = &[
    Script {
        username: "salaried_biweekly",
        holder: "Sophie Tremblay",
        story: "salaried, paid biweekly by one employer; rent, bills and an auto loan",
        write: salaried_biweekly,
    },
    Script {
        username: "borrower_nsf",
        holder: "Kevin Daigle",
        story: "irregular pay, micro-loans, NSF fees and an overdraft in the last months",
        write: borrower_nsf,
    },
    Script {
        username: "gig_worker",
        holder: "Priya Sharma",
        story: "delivery and ride-hail payouts several times a week, no employer",
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
        story: "a student whose only account is four months old; part-time pay",
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
        story: "a renovation contractor: customer payments, Square, Moneris and Stripe payouts, biweekly payroll, a BDC term loan, shop rent and utilities",
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

/// Payroll runs on Fridays: every biweekly schedule is phased from this Friday.
const FRIDAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 7) {
    Some(d) => d,
    None => panic!("2000-01-07 is a date"),
};

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
    Stream(BiweeklyMostly(7, 85), In,  &["PAYROLL DEP DOLLARAMA"],   Between(640_00, 1_120_00)),
    Stream(Monthly(1, 1),         Out, &["RENT E-TRANSFER"],         Fixed(1_150_00)),
    Stream(Monthly(20, 0),        Out, &["ROGERS WIRELESS PAD"],     Around(78_00, 5)),
    Stream(Monthly(14, 2),        Out, &["HYDRO ONE BILL PAYMENT"],  Around(85_00, 30)),
    Stream(Monthly(2, 1),         Out, &["PRESTO AUTOLOAD"],         Fixed(128_15)),
    Stream(Weekly(1, 2),          Out, GROCERS,                      Between(25_00, 95_00)),
    Stream(Weekly(2, 4),          Out, COFFEE,                       Between(3_00, 14_00)),
];

#[rustfmt::skip]
const BORROWER_EARLIER: &[Stream] = &[
    Stream(Scattered(4),    Out, &["NSF FEE"],             Fixed(48_00)),
    Stream(Scattered(1),    Out, &["STOP PAYMENT FEE"],    Fixed(12_50)),
];

/// Within the last 80 days, so that the 90-day counts never come out empty.
#[rustfmt::skip]
const BORROWER_RECENT: &[Stream] = &[
    Stream(Scattered(3),    Out, &["NSF FEE"],             Fixed(48_00)),
    Stream(Scattered(1),    Out, &["STOP PAYMENT FEE"],    Fixed(12_50)),
    Stream(Monthly(28, 0),  Out, &["OVERDRAFT INTEREST"],  Between(2_00, 9_00)),
];

fn borrower_nsf(b: &mut Builder) {
    // The opening balance is solved for, so that whatever the seed the account spends several
    // of the last 90 days in its overdraft.
    let overdrawn = Opening::OverdrawnInLast90Days {
        days: 5,
        balance: -60_00,
    };
    let chq = b.open(Kind::Chequing, 640, 1_000_00, overdrawn);
    let all = b.span(chq);
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

fn gig_worker(b: &mut Builder) {
    let chq = b.open(Kind::Chequing, 1_100, 0, keep_above(1_800_00, 150_00));
    b.streams(chq, b.span(chq), GIG);
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
    Stream(Biweekly(7),     Out, &["WAGEPOINT PAYROLL"],          Around(9_800_00, 4)),
    Stream(Monthly(15, 0),  Out, &["CRA SOURCE DEDUCTIONS"],      Around(3_900_00, 5)),
    Stream(Monthly(1, 0),   Out, &["COMMERCIAL RENT 1200 BAY ST"], Fixed(4_800_00)),
    Stream(Monthly(12, 2),  Out, &["HYDRO ONE BILL PAYMENT"],     Around(420_00, 20)),
    Stream(Monthly(18, 2),  Out, &["ENBRIDGE GAS"],               Around(260_00, 40)),
    Stream(Monthly(8, 0),   Out, &["BELL CANADA PAD"],            Around(189_00, 2)),
    Stream(Monthly(15, 0),  Out, &["FORD CREDIT CA APY"],         Fixed(689_12)),
    Stream(Monthly(3, 0),   Out, &["INTACT INSURANCE PAD"],       Fixed(412_80)),
    Stream(Monthly(28, 0),  Out, &["MONTHLY ACCOUNT FEE"],        Fixed(45_00)),
    Stream(Monthly(25, 0),  Out, &["INTERAC E-TRANSFER TO D OKONKWO"], Fixed(12_000_00)),
    Stream(Weekly(1, 3),    Out, SUPPLIES,                        Between(80_00, 1_600_00)),
    Stream(Weekly(1, 2),    Out, FUEL,                            Between(60_00, 140_00)),
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

fn small_business(b: &mut Builder) {
    let chq = b.open(
        Kind::BusinessChequing,
        2_400,
        5_000_00,
        keep_above(38_000_00, 8_000_00),
    );
    b.streams(chq, b.span(chq), BUSINESS);
    b.streams(chq, b.last_days(chq, 250), BUSINESS_LOAN_ADVANCE);
    b.streams(chq, b.last_days(chq, 225), BUSINESS_LOAN_PAYMENTS);
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

/// A micro-lender's product: an advance repaid by biweekly PADs that include the fee.
struct Lender {
    advance: &'static str,
    payment: &'static str,
    fee_percent: Cents,
    installments: i64,
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

/// One recurring kind of statement line: when, which way, what it says, how much.
#[derive(Debug, Clone, Copy)]
struct Stream(When, Way, &'static [&'static str], Amount);

/// The schedules a stream can follow.
#[derive(Debug, Clone, Copy)]
enum When {
    /// Every other Friday; the phase (0 or 7) picks which Fridays.
    Biweekly(i64),
    /// Biweekly, but each payday happens only with the given percent chance (missed shifts).
    BiweeklyMostly(i64, u32),
    /// Every `step` days, `phase` days after the reference Friday.
    Every(i64, i64),
    /// On a day of the month (the last day in shorter months) ± jitter days, off weekends.
    Monthly(u32, i64),
    /// Monthly on a day in January, April, July and October.
    Quarterly(u32),
    /// Between `min` and `max` distinct days of each week.
    Weekly(u32, u32),
    /// `n` random days.
    Scattered(usize),
    /// The first day of the span.
    FirstDay,
}

/// Which way money moves, seen from the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    In,
    Out,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Chequing,
    BusinessChequing,
    Savings,
    CreditCard,
}

impl Kind {
    /// (Flinks Type, Flinks Category, Title).
    fn labels(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Chequing => ("Chequing", "Operations", "Chequing Account"),
            Kind::BusinessChequing => ("Chequing", "Operations", "Business Chequing Account"),
            Kind::Savings => ("Savings", "Operations", "High Interest Savings Account"),
            Kind::CreditCard => ("CreditCard", "Credits", "Visa Infinite"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Opening {
    Fixed(Cents),
    /// `usual`, or more if the account would otherwise dip below `floor` at some point: a
    /// random walk of a year's spending can drift further than the story allows.
    KeepAbove {
        usual: Cents,
        floor: Cents,
    },
    /// Whatever opening balance makes the `days`-th lowest end-of-day balance of the last 90
    /// days equal `balance`, so that at least `days` days end at or below it.
    OverdrawnInLast90Days {
        days: usize,
        balance: Cents,
    },
}

fn keep_above(usual: Cents, floor: Cents) -> Opening {
    Opening::KeepAbove { usual, floor }
}

#[derive(Debug, Clone, Copy)]
enum Amount {
    Fixed(Cents),
    /// Within ± the given percent of the base.
    Around(Cents, Cents),
    /// Uniform between the two bounds, inclusive.
    Between(Cents, Cents),
}

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: NaiveDate,
    to: NaiveDate,
}

impl Span {
    fn contains(self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

#[derive(Debug, Clone, Copy)]
struct Acct(usize);

struct Event {
    date: NaiveDate,
    description: String,
    /// Credit minus debit.
    amount: Cents,
}

struct Ledger {
    opening: Opening,
    events: Vec<Event>,
}

struct Builder {
    rng: ChaCha8Rng,
    as_of: NaiveDate,
    first_day: NaiveDate,
    persona: Persona,
    ledgers: Vec<Ledger>,
}

impl Builder {
    fn new(seed: u64, script: &Script, as_of: NaiveDate, history_days: i64) -> Builder {
        let mut rng =
            ChaCha8Rng::seed_from_u64(fnv1a(&[&seed.to_le_bytes(), script.username.as_bytes()]));
        let login_id = new_id(&mut rng);
        Builder {
            rng,
            as_of,
            first_day: as_of - TimeDelta::days(history_days),
            persona: Persona {
                username: script.username.to_owned(),
                holder_name: script.holder.to_owned(),
                story: script.story.to_owned(),
                login_id,
                accounts: Vec::new(),
            },
            ledgers: Vec::new(),
        }
    }

    /// Scripts open every account before laying out any transaction, which keeps account ids
    /// independent of `as_of`.
    fn open(
        &mut self,
        kind: Kind,
        opened_days_ago: i64,
        overdraft_limit: Cents,
        opening: Opening,
    ) -> Acct {
        let (account_type, category, title) = kind.labels();
        let id = new_id(&mut self.rng);
        let transit_number = format!("{:05}", self.rng.gen_range(10_000u32..100_000));
        let account_number = format!("{:07}", self.rng.gen_range(1_000_000u32..10_000_000));
        self.persona.accounts.push(Account {
            id,
            title: title.to_owned(),
            account_type: account_type.to_owned(),
            category: category.to_owned(),
            currency: "CAD".to_owned(),
            transit_number,
            institution_number: INSTITUTION_NUMBER.to_owned(),
            account_number,
            overdraft_limit,
            opened: self.as_of - TimeDelta::days(opened_days_ago),
            transactions: Vec::new(),
        });
        self.ledgers.push(Ledger {
            opening,
            events: Vec::new(),
        });
        Acct(self.ledgers.len() - 1)
    }

    // ---- spans ----

    /// The account's whole history: from the later of its opening and the first day.
    fn span(&self, acct: Acct) -> Span {
        Span {
            from: self.first_day.max(self.persona.accounts[acct.0].opened),
            to: self.as_of,
        }
    }

    /// The last `days` days up to `as_of`, within the account's history.
    fn last_days(&self, acct: Acct, days: i64) -> Span {
        let all = self.span(acct);
        Span {
            from: all.from.max(self.as_of - TimeDelta::days(days - 1)),
            to: all.to,
        }
    }

    /// The account's history before the last `days` days.
    fn before_last_days(&self, acct: Acct, days: i64) -> Span {
        Span {
            from: self.span(acct).from,
            to: self.as_of - TimeDelta::days(days),
        }
    }

    // ---- schedules: dates within a span ----

    /// Every `step` days, phased so that the dates fall `phase` days after a fixed Friday
    /// (so paydays stay on the same Fridays whatever the span).
    fn every(&self, span: Span, step: i64, phase: i64) -> Vec<NaiveDate> {
        let offset = ((span.from - FRIDAY).num_days() - phase).rem_euclid(step);
        let first = if offset == 0 {
            span.from
        } else {
            span.from + TimeDelta::days(step - offset)
        };
        std::iter::successors(Some(first), |d| Some(*d + TimeDelta::days(step)))
            .take_while(|d| *d <= span.to)
            .collect()
    }

    /// On `day` of each month (the last day in shorter months), moved by up to ± `jitter` days
    /// and then off a weekend, as banks post.
    fn monthly(&mut self, span: Span, day: u32, jitter: i64) -> Vec<NaiveDate> {
        let mut month = first_of_month(span.from);
        let mut dates = Vec::new();
        while month <= span.to {
            let nominal = month + TimeDelta::days(i64::from(day.min(days_in_month(month)) - 1));
            let shift = self.rng.gen_range(-jitter..=jitter);
            let date = business_day(nominal + TimeDelta::days(shift));
            if span.contains(date) {
                dates.push(date);
            }
            month = next_month(month);
        }
        dates
    }

    /// Between `min` and `max` distinct days in each week (weeks start on Monday).
    fn per_week(&mut self, span: Span, (min, max): (u32, u32)) -> Vec<NaiveDate> {
        let mut monday =
            span.from - TimeDelta::days(span.from.weekday().num_days_from_monday().into());
        let mut dates = Vec::new();
        while monday <= span.to {
            let k = self.rng.gen_range(min..=max).min(7);
            // A partial Fisher–Yates over the week's seven days.
            let mut days: [i64; 7] = [0, 1, 2, 3, 4, 5, 6];
            for i in 0..k as usize {
                let j = self.rng.gen_range(i as u32..7) as usize;
                days.swap(i, j);
            }
            dates.extend(
                days[..k as usize]
                    .iter()
                    .map(|&d| monday + TimeDelta::days(d))
                    .filter(|&d| span.contains(d)),
            );
            monday += TimeDelta::days(7);
        }
        dates
    }

    /// `n` days drawn uniformly from the span (a day may repeat).
    fn scattered(&mut self, span: Span, n: usize) -> Vec<NaiveDate> {
        (0..n)
            .map(|_| span.from + TimeDelta::days(self.rng.gen_range(0..span.days())))
            .collect()
    }

    /// Keeps each date with the given probability: missed shifts, skipped paydays.
    fn thin(&mut self, mut dates: Vec<NaiveDate>, keep_percent: u32) -> Vec<NaiveDate> {
        dates.retain(|_| self.rng.gen_ratio(keep_percent, 100));
        dates
    }

    /// The dates a schedule gives within a span.
    fn dates(&mut self, span: Span, when: When) -> Vec<NaiveDate> {
        match when {
            Biweekly(phase) => self.every(span, 14, phase),
            BiweeklyMostly(phase, keep_percent) => {
                let paydays = self.every(span, 14, phase);
                self.thin(paydays, keep_percent)
            }
            Every(step, phase) => self.every(span, step, phase),
            Monthly(day, jitter) => self.monthly(span, day, jitter),
            Quarterly(day) => {
                let mut dates = self.monthly(span, day, 0);
                dates.retain(|d| d.month() % 3 == 1);
                dates
            }
            Weekly(min, max) => self.per_week(span, (min, max)),
            Scattered(n) => self.scattered(span, n),
            FirstDay => vec![span.from],
        }
    }

    // ---- posting ----

    /// Posts every stream of the table over the span.
    fn streams(&mut self, acct: Acct, span: Span, table: &[Stream]) {
        for &Stream(when, way, descriptions, amount) in table {
            let dates = self.dates(span, when);
            for date in dates {
                let description = self.pick(descriptions).to_string();
                let cents = self.draw(amount);
                let signed = if way == In { cents } else { -cents };
                self.push(acct, date, description, signed);
            }
        }
    }

    /// The same amount leaves one account and reaches another on each date.
    fn transfers(
        &mut self,
        from: Acct,
        to: Acct,
        span: Span,
        when: When,
        (out, into): (&str, &str),
        amount: Amount,
    ) {
        for date in self.dates(span, when) {
            let cents = self.draw(amount);
            self.push(from, date, out.to_owned(), -cents);
            self.push(to, date, into.to_owned(), cents);
        }
    }

    /// Pays the card's statement balance (what was owed at the end of the previous month) in
    /// full from `from` on `day` of each month. Post the card's purchases first.
    fn pay_card_monthly(&mut self, card: Acct, from: Acct, day: u32, labels: (&str, &str)) {
        let span = Span {
            from: self.span(card).from.max(self.span(from).from),
            to: self.as_of,
        };
        for date in self.monthly(span, day, 0) {
            let Opening::Fixed(opening) = self.ledgers[card.0].opening else {
                unreachable!("a card's opening balance is fixed")
            };
            let statement_day = first_of_month(date);
            let owed = -(opening
                + self.ledgers[card.0]
                    .events
                    .iter()
                    .filter(|e| e.date < statement_day)
                    .map(|e| e.amount)
                    .sum::<Cents>());
            if owed > 0 {
                let day = Span {
                    from: date,
                    to: date,
                };
                self.transfers(from, card, day, FirstDay, labels, Fixed(owed));
            }
        }
    }

    /// An advance on each date, repaid by the lender's biweekly PADs from two weeks later
    /// (those that fall after `as_of` are not yet on the statement).
    fn micro_loans(
        &mut self,
        acct: Acct,
        span: Span,
        when: When,
        lender: &Lender,
        principal: Amount,
    ) {
        for date in self.dates(span, when) {
            let advance = self.draw(principal);
            self.push(acct, date, lender.advance.to_owned(), advance);
            let owed = advance * (100 + lender.fee_percent) / 100;
            let installment = owed / lender.installments;
            for k in 1..=lender.installments {
                let due = date + TimeDelta::days(14 * k);
                if due <= self.as_of {
                    // The last payment takes the rounding remainder.
                    let pay = if k == lender.installments {
                        owed - installment * (lender.installments - 1)
                    } else {
                        installment
                    };
                    self.push(acct, due, lender.payment.to_owned(), -pay);
                }
            }
        }
    }

    /// Exactly `n` transactions on random days over the account's span. Each picks a credit
    /// or a debit from a menu, leaning to credits when the balance runs low and to debits when
    /// it runs high, so that the balance stays believable however large `n` is.
    fn busy_account(&mut self, acct: Acct, n: usize, opening: Cents) {
        const CREDITS: &[(&str, Cents, Cents)] = &[
            ("PAYROLL DEP AIR CANADA", 1_800_00, 2_600_00),
            ("INTERAC E-TRANSFER FROM J TREMBLAY", 20_00, 300_00),
            ("CANADA FED GST CREDIT", 100_00, 140_00),
        ];
        const DEBITS: &[(&str, Cents, Cents)] = &[
            ("LOBLAWS #1042", 20_00, 220_00),
            ("TIM HORTONS #2231", 2_50, 16_00),
            ("SHELL C12345", 40_00, 90_00),
            ("HYDRO ONE BILL PAYMENT", 60_00, 160_00),
            ("ROGERS WIRELESS PAD", 80_00, 95_00),
            ("AMAZON.CA", 12_00, 250_00),
            ("RENT E-TRANSFER", 900_00, 1_400_00),
        ];
        let mut dates = self.scattered(self.span(acct), n);
        dates.sort_unstable();
        let mut balance = opening;
        for date in dates {
            let credit_odds = match balance {
                b if b < 500_00 => 60,
                b if b > 20_000_00 => 2,
                _ => 15,
            };
            let is_credit = self.rng.gen_ratio(credit_odds, 100);
            let menu = if is_credit { CREDITS } else { DEBITS };
            let &(description, lo, hi) = self.pick(menu);
            let cents = self.draw(Amount::Between(lo, hi));
            let signed = if is_credit { cents } else { -cents };
            balance += signed;
            self.push(acct, date, description.to_owned(), signed);
        }
    }

    fn push(&mut self, acct: Acct, date: NaiveDate, description: String, amount: Cents) {
        debug_assert!(amount != 0, "a transaction moves money");
        self.ledgers[acct.0].events.push(Event {
            date,
            description,
            amount,
        });
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        // Indexing through u32 keeps the draw identical on 32- and 64-bit targets.
        &items[self.rng.gen_range(0..items.len() as u32) as usize]
    }

    fn draw(&mut self, amount: Amount) -> Cents {
        let cents = match amount {
            Amount::Fixed(c) => c,
            Amount::Around(base, percent) => {
                let spread = base * percent / 100;
                base + self.rng.gen_range(-spread..=spread)
            }
            Amount::Between(lo, hi) => self.rng.gen_range(lo..=hi),
        };
        cents.max(1)
    }

    /// Orders each account's events by date (same-day events keep the order they were posted
    /// in), fixes the opening balance, and writes running balances and transaction ids.
    fn finish(mut self) -> Persona {
        let window = Span {
            from: self.as_of - TimeDelta::days(89),
            to: self.as_of,
        };
        for (account, ledger) in self.persona.accounts.iter_mut().zip(&mut self.ledgers) {
            ledger.events.sort_by_key(|e| e.date);
            let mut balance = opening_balance(ledger, account.overdraft_limit, window);
            account.transactions = ledger
                .events
                .drain(..)
                .map(|e| {
                    balance += e.amount;
                    Transaction {
                        id: new_id(&mut self.rng),
                        date: e.date,
                        description: e.description,
                        debit: (e.amount < 0).then_some(-e.amount),
                        credit: (e.amount > 0).then_some(e.amount),
                        balance,
                    }
                })
                .collect();
        }
        self.persona
    }
}

fn opening_balance(ledger: &Ledger, overdraft_limit: Cents, last_90_days: Span) -> Cents {
    let events = &ledger.events;
    match ledger.opening {
        Opening::Fixed(c) => c,
        Opening::KeepAbove { usual, floor } => usual.max(floor - lowest_running(events)),
        Opening::OverdrawnInLast90Days { days, balance } => {
            let mut ends = end_of_day_balances(events, last_90_days);
            ends.sort_unstable();
            let wanted = balance - ends.get(days - 1).copied().unwrap_or(0);
            // The overdraft limit wins: a bank refuses what would cross it.
            wanted.max(-overdraft_limit - lowest_running(events))
        }
    }
}

/// The lowest balance after any event, for an opening balance of zero.
fn lowest_running(sorted: &[Event]) -> Cents {
    sorted
        .iter()
        .scan(0, |running, e| {
            *running += e.amount;
            Some(*running)
        })
        .min()
        .unwrap_or(0)
}

/// The balance at the end of each day of the span, for an opening balance of zero; days
/// without a transaction carry the previous day's balance.
fn end_of_day_balances(sorted: &[Event], span: Span) -> Vec<Cents> {
    let mut balance = 0;
    let mut next = sorted.iter().peekable();
    span.from
        .iter_days()
        .take_while(|d| *d <= span.to)
        .map(|day| {
            while let Some(e) = next.next_if(|e| e.date <= day) {
                balance += e.amount;
            }
            balance
        })
        .collect()
}

/// 64-bit FNV-1a over the parts in order. std's `DefaultHasher` may change between Rust
/// releases, and the login ids must not.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// A version-4-shaped UUID from the generator, so ids look like the GUIDs Flinks hands out.
/// The loginId a live sign-in to Flinks Capital gives `username` (any case): stable per seed and
/// username, like the personas' ids, and distinct from them.
pub fn live_login_id(seed: u64, username: &str) -> Uuid {
    let username = username.trim().to_ascii_lowercase();
    let mut rng = ChaCha8Rng::seed_from_u64(fnv1a(&[
        &seed.to_le_bytes(),
        b"FlinksCapital/live/",
        username.as_bytes(),
    ]));
    new_id(&mut rng)
}

fn new_id(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("every month has a first day")
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first + TimeDelta::days(i64::from(days_in_month(first)))
}

fn days_in_month(d: NaiveDate) -> u32 {
    let first = first_of_month(d);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("dates stay far from chrono's limits");
    (next - first).num_days() as u32
}

/// The Monday after a weekend day, or the Friday before when that Monday is in the next
/// month: month-end postings stay in their month.
fn business_day(d: NaiveDate) -> NaiveDate {
    let (forward, back) = match d.weekday() {
        Weekday::Sat => (2, 1),
        Weekday::Sun => (1, 2),
        _ => return d,
    };
    let monday = d + TimeDelta::days(forward);
    if monday.month() == d.month() {
        monday
    } else {
        d - TimeDelta::days(back)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    #[test]
    fn usernames_are_the_documented_ones() {
        let names: Vec<_> = cast(DEFAULT_SEED, as_of())
            .into_iter()
            .map(|p| p.username)
            .collect();
        assert_eq!(
            names,
            [
                "salaried_biweekly",
                "borrower_nsf",
                "gig_worker",
                "government_income",
                "thin_file_student",
                "high_income_saver",
                "small_business",
                "multiple_employers"
            ]
        );
    }

    #[test]
    fn transactions_are_well_formed_and_within_history() {
        for p in cast(DEFAULT_SEED, as_of()) {
            for a in &p.accounts {
                assert_eq!(a.institution_number, "777");
                assert_eq!(a.currency, "CAD");
                let first = (as_of() - TimeDelta::days(HISTORY_DAYS)).max(a.opened);
                for t in &a.transactions {
                    assert!(first <= t.date && t.date <= as_of(), "{} {t:?}", p.username);
                    match (t.debit, t.credit) {
                        (Some(d), None) => assert!(d > 0),
                        (None, Some(c)) => assert!(c > 0),
                        other => panic!("{}: {other:?}", p.username),
                    }
                }
                assert!(a.transactions.windows(2).all(|w| w[0].date <= w[1].date));
            }
        }
    }

    #[test]
    fn every_persona_has_a_chequing_account_and_the_student_is_recent() {
        for p in cast(DEFAULT_SEED, as_of()) {
            assert!(
                p.accounts
                    .iter()
                    .any(|a| a.account_type == "Chequing" && a.category == "Operations"),
                "{}",
                p.username
            );
            let age = (as_of() - p.accounts[0].opened).num_days();
            if p.username == "thin_file_student" {
                assert!((90..=150).contains(&age));
                assert!(p.accounts[0].transactions.len() < 80);
            } else {
                assert!(age > 365, "{}", p.username);
            }
        }
    }

    #[test]
    fn the_borrower_is_overdrawn_on_several_of_the_last_90_days_whatever_the_seed() {
        for seed in 0..20 {
            let as_of = as_of() + TimeDelta::days(seed as i64 * 11);
            let cast = cast(seed, as_of);
            let account = &cast
                .iter()
                .find(|p| p.username == "borrower_nsf")
                .unwrap()
                .accounts[0];
            let txs = &account.transactions;
            let overdrawn_days = (0..90)
                .map(|back| as_of - TimeDelta::days(back))
                .filter(|day| {
                    let end = txs.iter().take_while(|t| t.date <= *day).last().unwrap();
                    end.balance < 0
                })
                .count();
            assert!(overdrawn_days >= 3, "seed {seed}: {overdrawn_days}");
            assert!(
                txs.iter().all(|t| t.balance >= -account.overdraft_limit),
                "seed {seed}"
            );
            assert!(
                txs[0].balance > txs[txs.len() - 1].balance,
                "the balance falls over the year"
            );
        }
    }

    #[test]
    fn bulk_has_exactly_n_transactions_over_two_years() {
        for n in [0, 1, 5_000] {
            let p = bulk(DEFAULT_SEED, as_of(), n);
            assert_eq!(p.username, format!("bulk_{n}"));
            assert_eq!(p.accounts.len(), 1);
            let txs = &p.accounts[0].transactions;
            assert_eq!(txs.len(), n);
            if n > 1_000 {
                let span = (txs[n - 1].date - txs[0].date).num_days();
                assert!(span > 700, "{span}");
            }
        }
        assert_eq!(bulk(7, as_of(), 300), bulk(7, as_of(), 300));
    }

    #[test]
    fn schedules() {
        let mut b = Builder::new(1, &SCRIPTS[0], as_of(), HISTORY_DAYS);
        let span = Span {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        };
        let fridays = b.every(span, 14, 0);
        assert!(fridays.iter().all(|d| d.weekday() == Weekday::Fri));
        assert!(fridays.windows(2).all(|w| (w[1] - w[0]).num_days() == 14));
        assert_eq!(
            fridays.first(),
            NaiveDate::from_ymd_opt(2026, 1, 2).as_ref()
        );
        assert_eq!(fridays.len(), 7);
        let month_ends = b.monthly(span, 31, 0);
        let days: Vec<_> = month_ends.iter().map(|d| (d.month(), d.day())).collect();
        // Jan 31 and Feb 28 2026 are Saturdays: the Mondays after are in the next month, so
        // they move back to the Fridays.
        assert_eq!(days, [(1, 30), (2, 27), (3, 31)]);
        let mid_month = b.monthly(span, 14, 0);
        let days: Vec<_> = mid_month.iter().map(|d| (d.month(), d.day())).collect();
        // Feb 14 and Mar 14 2026 are Saturdays.
        assert_eq!(days, [(1, 14), (2, 16), (3, 16)]);
        let mut weekly = b.per_week(span, (2, 2));
        let n = weekly.len();
        weekly.dedup();
        assert_eq!(weekly.len(), n, "days within a week are distinct");
        assert!((2 * 12..=2 * 14).contains(&n));
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
    }
}
