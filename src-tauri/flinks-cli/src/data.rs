//! What the data commands print and write: the accounts as JSON on stdout, the progress of a
//! wait on stderr, statements as files.

use anyhow::{Context, Result};
use flinks_client::FlowEvent;

pub fn print_poll(p: flinks_client::PollProgress) {
    eprintln!(
        "still processing (check {}, {:.1} s); next check in {:.1} s",
        p.attempt,
        p.elapsed.as_secs_f64(),
        p.next_poll_in.as_secs_f64()
    )
}

/// The accounts of GetAccountsDetail or GetAccountsSummary, as JSON on stdout.
pub fn print_accounts(detail: &flinks_client::AccountsDetail) -> Result<()> {
    let accounts: Vec<serde_json::Value> = detail
        .accounts
        .iter()
        .map(|a| {
            serde_json::json!({
                "Id": a.id, "Title": a.title, "Type": a.account_type,
                "Category": a.category, "Currency": a.currency,
                "Transactions": a.transactions.len(),
                "Balance": a.balance.as_ref().and_then(|b| b.current).map(|d| d.to_string()),
            })
        })
        .collect();
    serde_json::to_writer_pretty(std::io::stdout().lock(), &accounts)?;
    println!();
    Ok(())
}

/// `text` as a piece of a file name: the account numbers and ids come from the server, so
/// nothing in them may climb out of the folder or hide the file.
fn file_part(text: &str) -> String {
    let safe: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(64)
        .collect();
    if safe.is_empty() {
        "x".to_owned()
    } else {
        safe
    }
}

/// Writes each statement as `{account number}_{n}_{UniqueId}.pdf` in `dir`; returns what it wrote.
pub fn write_statements(
    statements: &flinks_client::Statements,
    dir: &std::path::Path,
) -> Result<Vec<serde_json::Value>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for account in &statements.accounts {
        let number = file_part(account.account_number.as_deref().unwrap_or("account"));
        for (i, statement) in account.statements.iter().enumerate() {
            let id = file_part(statement.unique_id.as_deref().unwrap_or("statement"));
            let extension = file_part(
                &statement
                    .file_type
                    .as_deref()
                    .unwrap_or("pdf")
                    .to_ascii_lowercase(),
            );
            let path = dir.join(format!("{number}_{:02}_{id}.{extension}", i + 1));
            std::fs::write(&path, &statement.bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(serde_json::json!({
                "AccountNumber": account.account_number,
                "UniqueId": statement.unique_id,
                "File": path.display().to_string(),
                "Bytes": statement.bytes.len(),
            }));
        }
    }
    Ok(written)
}

pub fn print_progress(e: FlowEvent) {
    match e {
        FlowEvent::Authorizing => eprintln!("authorizing"),
        FlowEvent::RequestingAccounts { request_id } => {
            eprintln!("session {request_id} opened; requesting the accounts")
        }
        FlowEvent::Waiting {
            attempt,
            elapsed,
            next_poll_in,
        } => eprintln!(
            "still processing (check {attempt}, {:.1} s); next check in {:.1} s",
            elapsed.as_secs_f64(),
            next_poll_in.as_secs_f64()
        ),
        FlowEvent::FetchingAttributes {
            accounts,
            transactions,
        } => eprintln!(
            "{accounts} accounts, {transactions} transactions ready; asking for the attributes"
        ),
        FlowEvent::Retrying {
            what,
            attempt,
            delay,
        } => eprintln!(
            "{what} failed (try {attempt}); trying again in {:.1} s",
            delay.as_secs_f64()
        ),
        FlowEvent::Reauthorizing => eprintln!("the session expired; authorizing again"),
    }
}
