//! A figure as the screen shows it: the rule in words, the same rule with the numbers in, the
//! result. Money is written $1,234.56, percents 12.34%, so a reader can redo the arithmetic.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FigureUnit {
    Dollars,
    /// 39 is 39%.
    Percent,
    /// A multiple, such as a DSCR of 1.25.
    Times,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Formula {
    pub name: String,
    /// "GDS = (monthly P&I at the qualifying rate + property tax + …) / monthly income × 100".
    pub formula: String,
    /// The same with the figures: "($2,679.30 + $350.00 + …) / $10,000.00 × 100 = 33.29%".
    pub with_numbers: String,
    pub value: Decimal,
    pub unit: FigureUnit,
    /// The setting the value is held to, in the same unit (a ceiling for GDS and TDS, a floor
    /// for DSCR).
    pub limit: Option<Decimal>,
    pub within_limit: Option<bool>,
}

impl Formula {
    pub(crate) fn new(
        name: &str,
        formula: impl Into<String>,
        with_numbers: impl Into<String>,
        value: Decimal,
        unit: FigureUnit,
    ) -> Self {
        Formula {
            name: name.to_owned(),
            formula: formula.into(),
            with_numbers: with_numbers.into(),
            value,
            unit,
            limit: None,
            within_limit: None,
        }
    }

    pub(crate) fn held_to(mut self, limit: Decimal, within: bool) -> Self {
        self.limit = Some(limit);
        self.within_limit = Some(within);
        self
    }
}

/// Rounded to the cent (or the hundredth of a percent), halves away from zero as a lender's
/// schedule does.
pub(crate) fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// $1,234.56, −$12.00 (the minus sign the formulas subtract with, not a hyphen).
pub(crate) fn dollars(d: Decimal) -> String {
    format!("{}${}", sign(d), grouped(round2(d).abs()))
}

/// 6.50%.
pub(crate) fn percent(d: Decimal) -> String {
    format!("{}{}%", sign(d), fixed2(d.abs()))
}

/// 1.25.
pub(crate) fn times(d: Decimal) -> String {
    format!("{}{}", sign(d), fixed2(d.abs()))
}

fn sign(d: Decimal) -> &'static str {
    if round2(d) < Decimal::ZERO {
        "−"
    } else {
        ""
    }
}

fn fixed2(d: Decimal) -> String {
    let mut r = round2(d);
    r.rescale(2);
    r.to_string()
}

fn grouped(d: Decimal) -> String {
    let text = fixed2(d);
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{cents}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_to_the_cent() {
        assert_eq!(dollars(Decimal::new(40_000_000, 2)), "$400,000.00");
        assert_eq!(dollars(Decimal::new(22_138_918, 4)), "$2,213.89");
        assert_eq!(dollars(Decimal::new(-12, 0)), "−$12.00");
        assert_eq!(dollars(Decimal::new(999, 0)), "$999.00");
        assert_eq!(dollars(Decimal::new(1_000, 0)), "$1,000.00");
        assert_eq!(percent(Decimal::new(65, 1)), "6.50%");
        assert_eq!(times(Decimal::new(1_655, 3)), "1.66");
        assert_eq!(times(Decimal::new(-714, 2)), "−7.14");
        assert_eq!(percent(Decimal::new(-1, 3)), "0.00%");
        assert_eq!(round2(Decimal::new(166_665, 3)), Decimal::new(16_667, 2));
    }
}
