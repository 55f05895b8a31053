//! What each calculation makes of the book: the value of an attribute and the transactions
//! behind it (its AttributesDetail).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeDelta};
use uuid::Uuid;

use super::book::{Book, Tally};
use super::measures::{
    average, div_round, frequency, trend_of, CONSISTENT, MONTHS_IN_A_YEAR, NO, NONE_DETECTED, YES,
};
use super::window::Window;
use crate::catalog::Spec;
use crate::model::{AttrValue, Attribute, Cents};
use crate::vocabulary::{AverageDivisor, BalanceMeasure, Calculation, Counterparties, Flow};

impl Book<'_> {
    pub(super) fn evaluate(&self, spec: &Spec) -> Attribute {
        let (value, detail) = self.calculate(spec.calculation);
        Attribute {
            name: spec.name.clone(),
            value,
            detail,
        }
    }

    fn calculate(&self, calc: Calculation) -> (AttrValue, Vec<(Uuid, Uuid)>) {
        let none = Vec::new;
        let text = |s: &str| AttrValue::Text(s.to_owned());
        match calc {
            Calculation::Sum(flow, period) => {
                let t = self.tally(flow, Window::of_period(period, self.as_of));
                (AttrValue::Money(t.total), self.detail(t.picked.clone()))
            }
            Calculation::Count(flow, period) => {
                let t = self.tally(flow, Window::of_period(period, self.as_of));
                (AttrValue::Count(t.count), self.detail(t.picked.clone()))
            }
            Calculation::Average(flow, per) => {
                let t = self.tally(flow, self.year());
                let value = match per {
                    AverageDivisor::Month => div_round(t.total, self.months()),
                    AverageDivisor::Twelve => div_round(t.total, MONTHS_IN_A_YEAR),
                    AverageDivisor::Year => div_round(t.total * MONTHS_IN_A_YEAR, self.months()),
                    AverageDivisor::Transaction if t.count == 0 => 0,
                    AverageDivisor::Transaction => div_round(t.total, t.count),
                };
                (AttrValue::Money(value), self.detail(t.picked.clone()))
            }
            Calculation::MonthlyCount(flow) => {
                let t = self.tally(flow, self.year());
                let per_month = t.count as f64 / self.months() as f64;
                let value = AttrValue::Number((per_month * 100.0).round() / 100.0);
                (value, self.detail(t.picked.clone()))
            }
            Calculation::Trend(flow) => (text(self.trend(flow, |t| t.total)), none()),
            Calculation::ActivityTrend(flow) => (text(self.trend(flow, |t| t.count)), none()),
            Calculation::TrendRatio(flow) => (AttrValue::Number(self.trend_ratio(flow)), none()),
            Calculation::Frequency(flow) => {
                let t = self.tally(flow, self.year());
                let dates: Vec<NaiveDate> =
                    t.picked.iter().map(|&i| self.entries[i].tx.date).collect();
                (text(frequency(&dates)), none())
            }
            Calculation::LastTwoDates(flow) => {
                let t = self.tally(flow, self.year());
                let last: Vec<usize> = t.picked.iter().rev().take(2).copied().collect();
                let dates: Vec<String> = last
                    .iter()
                    .map(|&i| self.entries[i].tx.date.format("%Y/%m/%d").to_string())
                    .collect();
                let value = if dates.is_empty() {
                    NONE_DETECTED.to_owned()
                } else {
                    dates.join(", ")
                };
                (AttrValue::Text(value), self.detail(last))
            }
            Calculation::Has(flow) => {
                let any = self.tally(flow, self.year()).count > 0;
                (text(if any { YES } else { NO }), none())
            }
            Calculation::Name(names, rank) => {
                let ranked = self.ranked(names);
                let name = ranked.get(rank).map_or(NONE_DETECTED, |r| r.name.as_str());
                (text(name), none())
            }
            Calculation::CountDistinct(names) => {
                let mut latest: Vec<usize> = self.ranked(names).iter().map(|r| r.latest).collect();
                latest.sort_unstable();
                (AttrValue::Count(latest.len() as i64), self.detail(latest))
            }
            Calculation::ActiveDays => {
                // The first transaction of each day that has one.
                let year = self.year();
                let firsts: Vec<usize> = self
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(i, e)| {
                        year.contains(e.tx.date)
                            && (*i == 0 || self.entries[i - 1].tx.date != e.tx.date)
                    })
                    .map(|(i, _)| i)
                    .collect();
                (AttrValue::Count(firsts.len() as i64), self.detail(firsts))
            }
            Calculation::AccountAge => {
                let age = self
                    .opened
                    .map_or(0, |opened| (self.as_of - opened).num_days().max(0));
                (AttrValue::Count(age), none())
            }
            Calculation::Balance(b) => (self.balance(b), none()),
        }
    }

    /// The last 90 days' daily rate of the flow against the 270 days' before, each over the days
    /// the accounts existed in them; `measure` takes the amount or the count.
    fn trend(&self, flow: &'static Flow, measure: fn(&Tally) -> Cents) -> &'static str {
        let (recent, prior) = self.rates(flow, measure);
        trend_of(recent, prior)
    }

    fn rates(
        &self,
        flow: &'static Flow,
        measure: fn(&Tally) -> Cents,
    ) -> ((Cents, i64), (Cents, i64)) {
        let recent = Window::last_days(self.as_of, 90);
        let prior = recent.preceding(270);
        let rate = |w: Window| (measure(&self.tally(flow, w)), w.day_count(self.since));
        (rate(recent), rate(prior))
    }

    fn trend_ratio(&self, flow: &'static Flow) -> f64 {
        let ((recent, recent_days), (prior, prior_days)) = self.rates(flow, |t| t.total);
        if prior == 0 || recent_days == 0 || prior_days == 0 {
            return 0.0;
        }
        let ratio = (recent as f64 / recent_days as f64) / (prior as f64 / prior_days as f64);
        (ratio * 100.0).round() / 100.0
    }

    fn balance(&self, b: BalanceMeasure) -> AttrValue {
        let quarter = Window::last_days(self.as_of, 90);
        let money = AttrValue::Money;
        let Some(p) = &self.primary else {
            return match b {
                BalanceMeasure::NegativeDays => AttrValue::Count(0),
                BalanceMeasure::Trend => AttrValue::Text(CONSISTENT.to_owned()),
                _ => money(0),
            };
        };
        match b {
            BalanceMeasure::Min => money(
                self.end_of_day_balances(quarter)
                    .into_iter()
                    .min()
                    .unwrap_or(0),
            ),
            BalanceMeasure::Max => money(
                self.end_of_day_balances(quarter)
                    .into_iter()
                    .max()
                    .unwrap_or(0),
            ),
            BalanceMeasure::Average => money(average(&self.end_of_day_balances(quarter))),
            BalanceMeasure::NegativeDays => {
                let days = self.end_of_day_balances(quarter);
                AttrValue::Count(days.iter().filter(|&&b| b < 0).count() as i64)
            }
            BalanceMeasure::Current => money(p.balance_at(self.as_of)),
            BalanceMeasure::DaysAgo(n) => money(p.balance_at(self.as_of - TimeDelta::days(n))),
            BalanceMeasure::Trend => {
                let sum_and_days = |w: Window| {
                    let days = self.end_of_day_balances(w);
                    (days.iter().sum::<Cents>(), days.len() as i64)
                };
                AttrValue::Text(
                    trend_of(sum_and_days(quarter), sum_and_days(quarter.preceding(90))).to_owned(),
                )
            }
            BalanceMeasure::ClosingOn(flow, offset) => {
                let t = self.tally(flow, self.year());
                let mut days: Vec<NaiveDate> = t
                    .picked
                    .iter()
                    .map(|&i| self.entries[i].tx.date + TimeDelta::days(offset))
                    .filter(|d| p.from <= *d && *d <= self.as_of)
                    .collect();
                days.dedup();
                let closing: Vec<Cents> = days.iter().map(|d| p.balance_at(*d)).collect();
                money(average(&closing))
            }
        }
    }

    /// The primary account's balance at the end of each day of the window on which it was
    /// open and in the data. Days without a transaction carry the balance of the day before.
    fn end_of_day_balances(&self, window: Window) -> Vec<Cents> {
        self.primary.as_ref().map_or_else(Vec::new, |p| {
            window.days(p.from).map(|day| p.balance_at(day)).collect()
        })
    }

    /// The names seen over the last 365 days, best first: the most transactions, then the
    /// larger total, then alphabetically.
    fn ranked(&self, names: Counterparties) -> Vec<Ranked> {
        // A name depends only on the description and the direction: ask once per pair.
        let mut memo: HashMap<(&str, bool), Option<String>> = HashMap::new();
        let mut seen: BTreeMap<String, Ranked> = BTreeMap::new();
        let year = self.year();
        for (i, e) in self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| year.contains(e.tx.date))
        {
            let key = (e.tx.description.as_str(), e.is_credit());
            if let Some(n) = memo.entry(key).or_insert_with(|| names.of(e)) {
                let r = seen.entry(n.clone()).or_insert_with(|| Ranked {
                    name: n.clone(),
                    count: 0,
                    total: 0,
                    latest: i,
                });
                r.count += 1;
                r.total += e.amount();
                r.latest = i;
            }
        }
        let mut ranked: Vec<Ranked> = seen.into_values().collect();
        // Stable over the alphabetical order, so equals stay alphabetical.
        ranked.sort_by_key(|r| std::cmp::Reverse((r.count, r.total)));
        ranked
    }
}

struct Ranked {
    name: String,
    count: i64,
    total: Cents,
    /// The entry of the name's latest transaction.
    latest: usize,
}
