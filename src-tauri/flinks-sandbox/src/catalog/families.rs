//! How a family of attributes is written out: a flow crossed with aggregations, each member
//! named from a template, and the registry that collects the members into packages.

use std::collections::HashMap;

use super::spec::{Package, Spec, Unit};
use crate::vocabulary::{AverageDivisor, Calculation, Flow, FlowDirection, Period};
use FlowDirection::{Any, In, Net, Out};

// ---- aggregations ----

/// What a family member computes from its flow.
#[derive(Debug, Clone, Copy)]
pub(super) enum Aggregation {
    Sum(Period),
    Count(Period),
    Average(AverageDivisor),
    MonthlyCount,
    Trend,
    TrendRatio,
    ActivityTrend,
    Frequency,
    LastTwoDates,
    Has,
}

impl Aggregation {
    fn calculation(self, f: &'static Flow) -> Calculation {
        match self {
            Aggregation::Sum(p) => Calculation::Sum(f, p),
            Aggregation::Count(p) => Calculation::Count(f, p),
            Aggregation::Average(per) => Calculation::Average(f, per),
            Aggregation::MonthlyCount => Calculation::MonthlyCount(f),
            Aggregation::Trend => Calculation::Trend(f),
            Aggregation::TrendRatio => Calculation::TrendRatio(f),
            Aggregation::ActivityTrend => Calculation::ActivityTrend(f),
            Aggregation::Frequency => Calculation::Frequency(f),
            Aggregation::LastTwoDates => Calculation::LastTwoDates(f),
            Aggregation::Has => Calculation::Has(f),
        }
    }

    fn unit(self) -> Unit {
        match self {
            Aggregation::Sum(_) | Aggregation::Average(_) => Unit::Currency,
            Aggregation::Count(_) | Aggregation::MonthlyCount => Unit::Count,
            Aggregation::Trend
            | Aggregation::ActivityTrend
            | Aggregation::Frequency
            | Aggregation::Has => Unit::Enum,
            Aggregation::TrendRatio => Unit::Ratio,
            Aggregation::LastTwoDates => Unit::Date,
        }
    }

    fn period(self) -> Option<Period> {
        match self {
            Aggregation::Sum(p) | Aggregation::Count(p) => Some(p),
            _ => None,
        }
    }

    fn define(self, f: &Flow) -> String {
        let what = f.what;
        let trend = "INCREASING or DECREASING beyond 15%, else CONSISTENT";
        match self {
            Aggregation::Sum(p) => format!("Sum of {what} in {}.", p.phrase()),
            Aggregation::Count(p) => format!("Number of {what} in {}.", p.phrase()),
            Aggregation::Average(AverageDivisor::Month) => format!(
                "Monthly average of {what}: their sum over the last 365 days divided by the months the accounts existed in them (1 to 12)."
            ),
            Aggregation::Average(AverageDivisor::Twelve) => format!(
                "Monthly average of {what}: their sum over the last 365 days divided by 12."
            ),
            Aggregation::Average(AverageDivisor::Year) => format!(
                "Yearly amount of {what}: their monthly average over the months the accounts existed in the last 365 days, times 12."
            ),
            Aggregation::Average(AverageDivisor::Transaction) => {
                format!("Average amount of one of the {what} over the last 365 days.")
            }
            Aggregation::MonthlyCount => format!(
                "Number of {what} per month: their count over the last 365 days divided by the months the accounts existed in them."
            ),
            Aggregation::Trend => format!(
                "Trend of {what}: their daily amount over the last 90 days against the 270 days before; {trend}."
            ),
            Aggregation::TrendRatio => format!(
                "Daily amount of {what} over the last 90 days divided by that of the 270 days before (0 when there were none before)."
            ),
            Aggregation::ActivityTrend => format!(
                "Trend of the number of {what}: per day over the last 90 days against the 270 days before; {trend}."
            ),
            Aggregation::Frequency => format!(
                "How often {what} occur, from the gaps between their dates over the last 365 days: Weekly, BiWeekly, Monthly or NONE_DETECTED."
            ),
            Aggregation::LastTwoDates => format!(
                "Dates of the last two {what} in the last 365 days (YYYY/MM/DD, latest first), or NONE_DETECTED."
            ),
            Aggregation::Has => format!("YES when there were {what} in the last 365 days, else NO."),
        }
    }
}

/// The calendar months `current_month`, `previous_month`, `2_months_ago` … up to `n − 1`.
pub(super) fn months(n: u32) -> Vec<Period> {
    (0..n).map(Period::Month).collect()
}

/// Windows of the last N days.
pub(super) fn days(ns: &[i64]) -> Vec<Period> {
    ns.iter().map(|&n| Period::Days(n)).collect()
}

pub(super) const SHORT_WINDOWS: &[i64] = &[30, 60, 90];
pub(super) const ALL_WINDOWS: &[i64] = &[30, 60, 90, 180, 365];

/// What Lending reports on each income source (flinks-api.md §4.4, Lending: "average monthly
/// complex, average amount, total detected, frequency, trend, last two deposit dates").
pub(super) const INCOME_SOURCE: &[(&str, Aggregation)] = &[
    (
        "average_monthly_{k}_complex",
        Aggregation::Average(AverageDivisor::Month),
    ),
    (
        "average_monthly_{k}",
        Aggregation::Average(AverageDivisor::Twelve),
    ),
    (
        "average_{k}_deposit",
        Aggregation::Average(AverageDivisor::Transaction),
    ),
    ("sum_{k}", Aggregation::Sum(Period::Days(365))),
    ("{k}_trend_simple", Aggregation::Trend),
    ("{k}_frequency", Aggregation::Frequency),
    ("last_2_deposit_dates_{k}", Aggregation::LastTwoDates),
];

/// What Business Analysis reports on each business flow (flinks-api.md §4.4, Business
/// Analysis); `{each}` is `deposit` for money in and `payment` for money out.
pub(super) const BUSINESS_SUMMARY: &[(&str, Aggregation)] = &[
    (
        "average_monthly_{k}_biz",
        Aggregation::Average(AverageDivisor::Month),
    ),
    (
        "average_{k}_{each}_biz",
        Aggregation::Average(AverageDivisor::Transaction),
    ),
    ("{k}_trend_biz", Aggregation::TrendRatio),
    ("{k}_trend_simple_biz", Aggregation::Trend),
    ("{k}_frequency_biz", Aggregation::Frequency),
    ("last_2_{each}_dates_{k}_biz", Aggregation::LastTwoDates),
    ("sum_{k}_{w}_biz", Aggregation::Sum(Period::Days(365))),
];

/// A name from a template: `{k}` the flow's key, `{w}` the period's suffix, `{each}` deposit
/// or payment.
fn fill(template: &str, f: &Flow, period: Option<Period>) -> String {
    let each = match f.direction {
        In => "deposit",
        Out => "payment",
        Net | Any => "transaction",
    };
    let name = template.replace("{k}", f.key).replace("{each}", each);
    match period {
        Some(p) => name.replace("{w}", &p.suffix()),
        None => name,
    }
}

// ---- the registry the package builders fill ----

#[derive(Default)]
pub(super) struct Registry {
    pub(super) specs: Vec<Spec>,
    pub(super) index: HashMap<String, usize>,
    pub(super) members: HashMap<Package, Vec<usize>>,
    /// The package being built.
    package: Option<Package>,
}

impl Registry {
    pub(super) fn build(&mut self, package: Package, builder: fn(&mut Registry)) {
        self.package = Some(package);
        self.members.entry(package).or_default();
        builder(self);
    }

    /// Adds an attribute to the package being built; one already in the catalog under that
    /// name joins the package as it is.
    pub(super) fn add(
        &mut self,
        name: String,
        unit: Unit,
        category: &'static str,
        definition: String,
        calculation: Calculation,
    ) {
        let package = self
            .package
            .expect("attributes are added by a package builder");
        let i = match self.index.get(&name) {
            Some(&i) => {
                debug_assert_eq!(
                    self.specs[i].definition, definition,
                    "{name} is defined twice"
                );
                i
            }
            None => {
                self.specs.push(Spec {
                    name: name.clone(),
                    packages: Vec::new(),
                    unit,
                    category,
                    definition,
                    calculation,
                });
                self.index.insert(name, self.specs.len() - 1);
                self.specs.len() - 1
            }
        };
        let members = self.members.entry(package).or_default();
        if !members.contains(&i) {
            members.push(i);
            self.specs[i].packages.push(package);
        }
    }

    /// One family member: `agg` of `f`, named by the template.
    pub(super) fn one(&mut self, template: &str, agg: Aggregation, f: &'static Flow) {
        let name = fill(template, f, agg.period());
        self.add(
            name,
            agg.unit(),
            f.section,
            agg.define(f),
            agg.calculation(f),
        );
    }

    /// The family members of `f` for each period.
    pub(super) fn each(
        &mut self,
        template: &str,
        agg: fn(Period) -> Aggregation,
        f: &'static Flow,
        periods: &[Period],
    ) {
        for &p in periods {
            self.one(template, agg(p), f);
        }
    }

    /// A table of (template, aggregation) rows applied to `f`.
    pub(super) fn table(&mut self, rows: &[(&str, Aggregation)], f: &'static Flow) {
        for &(template, agg) in rows {
            self.one(template, agg, f);
        }
    }

    /// `sum_{k}_<month>` then `count_{k}_<month>` for the months, with a name suffix.
    pub(super) fn monthly(&mut self, f: &'static Flow, n: u32, suffix: &str) {
        self.each(
            &format!("sum_{{k}}_{{w}}{suffix}"),
            Aggregation::Sum,
            f,
            &months(n),
        );
        self.each(
            &format!("count_{{k}}_{{w}}{suffix}"),
            Aggregation::Count,
            f,
            &months(n),
        );
    }
}
