//! The PDF credit file of real runs on the built-in sandbox, read back with poppler's
//! `pdftotext`, `pdfinfo` and `pdftoppm` (poppler-utils; `cargo desk test` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use desk_core::catalog::Unit;
use desk_core::credit_file::CreditFile;
use desk_core::{BuiltinOptions, Desk, LoanRequest, MemoryStore, Package, Store};
use rust_decimal::Decimal;

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

async fn start_desk(dir: &Path) -> Desk {
    Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(30),
        },
        Store::open(&dir.join("desk.sqlite3")).unwrap(),
        Arc::new(MemoryStore::default()),
    )
    .await
    .expect("the built-in sandbox starts")
}

/// `customer`'s Lending run, decided with the shipped personal-loan policy and a $10,000 loan
/// when `decide`, as its credit file.
async fn credit_file(dir: &Path, customer: &str, decide: bool) -> CreditFile {
    let desk = start_desk(dir).await;
    let run_id = desk
        .run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id;
    if decide {
        let loan = LoanRequest::personal(Decimal::from(10_000), Decimal::new(799, 2), 5);
        desk.decide(run_id, "Personal loan", PERSONAL_LOAN, Some(&loan))
            .unwrap();
    }
    desk.credit_file(run_id).unwrap()
}

fn timed_pdf(file: &CreditFile) -> Vec<u8> {
    let started = Instant::now();
    let pdf = desk_report::pdf::pdf(file).expect("the PDF is made");
    eprintln!(
        "one PDF: {:?}, {} bytes ({} profile)",
        started.elapsed(),
        pdf.len(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    pdf
}

/// Where the workspace's build output lives (`target/`), for files a person looks at.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) runs: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of `pages` (`None`: all of them): `-layout` as the page shows it (cells side by
/// side), `-raw` in the order it was written (a cell's lines together).
fn text(pdf: &Path, mode: &str, pages: Option<(usize, usize)>) -> String {
    let mut args = vec![mode.to_owned(), "-enc".to_owned(), "UTF-8".to_owned()];
    if let Some((first, last)) = pages {
        args.extend([
            "-f".into(),
            first.to_string(),
            "-l".into(),
            last.to_string(),
        ]);
    }
    args.extend([pdf.to_str().unwrap().to_owned(), "-".to_owned()]);
    poppler(
        "pdftotext",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}

/// Text compared without any white space (nor the zero-width spaces that let long words break):
/// a cell's text wraps onto as many lines as its column needs.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

fn write(pdf: &[u8], dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

/// $1,234.56 with a minus sign, worked out here from the value's number, not by the crate.
fn expected_dollars(n: f64) -> String {
    let cents = (n.abs() * 100.0).round() as u64;
    let sign = if n < 0.0 && cents > 0 { "−" } else { "" };
    format!("{sign}${}.{:02}", grouped(cents / 100), cents % 100)
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the attribute table should show for a row, when this test can say.
fn expected_value(raw: &str, number: Option<f64>, unit: Unit) -> Option<String> {
    let plain = |d: usize| {
        let (_, frac) = raw.split_once('.').unwrap_or((raw, ""));
        frac.len() <= d && raw.parse::<f64>().is_ok()
    };
    match (unit, number) {
        // Exactly representable in cents: no rounding question for f64 here.
        (Unit::Currency, Some(n)) if plain(2) => Some(expected_dollars(n)),
        (Unit::Count | Unit::Days, Some(n)) if plain(0) => {
            let sign = if n < 0.0 { "−" } else { "" };
            Some(format!("{sign}{}", grouped(n.abs() as u64)))
        }
        (Unit::Currency | Unit::Count | Unit::Days, _) => None,
        _ => Some(raw.to_owned()),
    }
}

#[tokio::test]
async fn a_decided_run_s_pdf_shows_the_decision_every_value_and_is_the_same_bytes_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = credit_file(dir.path(), "borrower_nsf", true).await;
    let pdf = timed_pdf(&file);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, timed_pdf(&file), "the same file, the same bytes");
    let path = write(&pdf, dir.path(), "credit-file.pdf");
    let report_dir = target_dir().join("report-page1");
    std::fs::create_dir_all(&report_dir).unwrap();
    std::fs::copy(&path, report_dir.join("credit-file.pdf")).unwrap();

    // Page 1: who, which request, what was decided and why.
    let page1 = text(&path, "-raw", Some((1, 1)));
    let flat1 = squash(&page1);
    let decision = file.decision.as_ref().unwrap();
    for needle in [
        file.customer.as_str(),
        file.request_id.as_str(),
        &decision.summary.final_decision.to_uppercase(),
        &decision.summary.policy_sha256[..12],
        &file.data_as_of,
    ] {
        assert!(
            flat1.contains(&squash(needle)),
            "page 1 lacks {needle:?}:\n{page1}"
        );
    }
    assert!(!decision.reasons.is_empty());
    for r in &decision.reasons {
        assert!(
            flat1.contains(&squash(&r.reason.text)),
            "page 1 lacks the reason {:?}:\n{page1}",
            r.reason.text
        );
    }
    let ratio = decision
        .affordability
        .iter()
        .find(|f| f.name.contains("GDS") || f.name.contains("TDS"))
        .expect("a GDS or TDS figure");
    assert!(
        flat1.contains(&squash(&ratio.formula)) && flat1.contains(&squash(&ratio.with_numbers)),
        "page 1 lacks {}'s formula:\n{page1}",
        ratio.name
    );
    for a in &file.accounts {
        if let Some(last4) = &a.last4 {
            assert!(flat1.contains(&format!("••••{last4}")), "{page1}");
        }
    }

    // The attribute pages: every label and its value as its unit formats it.
    let flat = squash(&text(&path, "-raw", None));
    let mut currency_checked = 0;
    for row in &file.rows {
        assert!(flat.contains(&squash(&row.label)), "no {:?}", row.label);
        if let Some(value) = expected_value(&row.raw, row.number, row.unit) {
            assert!(
                flat.contains(&squash(&value)),
                "{} shows no {value:?} (raw {:?})",
                row.name,
                row.raw
            );
            if row.unit == Unit::Currency && row.number.is_some_and(|n| n.abs() >= 1000.0) {
                currency_checked += 1;
            }
        }
    }
    assert!(
        currency_checked >= 3,
        "only {currency_checked} dollar values of $1,000 or more"
    );
    assert!(flat.contains("Transactionsbehindeachreason"));
    assert!(flat.contains("Statementsattached"));

    // The footer's "Page N of M" counts the real pages, on every page.
    let pages: usize = poppler("pdfinfo", &[path.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pages >= 3, "{pages} pages");
    let all = text(&path, "-layout", None);
    for n in 1..=pages {
        let footer = format!("Page {n} of {pages}");
        assert!(all.contains(&footer), "no {footer:?}");
    }
    assert!(all.contains(&format!("made for {}", file.provenance.user)));

    // Page 1 as a picture, to look at.
    let prefix = report_dir.join("page1");
    poppler(
        "pdftoppm",
        &["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"]
            .into_iter()
            .chain([path.to_str().unwrap(), prefix.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    assert!(report_dir.join("page1.png").exists());
}

#[tokio::test]
async fn a_hostile_value_is_shown_as_its_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = credit_file(dir.path(), "borrower_nsf", true).await;
    let lead = "=HYPERLINK(\"x\") #set text(red) *bold* $x$ [a] <b>";
    file.rows[0].raw = format!("{lead}{}", "x".repeat(40_000));
    file.rows[1].label = format!("= {lead}");
    let pdf = timed_pdf(&file);
    let path = write(&pdf, dir.path(), "hostile.pdf");
    let flat = squash(&text(&path, "-raw", None));
    assert!(
        flat.contains(&squash(lead)),
        "the value's characters, literally"
    );
    assert!(flat.contains(&squash(&format!("= {lead}"))), "the label's");
    assert!(flat.contains(&squash("more characters")));
}

#[tokio::test]
async fn an_undecided_run_s_pdf_says_it_is_not_decided() {
    let dir = tempfile::tempdir().unwrap();
    let file = credit_file(dir.path(), "borrower_nsf", false).await;
    assert!(file.decision.is_none());
    let path = write(&timed_pdf(&file), dir.path(), "undecided.pdf");
    let page1 = text(&path, "-raw", Some((1, 1)));
    assert!(page1.contains("Not decided"), "{page1}");
    assert!(page1.contains(&file.request_id));
}
