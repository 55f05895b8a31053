//! Credit files on disk: private (0600) like everything the desk writes about a customer, named
//! by the customer's label and the run's day (never a loginId), a portfolio's into one folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use desk_core::credit_file::CreditFile;
use serde::Serialize;

use crate::ReportError;

/// What was written, for the screen to say.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub paths: Vec<String>,
    pub bytes: u64,
}

/// `flinks-<customer>-<package>-<day>.<extension>`, in file-name-safe ASCII.
pub fn file_name(file: &CreditFile, extension: &str) -> String {
    let day = file.finished_at.get(..10).unwrap_or("run");
    format!(
        "flinks-{}-{}-{day}.{extension}",
        slug(&file.customer),
        slug(&file.package)
    )
}

/// The portfolio workbook's default name: `flinks-portfolio-<package>-<today>.xlsx`.
pub fn portfolio_file_name(package: &str) -> String {
    format!(
        "flinks-portfolio-{package}-{}.xlsx",
        chrono::Local::now().format("%Y-%m-%d")
    )
}

/// The PDF of `file` at `path`.
pub fn write_pdf(file: &CreditFile, path: &Path) -> Result<Written, ReportError> {
    let bytes = crate::pdf::pdf(file)?;
    save(path, &bytes)?;
    Ok(Written {
        paths: vec![path.display().to_string()],
        bytes: bytes.len() as u64,
    })
}

/// The workbook of `file` at `path`.
pub fn write_workbook(file: &CreditFile, path: &Path) -> Result<Written, ReportError> {
    let bytes = crate::workbook(file)?;
    save(path, &bytes)?;
    Ok(Written {
        paths: vec![path.display().to_string()],
        bytes: bytes.len() as u64,
    })
}

/// A portfolio's credit files into `dir`: one PDF per customer, and one workbook with a row per
/// customer (`portfolio_name`). Made in memory first, so a failure writes nothing.
pub fn write_portfolio(
    files: &[CreditFile],
    dir: &Path,
    portfolio_name: &str,
) -> Result<Written, ReportError> {
    let mut made: Vec<(PathBuf, Vec<u8>)> = Vec::with_capacity(files.len() + 1);
    for file in files {
        made.push((dir.join(file_name(file, "pdf")), crate::pdf::pdf(file)?));
    }
    made.push((dir.join(portfolio_name), crate::portfolio_workbook(files)?));
    let mut written = Written {
        paths: Vec::new(),
        bytes: 0,
    };
    for (path, bytes) in made {
        save(&path, &bytes)?;
        written.bytes += bytes.len() as u64;
        written.paths.push(path.display().to_string());
    }
    Ok(written)
}

fn save(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let failed = |error| ReportError::Write {
        path: path.to_owned(),
        error,
    };
    let mut out = desk_core::files::private_file_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(failed)?;
    out.write_all(bytes).map_err(failed)?;
    out.sync_all().map_err(failed)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "customer".into()
    } else {
        out.into()
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn names_keep_only_safe_characters() {
        assert_eq!(slug("Ana Lúcia / ../x"), "ana-l-cia-x");
        assert_eq!(slug("../"), "customer");
    }
}
