//! The credit file reshaped for the page: every string already formatted, so the template only
//! lays out. It reaches Typst as `data.json` and is read there as strings, which Typst shows
//! literally: user text is never spliced into markup, so `#`, `*`, `$`, `[`, `=` need no escaping.

use desk_core::credit_file::{CreditFile, FileDecision};
use desk_core::store::StoredDetail;
use serde::Serialize;

use super::format;

/// Longer cell text is cut here, with a note of how much more there is: a row must fit on a
/// page to stay whole, and the workbook keeps every character.
const CELL_LIMIT: usize = 600;

/// Typst does not break a word that is wider than its column (it would run over the next one).
/// Every this many characters without a space, a zero-width space lets the line break.
const WORD_LIMIT: usize = 24;

#[derive(Serialize)]
pub struct Report {
    pub title: String,
    pub customer: String,
    pub environment: String,
    pub production: bool,
    pub institution: String,
    pub login: String,
    pub accounts: Vec<String>,
    pub request_id: String,
    pub data_as_of: String,
    pub finished_at: String,
    pub package: String,
    pub transactions: String,
    pub decision: Option<Decision>,
    pub headline: Vec<Headline>,
    pub charts: Vec<ChartRef>,
    pub rows: Vec<Row>,
    pub statements: Vec<Statement>,
    pub footer: String,
}

#[derive(Serialize)]
pub struct Decision {
    /// PASS, REFER, DECLINE.
    pub final_word: String,
    pub color: &'static str,
    /// What the policy said, when an underwriter overrode it.
    pub policy_word: Option<String>,
    pub override_comment: Option<String>,
    pub policy: String,
    pub version: String,
    pub decided_at: String,
    pub decided_by: String,
    pub reasons: Vec<ReasonLine>,
    pub formulas: Vec<FormulaLine>,
}

#[derive(Serialize)]
pub struct ReasonLine {
    pub text: String,
    pub rule: String,
    pub attribute: String,
    pub label: String,
    pub value: String,
    pub outcome: String,
    pub transactions: Vec<Transaction>,
}

#[derive(Serialize)]
pub struct Transaction {
    pub date: String,
    pub account: String,
    pub description: String,
    pub debit: String,
    pub credit: String,
    pub balance: String,
}

#[derive(Serialize)]
pub struct FormulaLine {
    pub name: String,
    pub formula: String,
    pub with_numbers: String,
    pub value: String,
    pub limit: String,
    pub status: String,
    pub within: Option<bool>,
}

#[derive(Serialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    pub why: String,
}

#[derive(Serialize)]
pub struct ChartRef {
    pub title: String,
    /// The virtual file holding the SVG.
    pub file: String,
    pub description: String,
}

#[derive(Serialize)]
pub struct Row {
    pub label: String,
    pub name: String,
    pub category: String,
    pub value: String,
    pub unit: String,
    pub definition: String,
}

#[derive(Serialize)]
pub struct Statement {
    pub account: String,
    pub file: String,
    pub size: String,
    pub sha256: String,
}

/// The virtual file name of chart `index`.
pub fn chart_file(index: usize) -> String {
    format!("chart-{index}.svg")
}

pub fn report(file: &CreditFile) -> Report {
    let p = &file.provenance;
    Report {
        title: format!("Credit file — {}", cell(&file.customer)),
        customer: cell(&file.customer),
        environment: cell(&file.environment),
        production: file.production,
        institution: file.institution.as_deref().map(cell).unwrap_or_default(),
        login: file
            .login_last4
            .as_deref()
            .map(|l| format!("••••{}", last4(l)))
            .unwrap_or_default(),
        accounts: file
            .accounts
            .iter()
            .map(|a| {
                let number = a.last4.as_deref().map(|l| format!("••••{}", last4(l)));
                match (a.title.as_deref(), number) {
                    (Some(t), Some(n)) => format!("{} {n}", cell(t)),
                    (Some(t), None) => cell(t),
                    (None, Some(n)) => n,
                    (None, None) => "(unnamed account)".to_owned(),
                }
            })
            .collect(),
        request_id: exact(&file.request_id),
        data_as_of: exact(&file.data_as_of),
        finished_at: exact(&file.finished_at),
        package: cell(&file.package),
        transactions: format::count(file.transactions as u64),
        decision: file.decision.as_ref().map(|d| decision(d, file)),
        headline: file
            .headline
            .iter()
            .map(|h| Headline {
                label: cell(&h.label),
                value: cell(&format::value(&h.raw, h.unit)),
                why: cell(&h.why),
            })
            .collect(),
        charts: file
            .charts
            .iter()
            .enumerate()
            .map(|(i, c)| ChartRef {
                title: cell(&c.title),
                file: chart_file(i),
                description: cell(&c.description),
            })
            .collect(),
        rows: file
            .rows
            .iter()
            .map(|r| Row {
                label: cell(&r.label),
                name: cell(&(r.name)),
                category: cell(&r.category),
                value: cell(&format::value(&r.raw, r.unit)),
                unit: unit_word(r.unit).to_owned(),
                definition: cell(&r.definition),
            })
            .collect(),
        statements: file
            .statements
            .iter()
            .map(|s| Statement {
                account: format!("••••{}", last4(&s.account)),
                file: cell(basename(&s.path)),
                size: size(s.bytes),
                sha256: s.sha256.clone(),
            })
            .collect(),
        footer: format!("{} · made for {} · as of {}", p.generator, p.user, p.as_of),
    }
}

fn decision(d: &FileDecision, file: &CreditFile) -> Decision {
    let s = &d.summary;
    Decision {
        final_word: s.final_decision.to_uppercase(),
        color: match s.final_decision.as_str() {
            "pass" => "pass",
            "refer" => "refer",
            _ => "decline",
        },
        policy_word: s.overridden.then(|| s.decision.to_uppercase()),
        override_comment: d.override_comment.as_deref().map(cell),
        policy: cell(&s.policy),
        version: s.policy_sha256.chars().take(12).collect(),
        decided_at: exact(&s.decided_at),
        decided_by: cell(&s.decided_by),
        reasons: d
            .reasons
            .iter()
            .map(|r| ReasonLine {
                text: cell(&r.reason.text),
                rule: cell(&(r.reason.rule)),
                attribute: cell(&(r.reason.attribute)),
                label: r.label.as_deref().map(cell).unwrap_or_default(),
                value: {
                    let value = match &r.reason.value {
                        serde_json::Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    // Formatted as the attribute's row is; a policy's own figure stays as is.
                    let row = file.rows.iter().find(|row| row.name == r.reason.attribute);
                    cell(&row.map_or(value.clone(), |row| format::value(&value, row.unit)))
                },
                outcome: r
                    .reason
                    .outcome
                    .map(|o| o.as_str().to_uppercase())
                    .unwrap_or_default(),
                transactions: r.transactions.iter().map(transaction).collect(),
            })
            .collect(),
        // desk-policy's `Formula` is not nameable here (not a dependency of this crate): its
        // fields are read where the type is inferred and passed on as text.
        formulas: d
            .affordability
            .iter()
            .map(|f| {
                let unit = serde_json::to_value(f.unit).ok();
                formula(Figure {
                    name: &f.name,
                    formula: &f.formula,
                    with_numbers: &f.with_numbers,
                    value: f.value.to_string(),
                    unit: unit.as_ref().and_then(|u| u.as_str()).unwrap_or(""),
                    limit: f.limit.map(|l| l.to_string()),
                    within_limit: f.within_limit,
                })
            })
            .collect(),
    }
}

struct Figure<'a> {
    name: &'a str,
    formula: &'a str,
    with_numbers: &'a str,
    value: String,
    /// `dollars`, `percent` or `times`, as the unit serializes.
    unit: &'a str,
    limit: Option<String>,
    within_limit: Option<bool>,
}

fn formula(f: Figure) -> FormulaLine {
    let unit = f.unit;
    let show = |d: &str| {
        match unit {
            "dollars" => format::dollars(d),
            "percent" => format::percent(d),
            "times" => format::times(d),
            _ => None,
        }
        .unwrap_or_else(|| d.to_owned())
    };
    // DSCR, the one multiple, is held to a floor; GDS and TDS to a ceiling.
    let floor = unit == "times";
    let limit = f.limit.map(|l| {
        let bound = if floor { "at least" } else { "at most" };
        format!("{bound} {}", show(&l))
    });
    FormulaLine {
        name: cell(f.name),
        formula: cell(f.formula),
        with_numbers: cell(f.with_numbers),
        value: show(&f.value.to_string()),
        limit: limit.unwrap_or_default(),
        status: match f.within_limit {
            Some(true) => "within the limit".to_owned(),
            Some(false) if floor => "under the limit".to_owned(),
            Some(false) => "over the limit".to_owned(),
            None => String::new(),
        },
        within: f.within_limit,
    }
}

fn transaction(t: &StoredDetail) -> Transaction {
    let money = |v: &Option<String>| {
        v.as_deref()
            .map(|v| format::dollars(v).unwrap_or_else(|| cell(v)))
            .unwrap_or_default()
    };
    Transaction {
        date: cell(t.date.get(..10).unwrap_or(&t.date)),
        account: t
            .account_id
            .as_deref()
            .map(|a| format!("••••{}", last4(a)))
            .unwrap_or_default(),
        description: t.description.as_deref().map(cell).unwrap_or_default(),
        debit: money(&t.debit),
        credit: money(&t.credit),
        balance: money(&t.balance),
    }
}

fn unit_word(unit: desk_core::catalog::Unit) -> &'static str {
    use desk_core::catalog::Unit;
    match unit {
        Unit::Currency => "CAD",
        Unit::Count => "count",
        Unit::Days => "days",
        Unit::Ratio => "ratio",
        Unit::Enum => "word",
        Unit::Text => "text",
        Unit::Date => "date",
    }
}

fn last4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// The file's name without its folder: where the underwriter keeps files is not the committee's.
fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn size(bytes: i64) -> String {
    let n = bytes.max(0) as u64;
    let kib = n as f64 / 1024.0;
    match n {
        0..1024 => format!("{} bytes", format::count(n)),
        1024..1_048_576 => format!("{kib:.1} KB ({} bytes)", format::count(n)),
        _ => format!("{:.1} MB ({} bytes)", kib / 1024.0, format::count(n)),
    }
}

/// Text known to be short and without spaces that must read (and copy) exactly: ids, moments.
fn exact(text: &str) -> String {
    text.chars().take(CELL_LIMIT).collect()
}

/// Text for a cell: cut to [`CELL_LIMIT`] characters, with room to break over-long words.
fn cell(text: &str) -> String {
    let count = text.chars().count();
    let kept: String = text.chars().take(CELL_LIMIT).collect();
    let mut out = String::with_capacity(kept.len() + kept.len() / WORD_LIMIT * 3 + 48);
    let mut run = 0;
    for c in kept.chars() {
        out.push(c);
        run = if c.is_whitespace() || c == '\u{200B}' {
            0
        } else {
            run + 1
        };
        // Attribute names are words joined by `_`: break there rather than mid-word.
        if c == '_' || run == WORD_LIMIT {
            out.push('\u{200B}');
            run = 0;
        }
    }
    if count > CELL_LIMIT {
        out.push_str(&format!(
            " … ({} more characters; the workbook has them all)",
            format::count((count - CELL_LIMIT) as u64)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_and_long_words_may_break() {
        let long = "x".repeat(CELL_LIMIT + 10);
        let c = cell(&long);
        assert!(c.ends_with("(10 more characters; the workbook has them all)"));
        assert!(c.contains('\u{200B}'));
        assert_eq!(cell("short words stay"), "short words stay");
        assert_eq!(basename("C:\\Users\\a\\st.pdf"), "st.pdf");
        assert_eq!(basename("/home/a/st.pdf"), "st.pdf");
        assert_eq!(size(2048), "2.0 KB (2,048 bytes)");
    }
}
