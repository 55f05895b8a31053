//! The "Summary" sheet: the report's first page as cells — who, where, the decision and its
//! reasons, the affordability arithmetic, the headline values, the statements, and who made
//! the file as of when.

use desk_core::catalog::Unit;
use desk_core::credit_file::{CreditFile, FileDecision};
use desk_core::store::AttachedStatement;
use desk_core::view::AttributeRow;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use serde_json::Value;

use super::cells::{self, Formats};

const LABEL: u16 = 0;
const VALUE: u16 = 1;

/// Writes rows one after another, so sections can grow without renumbering.
struct Page<'a> {
    ws: &'a mut Worksheet,
    f: &'a Formats,
    row: u32,
}

impl Page<'_> {
    fn gap(&mut self) {
        self.row += 1;
    }

    fn section(&mut self, title: &str) -> Result<(), XlsxError> {
        self.gap();
        self.ws
            .write_string_with_format(self.row, LABEL, title, &self.f.title)?;
        self.row += 1;
        Ok(())
    }

    fn label(&mut self, label: &str) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(self.row, LABEL, label, &self.f.bold)?;
        Ok(())
    }

    fn text(&mut self, label: &str, value: &str) -> Result<(), XlsxError> {
        self.label(label)?;
        cells::text(self.ws, self.row, VALUE, value)?;
        self.row += 1;
        Ok(())
    }

    fn date(&mut self, label: &str, raw: &str) -> Result<(), XlsxError> {
        self.label(label)?;
        cells::date(self.ws, self.row, VALUE, raw, self.f)?;
        self.row += 1;
        Ok(())
    }

    fn header(&mut self, names: &[&str]) -> Result<(), XlsxError> {
        cells::header(self.ws, self.row, names, self.f)?;
        self.row += 1;
        Ok(())
    }
}

pub(super) fn write(ws: &mut Worksheet, file: &CreditFile, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    cells::widths(ws, &[30.0, 40.0, 40.0, 18.0, 14.0, 70.0, 14.0])?;
    let title = format!("Credit file — {}", file.customer);
    cells::text_with(ws, 0, 0, &title, &f.title)?;
    let mut page = Page { ws, f, row: 1 };
    identity(&mut page, file)?;
    decision(&mut page, file)?;
    headline(&mut page, file)?;
    statements(&mut page, &file.statements)?;
    provenance(&mut page, file)
}

fn identity(page: &mut Page, file: &CreditFile) -> Result<(), XlsxError> {
    page.gap();
    page.text("Customer", &file.customer)?;
    if let Some(last4) = &file.login_last4 {
        page.text("loginId (last four)", last4)?;
    }
    page.label("Environment")?;
    cells::text(page.ws, page.row, VALUE, &file.environment)?;
    if file.production {
        page.ws.write_string_with_format(
            page.row,
            VALUE + 1,
            "PRODUCTION — real customer, billed calls",
            &page.f.production,
        )?;
    }
    page.row += 1;
    page.text("Institution", file.institution.as_deref().unwrap_or("—"))?;
    for (i, account) in file.accounts.iter().enumerate() {
        page.label(if i == 0 { "Accounts" } else { "" })?;
        cells::text(
            page.ws,
            page.row,
            VALUE,
            account.title.as_deref().unwrap_or("Account"),
        )?;
        if let Some(last4) = &account.last4 {
            cells::text(page.ws, page.row, VALUE + 1, &format!("••••{last4}"))?;
        }
        page.row += 1;
    }
    page.text("RequestId", &file.request_id)?;
    page.date("Data as of", &file.data_as_of)?;
    page.date("Run finished", &file.finished_at)?;
    page.text("Package", &file.package)?;
    page.label("Transactions")?;
    let count = file.transactions as f64;
    page.ws
        .write_number_with_format(page.row, VALUE, count, &page.f.whole)?;
    page.row += 1;
    page.label("Run")?;
    page.ws.write_number(page.row, VALUE, file.run_id as f64)?;
    page.row += 1;
    Ok(())
}

fn decision(page: &mut Page, file: &CreditFile) -> Result<(), XlsxError> {
    page.section("Decision")?;
    let Some(decision) = &file.decision else {
        return page.text("Decision", "Not decided");
    };
    let summary = &decision.summary;
    page.text("Policy's decision", &summary.decision)?;
    page.label("Final decision")?;
    cells::text_with(
        page.ws,
        page.row,
        VALUE,
        &summary.final_decision,
        &page.f.bold,
    )?;
    page.row += 1;
    page.text("Overridden", if summary.overridden { "Yes" } else { "No" })?;
    if let Some(comment) = &decision.override_comment {
        page.text("Override comment", comment)?;
    }
    page.text("Policy", &summary.policy)?;
    page.text("Policy version (SHA-256)", &summary.policy_sha256)?;
    page.date("Decided at", &summary.decided_at)?;
    page.text("Decided by", &summary.decided_by)?;
    reasons(page, decision, &file.rows)?;
    affordability(page, decision)
}

fn reasons(
    page: &mut Page,
    decision: &FileDecision,
    rows: &[AttributeRow],
) -> Result<(), XlsxError> {
    page.section("Reasons")?;
    if decision.reasons.is_empty() {
        return page.text("", "The policy gave no reason.");
    }
    page.header(&[
        "Rule",
        "Attribute",
        "Label",
        "Value",
        "Outcome",
        "Reason",
        "Transactions behind",
    ])?;
    for evidence in &decision.reasons {
        let reason = &evidence.reason;
        let (ws, row) = (&mut *page.ws, page.row);
        cells::text(ws, row, 0, &reason.rule)?;
        cells::text(ws, row, 1, &reason.attribute)?;
        cells::text(ws, row, 2, evidence.label.as_deref().unwrap_or(""))?;
        let unit = rows
            .iter()
            .find(|r| r.name == reason.attribute)
            .map(|r| r.unit);
        json_value(ws, row, 3, &reason.value, unit, page.f)?;
        if let Some(outcome) = &reason.outcome {
            cells::text(ws, row, 4, &outcome.to_string())?;
        }
        cells::text(ws, row, 5, &reason.text)?;
        ws.write_number_with_format(row, 6, evidence.transactions.len() as f64, &page.f.whole)?;
        page.row += 1;
    }
    Ok(())
}

/// A reason's value: a number in its attribute's format, text as text, anything else as JSON.
fn json_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    unit: Option<Unit>,
    f: &Formats,
) -> Result<(), XlsxError> {
    match value {
        Value::Null => Ok(()),
        Value::String(s) => cells::text(ws, row, col, s),
        Value::Number(n) => {
            let format = unit.and_then(|u| f.of(u)).unwrap_or(&f.ratio);
            match n.as_f64() {
                Some(x) => cells::number(ws, row, col, x, &n.to_string(), format),
                None => cells::text(ws, row, col, &n.to_string()),
            }
        }
        other => cells::text(ws, row, col, &other.to_string()),
    }
}

fn affordability(page: &mut Page, decision: &FileDecision) -> Result<(), XlsxError> {
    if decision.affordability.is_empty() {
        return Ok(());
    }
    page.section("Affordability")?;
    page.header(&[
        "Figure",
        "Formula",
        "With the numbers",
        "Value",
        "Limit",
        "Within limit",
    ])?;
    for formula in &decision.affordability {
        let (ws, row) = (&mut *page.ws, page.row);
        // FigureUnit is desk-policy's, which desk-core does not re-export: its serde name
        // ("dollars", "percent", "times") is the stable word for it.
        let unit = serde_json::to_value(formula.unit).unwrap_or(Value::Null);
        let unit = unit.as_str().unwrap_or("");
        cells::text(ws, row, 0, &formula.name)?;
        cells::text(ws, row, 1, &formula.formula)?;
        cells::text(ws, row, 2, &formula.with_numbers)?;
        figure(ws, row, 3, &formula.value.to_string(), unit, page.f)?;
        if let Some(limit) = formula.limit {
            figure(ws, row, 4, &limit.to_string(), unit, page.f)?;
        }
        if let Some(within) = formula.within_limit {
            cells::text(ws, row, 5, if within { "Yes" } else { "No" })?;
        }
        page.row += 1;
    }
    Ok(())
}

/// A figure in its unit. A percent is written as Excel's own (39 → 0.39 shown "39.00%"), so a
/// formula over it computes with the fraction; the decimal is shifted in text so 12.98 becomes
/// exactly the double nearest 0.1298, not 12.98 / 100.
fn figure(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    decimal: &str,
    unit: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (shifted, format): (String, &Format) = match unit {
        "dollars" => (decimal.to_owned(), &f.currency),
        "percent" => (format!("{decimal}e-2"), &f.percent),
        _ => (decimal.to_owned(), &f.times),
    };
    match shifted.parse::<f64>() {
        Ok(x) => cells::number(ws, row, col, x, decimal, format),
        Err(_) => cells::text(ws, row, col, decimal),
    }
}

fn headline(page: &mut Page, file: &CreditFile) -> Result<(), XlsxError> {
    if file.headline.is_empty() {
        return Ok(());
    }
    page.section("What to read first")?;
    page.header(&["Label", "Attribute", "Value", "Why it matters"])?;
    for item in &file.headline {
        let (ws, row) = (&mut *page.ws, page.row);
        cells::text(ws, row, 0, &item.label)?;
        cells::text(ws, row, 1, &item.name)?;
        cells::value(ws, row, 2, item.unit, &item.raw, item.number, page.f)?;
        cells::text(ws, row, 3, &item.why)?;
        page.row += 1;
    }
    Ok(())
}

fn statements(page: &mut Page, statements: &[AttachedStatement]) -> Result<(), XlsxError> {
    page.section("Statements attached")?;
    if statements.is_empty() {
        return page.text("", "None");
    }
    page.header(&["Account", "File", "Size (bytes)", "SHA-256", "Saved at"])?;
    for statement in statements {
        let (ws, row) = (&mut *page.ws, page.row);
        cells::text(ws, row, 0, &statement.account)?;
        cells::text(ws, row, 1, file_name(&statement.path))?;
        ws.write_number_with_format(row, 2, statement.bytes as f64, &page.f.whole)?;
        cells::text(ws, row, 3, &statement.sha256)?;
        cells::date(ws, row, 4, &statement.saved_at, page.f)?;
        page.row += 1;
    }
    Ok(())
}

/// The file's name without its folders, whichever system wrote the path: the folders say
/// where the underwriter keeps files, which the credit file does not share.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn provenance(page: &mut Page, file: &CreditFile) -> Result<(), XlsxError> {
    let made = &file.provenance;
    page.gap();
    page.gap();
    let (ws, f) = (&mut *page.ws, page.f);
    cells::text_with(ws, page.row, LABEL, "Made by", &f.muted)?;
    cells::text_with(ws, page.row, VALUE, &made.generator, &f.muted)?;
    page.row += 1;
    cells::text_with(ws, page.row, LABEL, "For", &f.muted)?;
    cells::text_with(ws, page.row, VALUE, &made.user, &f.muted)?;
    page.row += 1;
    cells::text_with(ws, page.row, LABEL, "As of", &f.muted)?;
    cells::date(ws, page.row, VALUE, &made.as_of, f)?;
    page.row += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn only_the_file_name_is_shown() {
        assert_eq!(
            file_name("/home/ana/Statements/7775-2026-11.pdf"),
            "7775-2026-11.pdf"
        );
        assert_eq!(file_name(r"C:\Users\ana\7775.pdf"), "7775.pdf");
        assert_eq!(file_name("7775.pdf"), "7775.pdf");
    }
}
