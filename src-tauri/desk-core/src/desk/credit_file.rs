//! A run gathered for its report ([`CreditFile`]): values, headlines, charts, the latest
//! decision with the transactions behind each reason, affordability, statements.

use chrono::NaiveDate;
use desk_policy::affordability::Affordability;

use super::Desk;
use crate::credit_file::{AccountLine, CreditFile, FileDecision, Provenance, ReasonEvidence};
use crate::DeskError;

impl Desk {
    /// Everything the credit file of `run_id` shows, made for the OS user (as decisions name
    /// who decided).
    pub fn credit_file(&self, run_id: i64) -> Result<CreditFile, DeskError> {
        let run = self.open_run(run_id)?;
        let record = self.store.run(run_id)?;
        let environment = self
            .environments()
            .into_iter()
            .find(|e| e.key == record.environment_key);
        let customer = self
            .store
            .customers()?
            .into_iter()
            .find(|c| c.key == record.customer_key);
        let balances = self.store.balances(run_id)?;
        let span = self.store.transaction_span(run_id)?;
        let accounts = accounts(&balances, &span);
        let data_as_of = balances
            .iter()
            .filter_map(|s| s.days.last().map(|d| d.date))
            .chain(span.iter().filter_map(|(_, last)| {
                NaiveDate::parse_from_str(last.get(..10).unwrap_or(last), "%Y-%m-%d").ok()
            }))
            .max()
            .map(|d| d.to_string())
            .unwrap_or_else(|| run.finished_at.chars().take(10).collect());
        let decision = match self.store.decisions(run_id)?.pop() {
            None => None,
            Some(d) => {
                let view = self.decision_view(d.id)?;
                let reasons = view
                    .reasons
                    .into_iter()
                    .map(|reason| {
                        let row = run.rows.iter().find(|r| r.name == reason.attribute);
                        let mut transactions = match row {
                            Some(_) => self.store.details(run_id, &reason.attribute)?,
                            None => Vec::new(),
                        };
                        for t in &mut transactions {
                            shown_account(&mut t.account_id, &balances);
                        }
                        Ok(ReasonEvidence {
                            label: row.map(|r| r.label.clone()),
                            reason,
                            transactions,
                        })
                    })
                    .collect::<Result<Vec<_>, DeskError>>()?;
                let affordability = match view.affordability {
                    Some(value) => {
                        serde_json::from_value::<Affordability>(value)
                            .map_err(super::decisions::stored_json)?
                            .formulas
                    }
                    None => Vec::new(),
                };
                Some(FileDecision {
                    summary: view.summary,
                    override_comment: view.override_comment,
                    reasons,
                    affordability,
                })
            }
        };
        let mut transactions_behind = self.store.transactions_behind(run_id)?;
        for t in &mut transactions_behind {
            shown_account(&mut t.account_id, &balances);
        }
        let as_of = decision
            .as_ref()
            .map(|d| d.summary.decided_at.clone())
            .unwrap_or_else(|| run.finished_at.clone());
        self.audit(
            "credit_file.made",
            &format!("run {}", self.store.run_uid(run_id)?),
        );
        Ok(CreditFile {
            run_id,
            customer: run.customer_label.clone(),
            login_last4: customer.as_ref().map(|c| c.login_last4.clone()),
            institution: customer.and_then(|c| c.institution),
            environment: run.environment.clone(),
            production: environment.is_some_and(|e| e.production),
            package: run.package.to_owned(),
            request_id: run.request_id.clone(),
            data_as_of,
            finished_at: run.finished_at.clone(),
            transactions: run.transactions,
            accounts,
            decision,
            headline: run.summary.clone(),
            charts: self.charts(run_id)?,
            statements: self.statements(run_id)?,
            rows: run.rows,
            transactions_behind,
            provenance: Provenance {
                generator: format!("Flinks Desk {}", env!("CARGO_PKG_VERSION")),
                user: self.store.desk_id().user.clone(),
                as_of,
            },
        })
    }
}

/// The run's accounts: those with balances (titled, last four), then any other account its
/// transactions name, by the id's last four.
fn accounts(
    balances: &[crate::store::BalanceSeries],
    span: &[(Option<String>, String)],
) -> Vec<AccountLine> {
    let mut lines: Vec<AccountLine> = balances
        .iter()
        .map(|s| AccountLine {
            title: s.title.clone(),
            last4: s.last4.clone(),
        })
        .collect();
    let others = span
        .iter()
        .filter_map(|(id, _)| id.as_deref())
        .filter(|id| !balances.iter().any(|s| s.account_id == *id));
    lines.extend(others.map(|id| AccountLine {
        title: None,
        last4: Some(last4(id)),
    }));
    lines
}

/// A transaction's account as the report shows it: the account number's last four when the run
/// kept its accounts, else the last four of Flinks' account id. A report never shows more.
fn shown_account(account_id: &mut Option<String>, balances: &[crate::store::BalanceSeries]) {
    if let Some(id) = account_id.take() {
        let number = balances
            .iter()
            .find(|s| s.account_id == id)
            .and_then(|s| s.last4.clone());
        *account_id = Some(number.unwrap_or_else(|| last4(&id)));
    }
}

fn last4(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}
