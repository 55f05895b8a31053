//! Numbers as a credit committee reads them: $1,234.56, 1,234, 12.34%, 1.25×.
//!
//! Rounding works on the decimal text, never through `f64`, so $2.675 is $2.68 as a lender's
//! schedule has it (halves away from zero), and the digits printed are the digits stored.

use desk_core::catalog::Unit;

/// The minus sign the affordability formulas subtract with, not a hyphen.
pub const MINUS: char = '\u{2212}';

/// `raw` formatted for its unit; text, dates, ratios and anything that is not a plain decimal
/// stay exactly as stored.
pub fn value(raw: &str, unit: Unit) -> String {
    match unit {
        Unit::Currency => dollars(raw).unwrap_or_else(|| raw.to_owned()),
        Unit::Count | Unit::Days => whole(raw).unwrap_or_else(|| raw.to_owned()),
        Unit::Ratio | Unit::Enum | Unit::Text | Unit::Date => raw.to_owned(),
    }
}

/// `-1234.5` → `−$1,234.50`; `None` unless `raw` is a plain decimal.
pub fn dollars(raw: &str) -> Option<String> {
    let d = Decimal::parse(raw)?.round2();
    Some(format!("{}${}", d.sign(), d.grouped()))
}

/// `39` → `39.00%`.
pub fn percent(raw: &str) -> Option<String> {
    let d = Decimal::parse(raw)?.round2();
    Some(format!("{}{}%", d.sign(), d.fixed()))
}

/// `1.254` → `1.25×`.
pub fn times(raw: &str) -> Option<String> {
    let d = Decimal::parse(raw)?.round2();
    Some(format!("{}{}×", d.sign(), d.fixed()))
}

/// `1234` → `1,234`; a fraction, should one come, is kept as sent rather than rounded away.
pub fn whole(raw: &str) -> Option<String> {
    let d = Decimal::parse(raw)?;
    let int = group(&d.int);
    Some(match d.frac.is_empty() {
        true => format!("{}{int}", d.sign()),
        false => format!("{}{int}.{}", d.sign(), d.frac),
    })
}

/// `123456` → `123,456`.
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// A decimal as its digits: sign, integer digits (no leading zeros but one), fraction digits.
struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    fn parse(raw: &str) -> Option<Decimal> {
        let s = raw.trim();
        let (negative, s) = match s.strip_prefix(['-', MINUS]) {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let d = Decimal {
            negative,
            int: int.to_owned(),
            frac: frac.to_owned(),
        };
        Some(d)
    }

    /// Two fraction digits, halves away from zero.
    fn round2(mut self) -> Decimal {
        let mut frac: Vec<u8> = self.frac.bytes().collect();
        let up = frac.get(2).is_some_and(|&b| b >= b'5');
        frac.resize(2, b'0');
        let mut digits: Vec<u8> = self.int.bytes().chain(frac).collect();
        if up {
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        let split = digits.len() - 2;
        let text = String::from_utf8(digits).expect("ASCII digits");
        let int = text[..split].trim_start_matches('0');
        self.int = if int.is_empty() { "0" } else { int }.to_owned();
        self.frac = text[split..].to_owned();
        self
    }

    fn is_zero(&self) -> bool {
        self.int == "0" && self.frac.bytes().all(|b| b == b'0')
    }

    /// No sign on zero: "−$0.00" would read as a debt.
    fn sign(&self) -> &'static str {
        if self.negative && !self.is_zero() {
            "\u{2212}"
        } else {
            ""
        }
    }

    fn fixed(&self) -> String {
        format!("{}.{}", self.int, self.frac)
    }

    fn grouped(&self) -> String {
        format!("{}.{}", group(&self.int), self.frac)
    }
}

fn group(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_rounded_half_away_and_signed_with_a_minus() {
        assert_eq!(dollars("1234.56").unwrap(), "$1,234.56");
        assert_eq!(dollars("-1234567.5").unwrap(), "\u{2212}$1,234,567.50");
        assert_eq!(dollars("2.675").unwrap(), "$2.68");
        assert_eq!(dollars("999.995").unwrap(), "$1,000.00");
        assert_eq!(dollars("-0.001").unwrap(), "$0.00");
        assert_eq!(dollars("12").unwrap(), "$12.00");
        assert_eq!(dollars(".5").unwrap(), "$0.50");
        assert_eq!(dollars("abc"), None);
        assert_eq!(dollars("1e5"), None);
        assert_eq!(dollars(""), None);
    }

    #[test]
    fn counts_percents_and_multiples() {
        assert_eq!(whole("1234").unwrap(), "1,234");
        assert_eq!(whole("1234.5").unwrap(), "1,234.5");
        assert_eq!(whole("-12").unwrap(), "\u{2212}12");
        assert_eq!(percent("39").unwrap(), "39.00%");
        assert_eq!(percent("33.2861").unwrap(), "33.29%");
        assert_eq!(times("1.254").unwrap(), "1.25×");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(value("0.87", Unit::Ratio), "0.87");
        assert_eq!(value("=HYPERLINK(1)", Unit::Currency), "=HYPERLINK(1)");
    }
}
