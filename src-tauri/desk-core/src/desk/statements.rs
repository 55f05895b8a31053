//! A customer's PDF statements attached to a run: fetched through the same flow as the run
//! (Authorize, `/GetStatements` waited out, retries, one new session), saved as files in the
//! folder the person chose, and listed with the run (name, account, size, SHA-256).

use std::io::Write;
use std::path::Path;

use flinks_client::{NumberOfStatements, StatementsOptions};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::Desk;
use crate::files;
use crate::flow::RunEvent;
use crate::store::{AttachedStatement, RunStatus};
use crate::DeskError;

impl Desk {
    /// Fetches the customer's most recent statements (or `months` of them: 3 or 12) and saves
    /// each PDF in `folder`, attached to the completed run `run_id`. Nothing secret goes in a
    /// file name: the customer's label, the account's last four and the month's number.
    pub async fn attach_statements(
        &self,
        run_id: i64,
        folder: &Path,
        months: Option<u32>,
        progress: &(dyn Fn(RunEvent) + Send + Sync),
    ) -> Result<Vec<AttachedStatement>, DeskError> {
        let number = match months {
            None | Some(1) => NumberOfStatements::MostRecent,
            Some(3) => NumberOfStatements::Months3,
            Some(12) => NumberOfStatements::Months12,
            Some(other) => {
                return Err(DeskError::Invalid(format!(
                    "Flinks sends the most recent statement, or 3 or 12 months of them, not {other}"
                )))
            }
        };
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        let customer = self.customer(&record.customer_key)?;
        let env = self
            .env(&customer.env_key)
            .ok_or_else(|| DeskError::UnknownCustomer(record.customer_key.clone()))?;
        self.require_confirmed(&env, "Fetching statements")?;
        let env = self.with_keys(env)?;
        let login_id = self.login_of(&customer)?;
        let secret_key = self.token_key(&env)?;
        let cancel = CancellationToken::new();
        let flow_progress = |e: flinks_client::FlowEvent| progress(e.into());
        let flow = flinks_client::Flow {
            client: &env.client,
            poll: env.poll,
            retry: flinks_client::RetryPolicy::default(),
            authorize_key: secret_key.as_ref(),
            cancel: &cancel,
            progress: &flow_progress,
        };
        let options = StatementsOptions {
            number,
            accounts_filter: Vec::new(),
        };
        let statements = flow.statements(&login_id, &options).await?;
        files::create_private_dir(folder).map_err(|e| write_error(folder, e))?;
        let stem = slug(&customer.label);
        let mut attached = Vec::new();
        for account in &statements.accounts {
            let last4 = last4(account.account_number.as_deref().unwrap_or("0000"));
            for (n, statement) in account.statements.iter().enumerate() {
                let path = folder.join(format!("{stem}-{run_id}-acct-{last4}-{}.pdf", n + 1));
                let mut file = files::private_file_options()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&statement.bytes).map(|()| f))
                    .map_err(|e| write_error(&path, e))?;
                file.flush().map_err(|e| write_error(&path, e))?;
                let sha = hex(&Sha256::digest(&statement.bytes));
                let id = self.store.attach_statement(
                    run_id,
                    &last4,
                    &path.display().to_string(),
                    statement.bytes.len() as i64,
                    &sha,
                )?;
                attached.push(id);
            }
        }
        Ok(self
            .store
            .statements(run_id)?
            .into_iter()
            .filter(|s| attached.contains(&s.id))
            .collect())
    }

    /// The statement files attached to a run.
    pub fn statements(&self, run_id: i64) -> Result<Vec<AttachedStatement>, DeskError> {
        Ok(self.store.statements(run_id)?)
    }
}

/// An account number's last four characters, letters and digits only (a file name part).
fn last4(number: &str) -> String {
    let kept: Vec<char> = number.chars().filter(char::is_ascii_alphanumeric).collect();
    kept[kept.len().saturating_sub(4)..].iter().collect()
}

/// `kevin-daigle`: a label as a file name part (letters and digits, words joined by dashes).
fn slug(label: &str) -> String {
    let words: Vec<String> = label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "statement".to_owned()
    } else {
        words.join("-")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_error(path: &Path, e: std::io::Error) -> DeskError {
    DeskError::Export(crate::export::ExportError::Write {
        path: path.to_owned(),
        source: e,
    })
}
