//! Figures, their goals, the `bench <name> <value> <unit>` lines and target/bench/results.json.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
pub enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn met(self, value: f64) -> bool {
        match self {
            Goal::AtMost(g) => value <= g,
            Goal::AtLeast(g) => value >= g,
        }
    }

    fn op(self) -> &'static str {
        match self {
            Goal::AtMost(_) => "<=",
            Goal::AtLeast(_) => ">=",
        }
    }

    fn value(self) -> f64 {
        match self {
            Goal::AtMost(g) | Goal::AtLeast(g) => g,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// None: context for the figures that have one, not a target.
    pub goal: Option<Goal>,
}

impl Figure {
    pub fn new(name: &str, value: f64, unit: &'static str) -> Figure {
        Figure {
            name: name.to_owned(),
            value,
            unit,
            goal: None,
        }
    }

    pub fn goal(mut self, goal: Goal) -> Figure {
        self.goal = Some(goal);
        self
    }

    pub fn met(&self) -> Option<bool> {
        self.goal.map(|g| g.met(self.value))
    }

    /// `bench portfolio_wall_over_ideal 1.07 ratio (goal <= 1.3)`; a missed goal says so.
    pub fn line(&self) -> String {
        let mut line = format!("bench {} {} {}", self.name, number(self.value), self.unit);
        if let Some(goal) = self.goal {
            let missed = if goal.met(self.value) { "" } else { ": missed" };
            // Goals are round numbers as the issue wrote them: f64's shortest form shows them so.
            line.push_str(&format!(" (goal {} {}{missed})", goal.op(), goal.value()));
        }
        line
    }

    fn json(&self) -> Value {
        json!({
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "goal": self.goal.map(|g| json!({ "op": g.op(), "value": g.value() })),
            "met": self.met(),
        })
    }
}

/// Three significant digits or so: enough for a figure that moves by a few percent between runs.
fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// What a reader of results.json needs to compare it with another machine's or another day's.
fn context() -> Value {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, m)| m.trim().to_owned())
    });
    let memory_mb = crate::proc::meminfo_kb("MemTotal").map(|kb| kb * 1024 / 1_000_000);
    // Other work on the machine moves every time; the load says how busy it was.
    let load: Option<Vec<f64>> = std::fs::read_to_string("/proc/loadavg").ok().map(|s| {
        s.split_whitespace()
            .take(3)
            .filter_map(|x| x.parse().ok())
            .collect()
    });
    json!({
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu": cpu,
        "memory_mb": memory_mb,
        "load_average_1_5_15_min": load,
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "git_rev": git(&["rev-parse", "HEAD"]),
        // Uncommitted changes make the rev alone a poor description of what was measured.
        "git_dirty": git(&["status", "--porcelain"]).map(|s| !s.is_empty()),
    })
}

pub fn write_json(path: &Path, figures: &[Figure], errors: &[(String, String)]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let doc = json!({
        "context": context(),
        "figures": figures.iter().map(Figure::json).collect::<Vec<_>>(),
        "errors": errors
            .iter()
            .map(|(bench, error)| json!({ "bench": bench, "error": error }))
            .collect::<Vec<_>>(),
    });
    std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_goal_and_say_when_it_is_missed() {
        let met = Figure::new("portfolio_wall_over_ideal", 1.07, "ratio").goal(Goal::AtMost(1.3));
        assert_eq!(
            met.line(),
            "bench portfolio_wall_over_ideal 1.07 ratio (goal <= 1.3)"
        );
        let missed = Figure::new("x_rps", 812.0, "req/s").goal(Goal::AtLeast(1000.0));
        assert_eq!(
            missed.line(),
            "bench x_rps 812 req/s (goal >= 1000: missed)"
        );
        assert_eq!(Figure::new("t", 0.4321, "s").line(), "bench t 0.432 s");
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
