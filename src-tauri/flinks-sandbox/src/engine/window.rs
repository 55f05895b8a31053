//! Ranges of dates: the last N days and calendar months, counted back from `as_of`.

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::vocabulary::Period;

/// A range of dates: those after `after` up to and including `upto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Window {
    pub(super) after: NaiveDate,
    pub(super) upto: NaiveDate,
}

impl Window {
    /// The dates a period covers.
    pub(super) fn of_period(period: Period, as_of: NaiveDate) -> Window {
        match period {
            Period::Days(n) => Window::last_days(as_of, n),
            Period::Month(k) => Window::calendar_month(as_of, k),
        }
    }

    pub(super) fn last_days(as_of: NaiveDate, days: i64) -> Window {
        Window {
            after: as_of - TimeDelta::days(days),
            upto: as_of,
        }
    }

    /// The calendar month `months_ago` months before `as_of`'s, cut at `as_of`.
    pub(super) fn calendar_month(as_of: NaiveDate, months_ago: u32) -> Window {
        let first = as_of
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(months_ago)))
            .expect("dates stay far from chrono's limits");
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .expect("dates stay far from chrono's limits");
        Window {
            after: first - TimeDelta::days(1),
            upto: (next - TimeDelta::days(1)).min(as_of),
        }
    }

    /// The `days` days that end where this window starts.
    pub(super) fn preceding(self, days: i64) -> Window {
        Window {
            after: self.after - TimeDelta::days(days),
            upto: self.after,
        }
    }

    pub(super) fn contains(self, date: NaiveDate) -> bool {
        self.after < date && date <= self.upto
    }

    /// The window's days from `since` on.
    pub(super) fn days(self, since: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        let first = (self.after + TimeDelta::days(1)).max(since);
        first.iter_days().take_while(move |d| *d <= self.upto)
    }

    /// How many of the window's days fall on or after `since` (none without a `since`).
    pub(super) fn day_count(self, since: Option<NaiveDate>) -> i64 {
        since.map_or(0, |s| self.days(s).count() as i64)
    }
}
