//! The payment of a fully amortizing loan, in Decimal: the periodic rate a nominal annual rate
//! gives under a compounding convention, and the annuity formula.
//!
//! rust_decimal has no fractional power without its `maths` feature, whose `powd` goes through
//! `exp` and `ln` series; a payment must be right to the cent on any amount, so the one
//! fractional power needed (a p-th root) is taken by Newton's method instead, which converges to
//! the last of Decimal's 28 digits.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How often the lender compounds the nominal annual rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Compounding {
    /// Twelve times a year: personal loans, lines of credit, most variable-rate mortgages.
    Monthly,
    /// Twice a year, not in advance: the Interest Act (s. 6) makes a blended-payment mortgage
    /// state its rate "calculated yearly or half-yearly, not in advance", so Canadian fixed-rate
    /// mortgages quote a rate compounded semi-annually. Their monthly rate is therefore
    /// (1 + j/2)^(1/6) − 1, a little less than j/12.
    SemiAnnual,
}

impl Compounding {
    pub fn per_year(self) -> u32 {
        match self {
            Compounding::Monthly => 12,
            Compounding::SemiAnnual => 2,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Compounding::Monthly => "compounded monthly",
            Compounding::SemiAnnual => "compounded semi-annually",
        }
    }
}

/// The effective rate per payment (a fraction: 0.0037… for 0.37…%) of an annual rate in percent
/// compounded `compounding`, for `payments_per_year` payments: (1 + j/m)^(m/p) − 1. `None` on
/// overflow.
pub(crate) fn periodic_rate(
    annual_percent: Decimal,
    compounding: Compounding,
    payments_per_year: u32,
) -> Option<Decimal> {
    let m = compounding.per_year();
    let per_compounding = annual_percent
        .checked_div(Decimal::ONE_HUNDRED)?
        .checked_div(Decimal::from(m))?;
    if m == payments_per_year {
        return Some(per_compounding);
    }
    let yearly = powu(Decimal::ONE.checked_add(per_compounding)?, m)?;
    nth_root(yearly, payments_per_year)?.checked_sub(Decimal::ONE)
}

/// The level payment that repays `principal` in `n` payments at `rate` per payment:
/// P·i / (1 − (1 + i)^−n), or P / n when the rate is zero. Unrounded. `None` on overflow or when
/// `n` is zero.
pub(crate) fn payment(principal: Decimal, rate: Decimal, n: u32) -> Option<Decimal> {
    if n == 0 {
        return None;
    }
    if rate.is_zero() {
        return principal.checked_div(Decimal::from(n));
    }
    // (1 + i)^−n as a power of the discount factor: it shrinks towards zero instead of growing
    // past Decimal's range on long, high-rate loans.
    let discount = Decimal::ONE.checked_div(Decimal::ONE.checked_add(rate)?)?;
    let remaining = powu(discount, n)?;
    principal
        .checked_mul(rate)?
        .checked_div(Decimal::ONE.checked_sub(remaining)?)
}

/// base^exp by squaring.
pub(crate) fn powu(base: Decimal, exp: u32) -> Option<Decimal> {
    let mut result = Decimal::ONE;
    let mut square = base;
    let mut e = exp;
    while e > 0 {
        if e & 1 == 1 {
            result = result.checked_mul(square)?;
        }
        e >>= 1;
        if e > 0 {
            square = square.checked_mul(square)?;
        }
    }
    Some(result)
}

/// The n-th root of `a` ≥ 1 by Newton's method on x^n − a. Starting from 1 + (a − 1)/n, which
/// Bernoulli's inequality puts above the root, the iterates fall monotonically onto it; the
/// loop stops when a step no longer lowers x (Decimal's last digit reached).
pub(crate) fn nth_root(a: Decimal, n: u32) -> Option<Decimal> {
    if n == 0 || a < Decimal::ONE {
        return None;
    }
    if n == 1 || a == Decimal::ONE {
        return Some(a);
    }
    let n_dec = Decimal::from(n);
    let mut x = Decimal::ONE.checked_add(a.checked_sub(Decimal::ONE)?.checked_div(n_dec)?)?;
    for _ in 0..200 {
        let below = powu(x, n - 1)?;
        let f = below.checked_mul(x)?.checked_sub(a)?;
        let next = x.checked_sub(f.checked_div(n_dec.checked_mul(below)?)?)?;
        if next >= x {
            break;
        }
        x = next;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn roots_are_exact_to_decimal_precision() {
        // 1.0225^6 = 1.139…; its 6th root must come back to 1.0225 within Decimal's last digits.
        let sixth = powu(d("1.0225"), 6).unwrap();
        let back = nth_root(sixth, 6).unwrap();
        assert!((back - d("1.0225")).abs() < d("1e-25"), "{back}");
        assert_eq!(nth_root(d("1.21"), 2).unwrap().round_dp(20), d("1.1"));
        assert_eq!(nth_root(Decimal::ONE, 12), Some(Decimal::ONE));
        assert_eq!(nth_root(d("0.5"), 2), None);
    }

    #[test]
    fn semi_annual_monthly_rate_is_the_sixth_root() {
        // (1 + 0.045/2)^(1/6) − 1 = 0.00371531957480726538329941196… (worked at 40 digits).
        let i = periodic_rate(d("4.5"), Compounding::SemiAnnual, 12).unwrap();
        assert_eq!(i.round_dp(24), d("0.003715319574807265383299"));
        // Monthly compounding with monthly payments is j/12 exactly.
        let m = periodic_rate(d("6"), Compounding::Monthly, 12).unwrap();
        assert_eq!(m, d("0.005"));
    }

    #[test]
    fn biweekly_payments_under_monthly_compounding_take_a_root() {
        // (1 + 0.06/12)^(12/26) − 1: 26 such periods make the same year as 12 months.
        let i = periodic_rate(d("6"), Compounding::Monthly, 26).unwrap();
        let year = powu(Decimal::ONE + i, 26).unwrap();
        let months = powu(d("1.005"), 12).unwrap();
        assert!((year - months).abs() < d("1e-24"));
    }

    #[test]
    fn zero_rate_is_principal_over_payments() {
        assert_eq!(payment(d("1200"), Decimal::ZERO, 12), Some(d("100")));
        assert_eq!(payment(d("1200"), d("0.01"), 0), None);
    }

    #[test]
    fn long_high_rate_loans_do_not_overflow() {
        // 199% a year compounded monthly over 50 years of weekly payments: (1 + i)^2600 is past
        // Decimal's range, its inverse merely tiny; the payment tends to P·i.
        let i = periodic_rate(d("199"), Compounding::Monthly, 52).unwrap();
        let p = payment(d("100000"), i, 2600).unwrap();
        assert_eq!(p.round_dp(2), (d("100000") * i).round_dp(2));
    }
}
