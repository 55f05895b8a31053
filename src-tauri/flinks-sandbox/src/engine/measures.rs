//! The arithmetic every calculation shares: rounding to the cent, averages, trends and
//! cadences, and the words Flinks writes for them.

use chrono::NaiveDate;

use crate::model::Cents;

/// Flinks' sentinel for a name, date or frequency that was not found.
pub const NONE_DETECTED: &str = "NONE_DETECTED";
pub const INCREASING: &str = "INCREASING";
pub const DECREASING: &str = "DECREASING";
pub const CONSISTENT: &str = "CONSISTENT";
pub const YES: &str = "YES";
pub const NO: &str = "NO";

/// Deposit frequencies, as Flinks spells them, with the gaps in days that make each: the
/// median gap between distinct dates picks one, and two gaps in three must fall in its range.
const CADENCES: &[(&str, i64, i64)] =
    &[("Weekly", 5, 9), ("BiWeekly", 12, 16), ("Monthly", 26, 35)];

/// The free cash flow and the plain (not `_complex`) monthly averages divide by 12.
pub(super) const MONTHS_IN_A_YEAR: i64 = 12;

/// Weekly, BiWeekly, Monthly or NONE_DETECTED, from the gaps between the distinct dates (in
/// order): the median gap picks the cadence, and two gaps in three must fit it. Fewer than
/// three dates say nothing.
pub(super) fn frequency(dates: &[NaiveDate]) -> &'static str {
    let mut days = dates.to_vec();
    days.dedup();
    if days.len() < 3 {
        return NONE_DETECTED;
    }
    let gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    let mut sorted = gaps.clone();
    sorted.sort_unstable();
    let median = sorted[(sorted.len() - 1) / 2];
    CADENCES
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&median))
        .filter(|(_, lo, hi)| {
            let fitting = gaps.iter().filter(|g| (*lo..=*hi).contains(*g)).count();
            3 * fitting >= 2 * gaps.len()
        })
        .map_or(NONE_DETECTED, |(name, _, _)| name)
}

pub(super) fn average(values: &[Cents]) -> Cents {
    if values.is_empty() {
        0
    } else {
        div_round(values.iter().sum(), values.len() as i64)
    }
}

/// How far apart two rates must be, in percent, to call a trend.
const TREND_THRESHOLD_PERCENT: i128 = 15;

/// Compares two averages, each given as (total, number of days): a recent one more than
/// [`TREND_THRESHOLD_PERCENT`] above the earlier one (relative to the earlier one's size) is
/// `INCREASING`, as far below is `DECREASING`. With no days on either side there is nothing to
/// compare. 15%, not 10%: 90 days hold 6 or 7 biweekly paydays, so a steady salary swings up to
/// ±11% by the calendar alone, and an underwriter must not read that as a raise.
pub(super) fn trend_of(
    (recent, recent_days): (Cents, i64),
    (prior, prior_days): (Cents, i64),
) -> &'static str {
    if recent_days == 0 || prior_days == 0 {
        return CONSISTENT;
    }
    // recent/recent_days − prior/prior_days against |prior/prior_days| · 15/100, multiplied
    // through by 100 · recent_days · prior_days to stay in exact integers.
    let change = 100
        * (i128::from(recent) * i128::from(prior_days)
            - i128::from(prior) * i128::from(recent_days));
    let threshold = TREND_THRESHOLD_PERCENT * i128::from(prior).abs() * i128::from(recent_days);
    if change > threshold {
        INCREASING
    } else if change < -threshold {
        DECREASING
    } else {
        CONSISTENT
    }
}

/// `total / n` rounded to the nearest cent, halves away from zero.
pub(super) fn div_round(total: Cents, n: i64) -> Cents {
    debug_assert!(n > 0);
    let (q, r) = (total / n, total % n);
    if 2 * r.abs() >= n {
        q + total.signum()
    } else {
        q
    }
}
