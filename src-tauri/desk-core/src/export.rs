//! CSV export of a run: one row per attribute value, written so a spreadsheet opens it safely.
//! The desk's exports add the run's latest decision: as columns after the value columns on
//! every row of a run's file, as a `decision` column in the portfolio's sheet.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::view::RunResult;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Starts the file with a UTF-8 byte-order mark, which Excel needs to read accents right.
    pub bom: bool,
}

pub const HEADER: [&str; 9] = [
    "customer",
    "environment",
    "package",
    "scope",
    "attribute",
    "label",
    "value",
    "unit",
    "run_time",
];

/// The columns a run's export adds after [`HEADER`], the same on every row: the run's latest
/// decision, all empty when the run was not decided. Added at the end so a reader of the older
/// columns (by name or by place) reads them as before.
pub const DECISION_HEADER: [&str; 6] = [
    "decision",
    "policy_decision",
    "policy",
    "policy_sha256",
    "override_comment",
    "decided_at",
];

/// A run's latest decision as the exports write it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionCells {
    /// What stands: the underwriter's override when there is one, else the policy's decision.
    pub decision: String,
    /// What the policy said.
    pub policy_decision: String,
    pub policy: String,
    /// The policy version.
    pub policy_sha256: String,
    /// Why the underwriter overrode the policy; empty when they did not.
    pub override_comment: String,
    pub decided_at: String,
}

impl DecisionCells {
    fn cells(&self) -> [&str; 6] {
        [
            &self.decision,
            &self.policy_decision,
            &self.policy,
            &self.policy_sha256,
            &self.override_comment,
            &self.decided_at,
        ]
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a
/// leading apostrophe, OWASP's advice. Plain numbers such as `-153.74` are left alone: they are
/// values, not formulas, and an underwriter needs them as numbers.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-153.74`, `+3`, `1e5`. f64's parser alone also takes `-inf`, `+infinity` and `-NaN`, which
/// a spreadsheet reads as a formula naming `inf` or `NaN`: a number has no other letter than
/// its exponent's.
fn is_number(cell: &str) -> bool {
    cell.parse::<f64>().is_ok()
        && !cell
            .chars()
            .any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E'))
}

/// Writes the run as CSV, the [`HEADER`] columns only; returns the number of value rows.
pub fn to_writer<W: Write>(
    out: W,
    run: &RunResult,
    options: CsvOptions,
) -> Result<usize, ExportError> {
    write_run(out, run, None, options)
}

/// Writes the run as CSV with its decision: the [`HEADER`] columns, then the
/// [`DECISION_HEADER`] ones on every row (empty when `decision` is none); returns the number of
/// value rows.
pub fn to_writer_with_decision<W: Write>(
    out: W,
    run: &RunResult,
    decision: Option<&DecisionCells>,
    options: CsvOptions,
) -> Result<usize, ExportError> {
    let undecided = DecisionCells::default();
    write_run(out, run, Some(decision.unwrap_or(&undecided)), options)
}

/// `decision`: none writes no decision columns at all.
fn write_run<W: Write>(
    mut out: W,
    run: &RunResult,
    decision: Option<&DecisionCells>,
    options: CsvOptions,
) -> Result<usize, ExportError> {
    if options.bom {
        out.write_all("\u{feff}".as_bytes())
            .map_err(|source| ExportError::Write {
                path: PathBuf::new(),
                source,
            })?;
    }
    let mut writer = csv::Writer::from_writer(out);
    let decided: &[&str] = if decision.is_some() {
        &DECISION_HEADER
    } else {
        &[]
    };
    writer.write_record(HEADER.iter().chain(decided))?;
    let decision = decision.map(DecisionCells::cells);
    for row in &run.rows {
        let unit = serde_json::to_value(row.unit)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let cells = [
            run.customer_label.as_str(),
            run.environment.as_str(),
            run.package,
            row.scope.as_str(),
            row.name.as_str(),
            row.label.as_str(),
            row.raw.as_str(),
            unit.as_str(),
            run.finished_at.as_str(),
        ];
        writer.write_record(
            cells
                .iter()
                .chain(decision.iter().flatten())
                .map(|c| neutralize(c).into_owned()),
        )?;
    }
    writer.flush().map_err(|source| ExportError::Write {
        path: PathBuf::new(),
        source,
    })?;
    Ok(run.rows.len())
}

/// Writes the CSV next to `path` and renames it into place, so a failure never leaves a
/// half-written file where the user expects the export (nor clobbers an older one).
/// The run is written with its decision ([`to_writer_with_decision`]).
pub fn write_file(
    path: &Path,
    run: &RunResult,
    decision: Option<&DecisionCells>,
    options: CsvOptions,
) -> Result<usize, ExportError> {
    write_atomic(path, |out| {
        to_writer_with_decision(out, run, decision, options)
    })
}

/// A portfolio as one sheet: one row per customer, one column per attribute (first seen first),
/// so the customers can be sorted and compared in a spreadsheet. Values of an account rather
/// than the whole login get the account in their column name.
pub fn wide_to_writer<W: Write>(
    out: W,
    runs: &[RunResult],
    options: CsvOptions,
) -> Result<usize, ExportError> {
    write_wide(out, runs, None, options)
}

/// [`wide_to_writer`] with a `decision` column after `run_time`: each run's final decision
/// (`decisions[i]` for `runs[i]`), empty when it was not decided. The four columns before it
/// stay where they were; the attribute columns, found by name, follow it.
pub fn wide_to_writer_with_decisions<W: Write>(
    out: W,
    runs: &[RunResult],
    decisions: &[Option<String>],
    options: CsvOptions,
) -> Result<usize, ExportError> {
    write_wide(out, runs, Some(decisions), options)
}

fn write_wide<W: Write>(
    mut out: W,
    runs: &[RunResult],
    decisions: Option<&[Option<String>]>,
    options: CsvOptions,
) -> Result<usize, ExportError> {
    if options.bom {
        out.write_all("\u{feff}".as_bytes())
            .map_err(|source| ExportError::Write {
                path: PathBuf::new(),
                source,
            })?;
    }
    let column = |row: &crate::view::AttributeRow| {
        if row.scope == "login" {
            row.name.clone()
        } else {
            format!("{} [{}]", row.name, row.scope)
        }
    };
    let mut columns: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for row in runs.iter().flat_map(|r| &r.rows) {
        let name = column(row);
        if !index.contains_key(&name) {
            index.insert(name.clone(), columns.len());
            columns.push(name);
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    let fixed = ["customer", "environment", "package", "run_time", "decision"];
    let fixed = &fixed[..if decisions.is_some() { 5 } else { 4 }];
    writer.write_record(
        fixed
            .iter()
            .map(|c| c.to_string())
            .chain(columns.iter().map(|c| neutralize(c).into_owned())),
    )?;
    for (i, run) in runs.iter().enumerate() {
        let mut cells = vec![String::new(); columns.len()];
        for row in &run.rows {
            cells[index[&column(row)]] = neutralize(&row.raw).into_owned();
        }
        let head = [
            run.customer_label.as_str(),
            run.environment.as_str(),
            run.package,
            run.finished_at.as_str(),
        ];
        let decision = decisions.map(|d| d.get(i).cloned().flatten().unwrap_or_default());
        writer.write_record(
            head.iter()
                .copied()
                .chain(decision.as_deref())
                .map(|c| neutralize(c).into_owned())
                .chain(cells),
        )?;
    }
    writer.flush().map_err(|source| ExportError::Write {
        path: PathBuf::new(),
        source,
    })?;
    Ok(runs.len())
}

/// [`wide_to_writer_with_decisions`] into `path`, atomically like [`write_file`].
pub fn write_wide_file(
    path: &Path,
    runs: &[RunResult],
    decisions: &[Option<String>],
    options: CsvOptions,
) -> Result<usize, ExportError> {
    write_atomic(path, |out| {
        wide_to_writer_with_decisions(out, runs, decisions, options)
    })
}

fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<usize, ExportError>,
) -> Result<usize, ExportError> {
    let failed = |source| ExportError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Created 0600 on Unix, which the rename keeps: an export names customers and their
    // money, so it is its owner's alone wherever it lands.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    let rows = match write(tmp.as_file_mut()) {
        Ok(n) => n,
        Err(ExportError::Write { source, .. }) => return Err(failed(source)),
        Err(e) => return Err(e),
    };
    tmp.as_file().sync_all().map_err(failed)?;
    tmp.persist(path).map_err(|e| failed(e.error))?;
    Ok(rows)
}

/// `flinks-kevin-daigle-credit-risk-2026-11-25.csv`: the customer's label, never a loginId.
pub fn file_name(run: &RunResult) -> String {
    let slug = |s: &str| {
        let mut out = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-').to_owned()
    };
    let day = run.finished_at.get(..10).unwrap_or("run");
    format!(
        "flinks-{}-{}-{day}.csv",
        slug(&run.customer_label),
        slug(run.package)
    )
}

/// `flinks-portfolio-income-2026-11-25.csv`.
pub fn portfolio_file_name(package: &str) -> String {
    format!(
        "flinks-portfolio-{package}-{}.csv",
        chrono::Local::now().format("%Y-%m-%d")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Unit;
    use crate::view::AttributeRow;

    fn row(name: &str, raw: &str, number: Option<f64>, unit: Unit) -> AttributeRow {
        AttributeRow {
            scope: "login".into(),
            name: name.into(),
            label: format!("Label of {name}"),
            category: "Account overview".into(),
            unit,
            definition: String::new(),
            raw: raw.into(),
            number,
            known: true,
            transactions: 0,
        }
    }

    fn run(label: &str, rows: Vec<AttributeRow>) -> RunResult {
        RunResult {
            run_id: 1,
            customer_label: label.into(),
            package: "Credit Risk",
            environment: "Flinks Capital sandbox".into(),
            request_id: "r".into(),
            accounts: 1,
            transactions: 2,
            duration_ms: 3,
            finished_at: "2026-11-25T18:00:00.000Z".into(),
            rows,
            shared_by: None,
            summary: Vec::new(),
        }
    }

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1+2"), "'+1+2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("-2+3"), "'-2+3");
        assert_eq!(neutralize("\tx"), "'\tx");
        assert_eq!(neutralize("-153.74"), "-153.74");
        assert_eq!(neutralize("-1.5e3"), "-1.5e3");
        assert_eq!(neutralize("-inf"), "'-inf");
        assert_eq!(neutralize("+NaN"), "'+NaN");
        assert_eq!(neutralize("Air Canada"), "Air Canada");
    }

    #[test]
    fn rows_read_back_with_the_csv_crate() {
        let r = run(
            "Kevin \"K\" Daigle, Jr.",
            vec![
                row("balance_min", "-153.74", Some(-153.74), Unit::Currency),
                row("employer_name", "=cmd|' /C calc'!A0", None, Unit::Text),
            ],
        );
        let mut bytes = Vec::new();
        assert_eq!(to_writer(&mut bytes, &r, CsvOptions::default()).unwrap(), 2);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][0], "Kevin \"K\" Daigle, Jr.");
        assert_eq!(&records[0][4], "balance_min");
        assert_eq!(&records[0][6], "-153.74");
        assert_eq!(&records[0][7], "currency");
        assert_eq!(&records[1][6], "'=cmd|' /C calc'!A0");
    }

    #[test]
    fn the_bom_is_there_only_when_asked() {
        let r = run("A", vec![row("x", "1", Some(1.0), Unit::Count)]);
        let mut plain = Vec::new();
        to_writer(&mut plain, &r, CsvOptions { bom: false }).unwrap();
        assert!(plain.starts_with(b"customer,"));
        let mut excel = Vec::new();
        to_writer(&mut excel, &r, CsvOptions { bom: true }).unwrap();
        assert!(excel.starts_with(&[0xEF, 0xBB, 0xBF]));
    }

    #[test]
    fn a_file_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let r = run("Maya Chen", vec![row("x", "1", Some(1.0), Unit::Count)]);
        let path = dir.path().join(file_name(&r));
        assert_eq!(
            path.file_name().unwrap(),
            "flinks-maya-chen-credit-risk-2026-11-25.csv"
        );
        assert_eq!(
            write_file(&path, &r, None, CsvOptions::default()).unwrap(),
            1
        );
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("Maya Chen"));

        let missing = dir.path().join("no/such/folder/out.csv");
        let err = write_file(&missing, &r, None, CsvOptions::default()).unwrap_err();
        assert!(err.to_string().contains("no/such/folder/out.csv"), "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no stray temp file"
        );
    }
}
