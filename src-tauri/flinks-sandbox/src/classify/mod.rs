//! Transaction categories from bank-statement descriptions.
//!
//! Classification is one ordered table, `RULES`: the first rule whose words occur in the
//! description (and whose direction fits) decides. Order matters where descriptions overlap, and
//! each such place says why. Anything no rule claims is [`Category::OtherIncome`] when money came
//! in and [`Category::Spending`] when it went out.
//!
//! Words match whole words only, after the description is normalized (upper case, every run of
//! punctuation or spaces turned into one space): `RENT` finds "RENT E-TRANSFER" but not
//! "CURRENT", and `E TRANSFER` finds "INTERAC E-TRANSFER".

pub use categories::{Category, GovProgram, LOAN_PAYMENTS};
use Category as C;
use Direction::{Credit, Debit};
use GovProgram as G;

mod categories;

/// Which side of the ledger a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Credit,
    Debit,
}

#[derive(Debug, Clone, Copy)]
enum Words {
    AnyOf(&'static [&'static str]),
    /// Any name in [`MICRO_LENDERS`], kept in one list so that classification and
    /// [`micro_lender_name`] cannot disagree.
    MicroLender,
}

#[derive(Debug, Clone, Copy)]
struct Rule {
    words: Words,
    direction: Direction,
    category: Category,
}

const fn rule(words: &'static [&'static str], direction: Direction, category: Category) -> Rule {
    Rule {
        words: Words::AnyOf(words),
        direction,
        category,
    }
}

/// Payroll markers; [`employer_name`] strips them to leave the employer.
const PAYROLL_WORDS: &[&str] = &[
    "PAYROLL",
    "PAY DEP",
    "DIRECT DEP PAY",
    "SALARY",
    "PYRL",
    "PAIE",
    "DEPOT PAIE",
];
/// Words [`employer_name`] drops besides the payroll markers.
const PAYROLL_FILLER: &[&str] = &["DEP", "DEPOSIT", "DIRECT", "DD", "PAY", "DEPOT"];

/// (words, display name). Display names follow the lenders' own spelling.
const MICRO_LENDERS: &[(&str, &str)] = &[
    ("ICASH", "iCash"),
    ("MONEY MART", "Money Mart"),
    ("CASH MONEY", "Cash Money"),
    ("EASYFINANCIAL", "easyfinancial"),
    ("EASY FINANCIAL", "easyfinancial"),
    ("CASH 4 YOU", "Cash 4 You"),
    ("LENDDIRECT", "LendDirect"),
    ("SPRING FINANCIAL", "Spring Financial"),
    ("MAJOR LOANS", "Major Loans"),
    ("PAY2DAY", "Pay2Day"),
    ("CASHCO", "Cashco"),
];

const E_TRANSFER: &[&str] = &["E TRANSFER", "ETRANSFER", "INTERAC", "EMT"];
const WIRES: &[&str] = &[
    "WIRE",
    "EFT CREDIT",
    "EFT DEPOSIT",
    "EFT DEBIT",
    "FUNDS TRANSFER",
];

/// Payroll services a business pays its staff through.
const PAYROLL_SERVICES: &[&str] = &[
    "WAGEPOINT",
    "ADP CANADA",
    "CERIDIAN",
    "DAYFORCE",
    "PAYWORKS",
    "NETHRIS",
    "HUMI",
];

const AUTO_LENDERS: &[&str] = &[
    "AUTO FINANCE",
    "AUTO LOAN",
    "CAR LOAN",
    "FORD CREDIT",
    "TOYOTA CREDIT",
    "TOYOTA FINANCIAL",
    "HONDA FINANCIAL",
    "GM FINANCIAL",
    "NISSAN CANADA FINANCE",
    "HYUNDAI CAPITAL",
    "VW CREDIT",
    "BMW FINANCIAL",
];

/// Merchant-service providers: card terminals and online checkout paying out to a business.
const MERCHANT_SERVICES: &[&str] = &[
    "SQUARE CANADA",
    "SQUARE DEPOSIT",
    "SQ DEPOSIT",
    "MONERIS",
    "STRIPE",
    "SHOPIFY PAYMENTS",
    "CLOVER",
    "GLOBAL PAYMENTS",
    "CHASE PAYMENTECH",
    "ELAVON",
    "HELCIM",
    "EVO PAYMENTS",
    "PAYPAL TRANSFER",
    "MERCHANT DEPOSIT",
    "MERCHANT SETTLEMENT",
];

const RULES: &[Rule] = &[
    // Fees first: a fee's description often names what bounced ("NSF FEE ICASH LOAN PAD").
    rule(
        &[
            "NSF FEE",
            "NSF CHARGE",
            "NSF SERVICE CHARGE",
            "NON SUFFICIENT FUNDS",
            "RETURNED ITEM FEE",
            "FRAIS NSF",
        ],
        Debit,
        C::NsfFee,
    ),
    rule(
        &["STOP PAYMENT", "STOP PMT", "ARRET DE PAIEMENT"],
        Debit,
        C::StopPaymentFee,
    ),
    rule(
        &[
            "OVERDRAFT FEE",
            "OVERDRAFT INTEREST",
            "OVERDRAFT HANDLING",
            "OD FEE",
            "OD INTEREST",
            "FRAIS DE DECOUVERT",
        ],
        Debit,
        C::OverdraftFee,
    ),
    rule(
        &[
            "MONTHLY ACCOUNT FEE",
            "MONTHLY PLAN FEE",
            "ACCOUNT MAINTENANCE FEE",
            "SERVICE CHARGE",
            "BANK FEE",
            "FRAIS MENSUELS",
        ],
        Debit,
        C::BankFee,
    ),
    // Government before payroll: federal deposits may carry "PAY" in their description.
    rule(
        &[
            "CANADA FED EI",
            "EI CANADA",
            "CANADA EI",
            "EMPLOYMENT INSURANCE",
            "ASSURANCE EMPLOI",
        ],
        Credit,
        C::GovernmentIncome(G::EmploymentInsurance),
    ),
    rule(
        &[
            "CCB",
            "CANADA CHILD BENEFIT",
            "CHILD TAX BENEFIT",
            "CCTB",
            "ALLOCATION CANADIENNE POUR ENFANTS",
        ],
        Credit,
        C::GovernmentIncome(G::ChildBenefit),
    ),
    // Disability before pensions: "CPP DISABILITY" is not a retirement pension.
    rule(
        &[
            "CPP DISABILITY",
            "ODSP",
            "AISH",
            "DISABILITY SUPPORT",
            "PWD BENEFIT",
        ],
        Credit,
        C::GovernmentIncome(G::Disability),
    ),
    rule(
        &[
            "CPP",
            "CANADA PENSION",
            "QPP",
            "RETRAITE QUEBEC",
            "OAS",
            "OLD AGE SECURITY",
        ],
        Credit,
        C::GovernmentIncome(G::Pension),
    ),
    rule(
        &[
            "ONTARIO WORKS",
            "SOCIAL ASSISTANCE",
            "INCOME ASSISTANCE",
            "ALBERTA WORKS",
            "AIDE SOCIALE",
        ],
        Credit,
        C::GovernmentIncome(G::SocialAssistance),
    ),
    rule(
        &["WSIB", "WCB", "WORKSAFEBC", "CNESST", "WORKERS COMP"],
        Credit,
        C::GovernmentIncome(G::Wsib),
    ),
    // The catch-all federal and provincial deposits, after the named programs above.
    rule(
        &[
            "GST CREDIT",
            "GST HST CREDIT",
            "CANADA CARBON REBATE",
            "CLIMATE ACTION INCENTIVE",
            "ONTARIO TRILLIUM",
            "CANADA FED",
            "PROV FED PAYMENT",
            "CRA",
            "REVENU QUEBEC",
        ],
        Credit,
        C::GovernmentIncome(G::Other),
    ),
    // Payroll before the lenders, so a paycheque from an employer that happens to be a lender
    // ("PAYROLL DEP MONEY MART") stays income.
    rule(PAYROLL_WORDS, Credit, C::EmployerIncome),
    // The same words on a debit are a business paying its staff, as are the payroll services.
    rule(PAYROLL_WORDS, Debit, C::PayrollPayment),
    rule(PAYROLL_SERVICES, Debit, C::PayrollPayment),
    // Micro-lenders before the generic loan words: "ICASH LOAN PAD" is a micro-loan.
    Rule {
        words: Words::MicroLender,
        direction: Debit,
        category: C::MicroLoanPayment,
    },
    Rule {
        words: Words::MicroLender,
        direction: Credit,
        category: C::LoanDeposit,
    },
    rule(
        &["NSLSC", "STUDENT LOAN", "CSLP", "OSAP", "PRET ETUDIANT"],
        Debit,
        C::StudentLoanPayment,
    ),
    rule(
        &["MORTGAGE", "MTG", "HYPOTHEQUE"],
        Debit,
        C::MortgagePayment,
    ),
    rule(AUTO_LENDERS, Debit, C::AutoLoanPayment),
    rule(AUTO_LENDERS, Credit, C::AutoLoanDeposit),
    // What is left that says "loan" is some other loan.
    rule(
        &["LOAN", "LOC PAYMENT", "LINE OF CREDIT", "FAIRSTONE"],
        Debit,
        C::OtherLoanPayment,
    ),
    rule(
        &[
            "LOAN",
            "NSLSC",
            "OSAP",
            "LOC ADVANCE",
            "LINE OF CREDIT",
            "FAIRSTONE",
        ],
        Credit,
        C::LoanDeposit,
    ),
    // After the loans: "SQUARE CAPITAL LOAN" is a loan, "SQUARE CANADA DEPOSIT" a payout.
    rule(MERCHANT_SERVICES, Credit, C::MerchantDeposit),
    rule(
        &[
            "VISA PAYMENT",
            "PAYMENT VISA",
            "VISA PMT",
            "MASTERCARD PAYMENT",
            "PAYMENT MASTERCARD",
            "MC PAYMENT",
            "AMEX PAYMENT",
            "AMEX BILL PAYMENT",
            "CREDIT CARD PAYMENT",
            "CARD PAYMENT",
        ],
        Debit,
        C::CreditCardPayment,
    ),
    // Rent before the e-Transfer rules: rent is mostly paid by e-Transfer ("RENT E-TRANSFER").
    rule(
        &[
            "RENT",
            "LOYER",
            "PROPERTY MGMT",
            "PROPERTY MANAGEMENT",
            "RENTAL PAYMENT",
        ],
        Debit,
        C::Rent,
    ),
    // An Interac e-Transfer goes to or comes from another person, not another account of the
    // customer; these two rules exist so that "E-TRANSFER FROM" never reaches "TRANSFER FROM".
    rule(E_TRANSFER, Credit, C::TransferDeposit),
    rule(E_TRANSFER, Debit, C::TransferPayment),
    // Wires and EFTs come from or go to someone else; before "TRANSFER FROM" for the same reason.
    rule(WIRES, Credit, C::TransferDeposit),
    rule(WIRES, Debit, C::TransferPayment),
    rule(
        &[
            "TRANSFER FROM",
            "TFR FROM",
            "TRANSFER IN",
            "ONLINE TRANSFER",
            "INTERNET TRANSFER",
            "PAYMENT RECEIVED",
        ],
        Credit,
        C::TransferIn,
    ),
    rule(
        &[
            "TRANSFER TO",
            "TFR TO",
            "TRANSFER OUT",
            "ONLINE TRANSFER",
            "INTERNET TRANSFER",
        ],
        Debit,
        C::TransferOut,
    ),
    rule(
        &[
            "HYDRO",
            "ENBRIDGE",
            "UNION GAS",
            "FORTISBC",
            "FORTIS ALBERTA",
            "EPCOR",
            "ENMAX",
            "ATCO",
            "ALECTRA",
            "ENERGIR",
            "NB POWER",
            "NOVA SCOTIA POWER",
            "SASKPOWER",
            "SASKENERGY",
            "WATER BILL",
            "UTILITIES",
        ],
        Debit,
        C::Utility,
    ),
    // Whole brand names only: "BELL" alone would also catch "TACO BELL".
    rule(
        &[
            "ROGERS",
            "BELL CANADA",
            "BELL MOBILITY",
            "TELUS",
            "FIDO",
            "KOODO",
            "VIRGIN PLUS",
            "VIRGIN MOBILE",
            "FREEDOM MOBILE",
            "VIDEOTRON",
            "SHAW COMMUNICATIONS",
            "COGECO",
            "EASTLINK",
            "PUBLIC MOBILE",
            "CHATR",
            "SASKTEL",
        ],
        Debit,
        C::Telecom,
    ),
    // Gig platforms pay out like businesses paying a supplier, not like an employer.
    rule(
        &[
            "UBER",
            "DOORDASH",
            "SKIPTHEDISHES",
            "SKIP THE DISHES",
            "INSTACART",
            "LYFT",
        ],
        Credit,
        C::OtherIncome,
    ),
];

/// The category of a transaction from its description and whether it is a credit (money in).
pub fn classify(description: &str, is_credit: bool) -> Category {
    let text = normalize(description);
    let unclaimed = if is_credit {
        C::OtherIncome
    } else {
        C::Spending
    };
    RULES
        .iter()
        .find(|r| r.applies(&text, is_credit))
        .map_or(unclaimed, |r| r.category)
}

impl Rule {
    fn applies(&self, text: &str, is_credit: bool) -> bool {
        (self.direction == Credit) == is_credit
            && match self.words {
                Words::AnyOf(words) => has_any(text, words),
                Words::MicroLender => micro_lender(text).is_some(),
            }
    }
}

/// The employer named in a payroll deposit, title-cased: "PAYROLL DEP AIR CANADA" → "Air Canada".
/// `None` when the description is not payroll or names nobody.
pub fn employer_name(description: &str) -> Option<String> {
    let text = normalize(description);
    if !has_any(&text, PAYROLL_WORDS) {
        return None;
    }
    let name: Vec<String> = text
        .split_whitespace()
        .filter(|w| !is_payroll_word(w))
        // Reference numbers and dates are not part of a name.
        .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
        .map(title_case)
        .collect();
    (!name.is_empty()).then(|| name.join(" "))
}

/// The micro-lender a transaction involves: "ICASH LOAN PAD" → "iCash".
pub fn micro_lender_name(description: &str) -> Option<String> {
    micro_lender(&normalize(description)).map(str::to_owned)
}

fn micro_lender(text: &str) -> Option<&'static str> {
    MICRO_LENDERS
        .iter()
        .find(|(words, _)| has_words(text, words))
        .map(|&(_, name)| name)
}

fn is_payroll_word(word: &str) -> bool {
    PAYROLL_FILLER.contains(&word)
        || PAYROLL_WORDS
            .iter()
            .any(|p| p.split(' ').any(|part| part == word))
}

/// Upper case, one space between words, and a space at each end so that whole-word matching
/// is a plain substring search for " WORDS ".
fn normalize(description: &str) -> String {
    let mut out = String::with_capacity(description.len() + 2);
    out.push(' ');
    for c in description.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| has_words(text, w))
}

/// `text` comes from [`normalize`], so it starts and ends with a space and every hit of a
/// pattern that itself starts and ends with a letter or digit has a neighbour on each side.
fn has_words(text: &str, words: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(words)
        .any(|(i, _)| bytes[i - 1] == b' ' && bytes[i + words.len()] == b' ')
}

/// "AIR" → "Air"; words without a vowel are usually initials ("RBC", "TD") and stay upper case.
fn title_case(word: &str) -> String {
    if !word.chars().any(|c| "AEIOUY".contains(c)) {
        return word.to_owned();
    }
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    })
}

#[cfg(test)]
mod tests;
