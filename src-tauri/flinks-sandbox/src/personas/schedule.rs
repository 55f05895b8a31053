//! The dates a stream's schedule gives within a span: paydays on fixed Fridays, monthly dates
//! moved off weekends as banks post, a few days a week, scattered days.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::Rng;

use super::builder::{first_of_month, Builder, Span, When};
use When::{Biweekly, BiweeklyMostly, Every, FirstDay, Monthly, Quarterly, Scattered, Weekly};

/// Payroll runs on Fridays: every biweekly schedule is phased from this Friday.
const FRIDAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 7) {
    Some(d) => d,
    None => panic!("2000-01-07 is a date"),
};

impl Builder {
    // ---- schedules: dates within a span ----

    /// Every `step` days, phased so that the dates fall `phase` days after a fixed Friday
    /// (so paydays stay on the same Fridays whatever the span).
    pub(super) fn every(&self, span: Span, step: i64, phase: i64) -> Vec<NaiveDate> {
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
    pub(super) fn monthly(&mut self, span: Span, day: u32, jitter: i64) -> Vec<NaiveDate> {
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
    pub(super) fn per_week(&mut self, span: Span, (min, max): (u32, u32)) -> Vec<NaiveDate> {
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
    pub(super) fn scattered(&mut self, span: Span, n: usize) -> Vec<NaiveDate> {
        (0..n)
            .map(|_| span.from + TimeDelta::days(self.rng.gen_range(0..span.days())))
            .collect()
    }

    /// Keeps each date with the given probability: missed shifts, skipped paydays.
    pub(super) fn thin(&mut self, mut dates: Vec<NaiveDate>, keep_percent: u32) -> Vec<NaiveDate> {
        dates.retain(|_| self.rng.gen_ratio(keep_percent, 100));
        dates
    }

    /// The dates a schedule gives within a span.
    pub(super) fn dates(&mut self, span: Span, when: When) -> Vec<NaiveDate> {
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
