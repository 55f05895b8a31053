//! One CSV export built from raw bytes, and the contract the exports (a run's, and a
//! portfolio's wide sheet) keep whatever their cells hold. The `csv_export` fuzz target runs it; desk-core's `tests/csv_props.rs` compiles this
//! very file in (`#[path]`), so its property tests judge by the same contract and a crash kept
//! under `regressions/csv_export/` replays through the same code.
//!
//! The contract is written here without looking at the writer's code, so that a mistake in the
//! writer cannot also hide in the check.

use std::borrow::Cow;

use desk_core::catalog::Unit;
use desk_core::export::{to_writer, wide_to_writer, CsvOptions, HEADER};
use desk_core::{AttributeRow, Package, RunResult};

/// What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

pub const UNITS: [Unit; 7] = [
    Unit::Currency,
    Unit::Count,
    Unit::Days,
    Unit::Ratio,
    Unit::Enum,
    Unit::Text,
    Unit::Date,
];

/// Separates the cells of a fuzz input: the unit separator, so that a cell may hold anything
/// else (NUL, quotes, commas, newlines).
pub const SEP: char = '\u{1f}';

/// A run from fuzz bytes. Byte 0 asks for the BOM (bit 0) and picks the package (the other
/// bits). The rest, read as UTF-8 (a Rust string holds nothing else, so invalid bytes become
/// U+FFFD as they would reaching the desk), splits at [`SEP`] into the customer's label, the
/// environment and the run time, then four cells a row: scope, name, label, value.
pub fn case(data: &[u8]) -> (RunResult, CsvOptions) {
    let (flags, text) = match data.split_first() {
        Some((flags, text)) => (*flags, text),
        None => (0, data),
    };
    let text = String::from_utf8_lossy(text);
    let mut cells = text.split(SEP).map(str::to_owned);
    let customer_label = cells.next().unwrap_or_default();
    let environment = cells.next().unwrap_or_default();
    let finished_at = cells.next().unwrap_or_default();
    let rest: Vec<String> = cells.collect();
    let rows = rest
        .chunks(4)
        .enumerate()
        .map(|(i, c)| {
            let cell = |k: usize| c.get(k).cloned().unwrap_or_default();
            attribute_row(cell(0), cell(1), cell(2), cell(3), UNITS[i % UNITS.len()])
        })
        .collect();
    let package = Package::ALL[usize::from(flags >> 1) % Package::ALL.len()];
    let run = run(customer_label, environment, package, finished_at, rows);
    (
        run,
        CsvOptions {
            bom: flags & 1 == 1,
        },
    )
}

pub fn attribute_row(
    scope: String,
    name: String,
    label: String,
    raw: String,
    unit: Unit,
) -> AttributeRow {
    AttributeRow {
        scope,
        name,
        label,
        category: "Account overview".into(),
        unit,
        definition: String::new(),
        number: raw.parse().ok(),
        raw,
        known: true,
        transactions: 0,
    }
}

pub fn run(
    customer_label: String,
    environment: String,
    package: Package,
    finished_at: String,
    rows: Vec<AttributeRow>,
) -> RunResult {
    RunResult {
        run_id: 1,
        customer_label,
        package: package.title(),
        environment,
        request_id: "r".into(),
        accounts: 1,
        transactions: 0,
        duration_ms: 0,
        finished_at,
        rows,
        shared_by: None,
        summary: Vec::new(),
    }
}

fn unit_word(unit: Unit) -> &'static str {
    match unit {
        Unit::Currency => "currency",
        Unit::Count => "count",
        Unit::Days => "days",
        Unit::Ratio => "ratio",
        Unit::Enum => "enum",
        Unit::Text => "text",
        Unit::Date => "date",
    }
}

/// A numeric literal as spreadsheets read one: an optional sign, digits with at most one
/// decimal point (and at least one digit), an optional exponent. `inf`, `NaN` or `1,5` after a
/// sign are words, which a spreadsheet reads as a formula naming them.
pub fn is_number(cell: &str) -> bool {
    let b = cell.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Starts like a formula and is not a number (`-12.5` is a value, `-1+2` a formula).
pub fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(FORMULA_TRIGGERS) && !is_number(cell)
}

/// The cell a value must become: behind an apostrophe when a spreadsheet would run it, as it
/// is otherwise.
pub fn written_as(value: &str) -> Cow<'_, str> {
    if runs_as_formula(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Writes `run` and checks the file: the BOM exactly when asked, then what the csv crate parses
/// back is the header and one record per row, each cell the row's value [`written_as`], so no
/// cell a spreadsheet would run is left as it came. Panics on the first breach.
pub fn check(run: &RunResult, options: CsvOptions) {
    let mut out = Vec::new();
    let rows = to_writer(&mut out, run, options).expect("writing to memory cannot fail");
    assert_eq!(rows, run.rows.len());
    let records = read_back(&out, options);
    assert_eq!(records.len(), run.rows.len() + 1, "one record per row");
    assert_eq!(records[0].iter().collect::<Vec<_>>(), HEADER);
    for (record, row) in records[1..].iter().zip(&run.rows) {
        let values = [
            run.customer_label.as_str(),
            run.environment.as_str(),
            run.package,
            &row.scope,
            &row.name,
            &row.label,
            &row.raw,
            unit_word(row.unit),
            &run.finished_at,
        ];
        assert_eq!(record.len(), values.len(), "{record:?}");
        for (cell, value) in record.iter().zip(values) {
            assert!(!runs_as_formula(cell), "a formula survived: {cell:?}");
            assert_eq!(cell, written_as(value), "{value:?} did not round-trip");
        }
    }
}

/// The portfolio sheet of `runs` (`wide_to_writer`): the four fixed columns, then a column per
/// attribute (`name`, or `name [scope]` for an account's), first seen first; a record per run,
/// holding its last value of each column or nothing; every cell [`written_as`].
pub fn check_wide(runs: &[RunResult], options: CsvOptions) {
    let mut out = Vec::new();
    let written = wide_to_writer(&mut out, runs, options).expect("writing to memory cannot fail");
    assert_eq!(written, runs.len());
    let records = read_back(&out, options);
    assert_eq!(records.len(), runs.len() + 1, "one record per run");
    let column = |row: &AttributeRow| {
        if row.scope == "login" {
            row.name.clone()
        } else {
            format!("{} [{}]", row.name, row.scope)
        }
    };
    let mut columns: Vec<String> = Vec::new();
    for name in runs.iter().flat_map(|r| &r.rows).map(column) {
        if !columns.contains(&name) {
            columns.push(name);
        }
    }
    let header: Vec<&str> = ["customer", "environment", "package", "run_time"]
        .into_iter()
        .chain(columns.iter().map(String::as_str))
        .collect();
    for (record, run) in records.iter().skip(1).zip(runs) {
        let mut values: Vec<&str> = vec![
            &run.customer_label,
            &run.environment,
            run.package,
            &run.finished_at,
        ];
        values.extend(columns.iter().map(|c| {
            run.rows
                .iter()
                .rev()
                .find(|r| column(r) == *c)
                .map_or("", |r| r.raw.as_str())
        }));
        assert_eq!(record.len(), values.len(), "{record:?}");
        for (cell, value) in record.iter().zip(values) {
            assert_eq!(cell, written_as(value), "{value:?} did not round-trip");
        }
    }
    assert_eq!(records[0].len(), header.len());
    for (cell, value) in records[0].iter().zip(header) {
        assert_eq!(
            cell,
            written_as(value),
            "column {value:?} did not round-trip"
        );
    }
    for cell in records.iter().flatten() {
        assert!(!runs_as_formula(cell), "a formula survived: {cell:?}");
    }
}

/// The records of an export, after checking it starts with a BOM exactly when asked.
fn read_back(out: &[u8], options: CsvOptions) -> Vec<csv::StringRecord> {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let body = if options.bom {
        out.strip_prefix(BOM).expect("the BOM was asked for")
    } else {
        assert!(!out.starts_with(BOM), "a BOM nobody asked for");
        out
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .into_records()
        .collect::<Result<Vec<_>, _>>()
        .expect("the export parses back as CSV")
}

/// Two runs of one portfolio from one case: its rows split in two customers.
pub fn portfolio(run: &RunResult) -> Vec<RunResult> {
    let (first, second) = run.rows.split_at(run.rows.len() / 2);
    let mut a = run.clone();
    a.rows = first.to_vec();
    let mut b = run.clone();
    b.customer_label = format!("{} (2)", run.customer_label);
    b.rows = second.to_vec();
    vec![a, b]
}
