//! The attributes flow for one login: Authorize (cached) → GetAccountsDetail, polled while
//! pending → the package's attributes. Transient failures (network, timeouts, 5xx, throttling,
//! a body cut short) are retried with a doubling delay up to a bound, and an expired session is
//! re-opened once, because both happen in real use and neither needs a person. The desk and the
//! `flinks flow` command both run this, so they behave the same against the same faults.

use std::future::Future;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

use crate::{
    Account, AccountsDetail, AccountsDetailOptions, Attributes, AuthorizeOutcome, FlinksClient,
    FlinksCode, FlinksError, LoginId, Package, PollPolicy, RequestId, Secret, Transaction,
};

/// Where a flow is.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowEvent {
    Authorizing,
    /// Flinks opened a session; the data is being requested.
    RequestingAccounts {
        request_id: RequestId,
    },
    /// `OPERATION_PENDING`: the accounts are still being processed.
    Waiting {
        attempt: u32,
        elapsed: Duration,
        next_poll_in: Duration,
    },
    FetchingAttributes {
        accounts: usize,
        transactions: usize,
    },
    /// A transient failure of `what` that will be tried again after `delay`.
    Retrying {
        what: &'static str,
        attempt: u32,
        delay: Duration,
    },
    /// The session expired between two calls; a new one is being opened.
    Reauthorizing,
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Flinks(#[from] FlinksError),
    /// A cached Authorize should never ask; when the bank does, only the customer can answer.
    #[error("the bank asks a security question for this login")]
    SecurityChallenge,
}

/// What a finished flow hands back.
#[derive(Debug, Clone)]
pub struct FlowOutput {
    pub request_id: RequestId,
    pub attributes: Attributes,
    pub accounts: usize,
    pub transactions: usize,
    /// Each account's end-of-day balances, in the order Flinks listed the accounts. The
    /// transactions themselves are dropped with the accounts detail: a balance chart needs one
    /// point a day, not a year of statements kept in memory and in the history.
    pub balances: Vec<AccountBalances>,
}

/// One account's balance at the end of each day it had transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBalances {
    pub account_id: String,
    /// As the bank titles the account, with any run of more than four digits cut to its last
    /// four (some banks put the account number in the title).
    pub title: Option<String>,
    /// The last four characters of the account number, when it is longer than that: enough to
    /// tell two accounts apart, never the whole number.
    pub number_last4: Option<String>,
    /// Oldest first; the balance after the day's last transaction.
    pub days: Vec<(NaiveDate, Decimal)>,
}

impl AccountBalances {
    fn of(account: &Account) -> AccountBalances {
        let number_last4 = account
            .account_number
            .as_deref()
            .map(str::trim)
            .filter(|n| n.chars().count() > 4)
            .map(|n| n.chars().skip(n.chars().count() - 4).collect());
        AccountBalances {
            account_id: account.id.clone(),
            title: account.title.as_deref().map(mask_long_numbers),
            number_last4,
            days: end_of_day(&account.transactions),
        }
    }
}

/// `Chequing 1234567` → `Chequing …4567`.
fn mask_long_numbers(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() > 4 {
            out.push('…');
            out.push_str(&digits[digits.len() - 4..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in title.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// How many neighbours agree with `older` coming right before `newer`: the newer balance is
/// the older one plus the newer transaction's credit minus its debit.
fn chained<'t>(pairs: impl Iterator<Item = (&'t Transaction, &'t Transaction)>) -> usize {
    pairs
        .filter(|(older, newer)| match (older.balance, newer.balance) {
            (Some(before), Some(after)) => {
                before + newer.credit.unwrap_or_default() - newer.debit.unwrap_or_default() == after
            }
            _ => false,
        })
        .count()
}

/// The balance at the end of each day, from the running balances of a statement. Flinks lists
/// transactions newest first, but nothing promises it, and within one day only the list's
/// order tells which came last: the order is read from the dates when they differ, and from
/// which way the running balances add up when they do not.
fn end_of_day(transactions: &[Transaction]) -> Vec<(NaiveDate, Decimal)> {
    let newest_first = match (transactions.first(), transactions.last()) {
        (Some(first), Some(last)) if first.date != last.date => first.date > last.date,
        _ => {
            let forward = chained(transactions.iter().zip(transactions.iter().skip(1)));
            let backward = chained(transactions.iter().skip(1).zip(transactions.iter()));
            backward >= forward
        }
    };
    let mut oldest_first: Vec<&Transaction> = transactions.iter().collect();
    if newest_first {
        oldest_first.reverse();
    }
    // Stable: a list a little out of date order keeps each day's own order.
    oldest_first.sort_by_key(|t| t.date);
    let mut days: Vec<(NaiveDate, Decimal)> = Vec::new();
    for t in oldest_first {
        let Some(balance) = t.balance else { continue };
        match days.last_mut() {
            Some((day, end)) if *day == t.date => *end = balance,
            _ => days.push((t.date, balance)),
        }
    }
    days
}

fn balances_of(detail: &AccountsDetail) -> Vec<AccountBalances> {
    detail.accounts.iter().map(AccountBalances::of).collect()
}

/// How often a transient failure of one call is tried, and the first pause (it doubles).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_delay: Duration::from_millis(500),
        }
    }
}

/// Runs `call` until it succeeds, fails for good, or `retry.attempts` transient failures in a row;
/// the delay doubles each time and is cut short by cancellation.
pub async fn with_retry<T, F, Fut>(
    what: &'static str,
    retry: RetryPolicy,
    cancel: &CancellationToken,
    progress: &(dyn Fn(FlowEvent) + Send + Sync),
    mut call: F,
) -> Result<T, FlinksError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, FlinksError>>,
{
    let mut delay = retry.first_delay;
    let mut attempt = 1;
    loop {
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(FlinksError::Cancelled),
            r = call() => r,
        };
        match result {
            Err(e) if e.is_transient() && attempt < retry.attempts => {
                tracing::warn!(what, attempt, error = %e, "transient failure; retrying");
                progress(FlowEvent::Retrying {
                    what,
                    attempt,
                    delay,
                });
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return Err(FlinksError::Cancelled),
                    _ = tokio::time::sleep(delay) => {}
                }
                delay *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_expired_session(e: &FlowError) -> bool {
    matches!(e, FlowError::Flinks(f) if matches!(f.code(), Some(FlinksCode::SessionNonexistent)))
}

/// What the flow ends by asking for: a package, or the custom `/Attributes` call's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Package(Package),
    Custom(Vec<String>),
}

impl Wanted {
    fn endpoint(&self) -> &'static str {
        match self {
            Wanted::Package(p) => p.endpoint(),
            Wanted::Custom(_) => "Attributes",
        }
    }
}

pub struct Flow<'a> {
    pub client: &'a FlinksClient,
    pub poll: PollPolicy,
    pub retry: RetryPolicy,
    /// The instance's secret key, when its Authorize wants a fresh authorize token each time.
    pub authorize_key: Option<&'a Secret>,
    pub cancel: &'a CancellationToken,
    pub progress: &'a (dyn Fn(FlowEvent) + Send + Sync),
}

impl Flow<'_> {
    pub async fn run(&self, login_id: &LoginId, package: Package) -> Result<FlowOutput, FlowError> {
        self.run_wanted(login_id, &Wanted::Package(package)).await
    }

    pub async fn run_wanted(
        &self,
        login_id: &LoginId,
        wanted: &Wanted,
    ) -> Result<FlowOutput, FlowError> {
        match self.run_once(login_id, wanted).await {
            // A session can expire between the calls (a long wait, a laptop asleep): open a new one, once.
            Err(e) if is_expired_session(&e) => {
                tracing::info!("session expired mid-flow; authorizing again");
                (self.progress)(FlowEvent::Reauthorizing);
                self.run_once(login_id, wanted).await
            }
            other => other,
        }
    }

    async fn run_once(&self, login_id: &LoginId, wanted: &Wanted) -> Result<FlowOutput, FlowError> {
        let request_id = self.open_session(login_id).await?;
        self.fetch(login_id, &request_id, wanted).await
    }

    /// Authorize (cached), retried, with a fresh token each try where the instance wants one.
    async fn open_session(&self, login_id: &LoginId) -> Result<RequestId, FlowError> {
        (self.progress)(FlowEvent::Authorizing);
        let outcome = with_retry(
            "Authorize",
            self.retry,
            self.cancel,
            self.progress,
            || async {
                // A token is single-use, so a retried Authorize needs a new one.
                let token = match self.authorize_key {
                    Some(key) => Some(self.client.generate_authorize_token(key).await?),
                    None => None,
                };
                self.client.authorize_cached(login_id, token.as_ref()).await
            },
        )
        .await?;
        match outcome {
            AuthorizeOutcome::Authorized(a) => Ok(a.request_id),
            AuthorizeOutcome::Challenge { .. } => Err(FlowError::SecurityChallenge),
        }
    }

    async fn fetch(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        wanted: &Wanted,
    ) -> Result<FlowOutput, FlowError> {
        let request_id = request_id.clone();
        (self.progress)(FlowEvent::RequestingAccounts {
            request_id: request_id.clone(),
        });
        let options = AccountsDetailOptions::default();
        let detail = with_retry(
            "GetAccountsDetail",
            self.retry,
            self.cancel,
            self.progress,
            || {
                self.client.wait_accounts_detail(
                    login_id,
                    &request_id,
                    &options,
                    self.poll,
                    self.cancel,
                    |p| {
                        (self.progress)(FlowEvent::Waiting {
                            attempt: p.attempt,
                            elapsed: p.elapsed,
                            next_poll_in: p.next_poll_in,
                        })
                    },
                )
            },
        )
        .await?;
        let accounts = detail.accounts.len();
        let transactions = detail.accounts.iter().map(|a| a.transactions.len()).sum();
        let balances = balances_of(&detail);
        // A year of statements need not stay in memory through the attributes call.
        drop(detail);
        (self.progress)(FlowEvent::FetchingAttributes {
            accounts,
            transactions,
        });
        let attributes = with_retry(
            wanted.endpoint(),
            self.retry,
            self.cancel,
            self.progress,
            || async {
                match wanted {
                    Wanted::Package(p) => self.client.attributes(*p, login_id, &request_id).await,
                    Wanted::Custom(names) => {
                        self.client
                            .custom_attributes(login_id, &request_id, names)
                            .await
                    }
                }
            },
        )
        .await?;
        Ok(FlowOutput {
            request_id,
            attributes,
            accounts,
            transactions,
            balances,
        })
    }
}

mod statements;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    fn recorder() -> (Arc<Mutex<Vec<FlowEvent>>>, impl Fn(FlowEvent) + Send + Sync) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        (events, move |e| sink.lock().unwrap().push(e))
    }

    fn tx(
        date: &str,
        debit: Option<i64>,
        credit: Option<i64>,
        balance: Option<i64>,
    ) -> Transaction {
        Transaction {
            id: None,
            date: date.parse().unwrap(),
            description: None,
            debit: debit.map(Decimal::from),
            credit: credit.map(Decimal::from),
            balance: balance.map(Decimal::from),
        }
    }

    fn day(date: &str, balance: i64) -> (NaiveDate, Decimal) {
        (date.parse().unwrap(), Decimal::from(balance))
    }

    #[test]
    fn each_day_ends_on_its_last_transaction_newest_first_or_oldest_first() {
        // As Flinks lists them: newest first, so the 2nd's last transaction is the first listed.
        let newest_first = [
            tx("2026-01-03", Some(5), None, Some(80)),
            tx("2026-01-02", None, Some(50), Some(85)),
            tx("2026-01-02", Some(65), None, Some(35)),
            tx("2026-01-01", Some(0), None, Some(100)),
        ];
        let expected = [
            day("2026-01-01", 100),
            day("2026-01-02", 85),
            day("2026-01-03", 80),
        ];
        assert_eq!(end_of_day(&newest_first), expected);
        let mut oldest_first = newest_first.clone();
        oldest_first.reverse();
        assert_eq!(end_of_day(&oldest_first), expected);
    }

    #[test]
    fn within_a_single_day_the_running_balances_tell_the_order() {
        // From 100: −30 → 70, +40 → 110, −60 → 50; read the other way round nothing adds up.
        let oldest_first = [
            tx("2026-01-02", Some(30), None, Some(70)),
            tx("2026-01-02", None, Some(40), Some(110)),
            tx("2026-01-02", Some(60), None, Some(50)),
        ];
        assert_eq!(end_of_day(&oldest_first), [day("2026-01-02", 50)]);
        let mut newest_first = oldest_first.clone();
        newest_first.reverse();
        assert_eq!(end_of_day(&newest_first), [day("2026-01-02", 50)]);
    }

    #[test]
    fn transactions_without_a_balance_are_skipped_and_no_transactions_give_no_days() {
        let txs = [
            tx("2026-01-02", Some(5), None, None),
            tx("2026-01-01", Some(5), None, Some(10)),
        ];
        assert_eq!(end_of_day(&txs), [day("2026-01-01", 10)]);
        assert!(end_of_day(&[]).is_empty());
    }

    #[test]
    fn an_account_shows_at_most_the_last_four_of_its_number() {
        let account = |number: Option<&str>, title: &str| Account {
            id: "a1".into(),
            title: Some(title.into()),
            account_type: None,
            category: None,
            currency: None,
            account_number: number.map(Into::into),
            transit_number: None,
            institution_number: None,
            balance: None,
            transactions: Vec::new(),
        };
        let b = AccountBalances::of(&account(Some("1234567"), "Chequing 1234567 (CAD)"));
        assert_eq!(b.number_last4.as_deref(), Some("4567"));
        assert_eq!(b.title.as_deref(), Some("Chequing …4567 (CAD)"));
        let short = AccountBalances::of(&account(Some("4567"), "Visa 2024"));
        assert_eq!(
            short.number_last4, None,
            "four digits would be the whole number"
        );
        assert_eq!(short.title.as_deref(), Some("Visa 2024"));
        assert_eq!(
            AccountBalances::of(&account(None, "Savings")).number_last4,
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_with_growing_delays() {
        let calls = AtomicU32::new(0);
        let (events, progress) = recorder();
        let out = with_retry(
            "Authorize",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        Err(FlinksError::Transport("connection reset".into()))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(out.unwrap(), 2);
        let delays: Vec<u128> = events
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                FlowEvent::Retrying { delay, .. } => delay.as_millis(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(delays, [500, 1000]);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_after_the_policy_and_on_permanent_errors() {
        let calls = AtomicU32::new(0);
        let (_, progress) = recorder();
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(FlinksError::Timeout(Duration::from_secs(30))) }
            },
        )
        .await;
        assert!(matches!(out, Err(FlinksError::Timeout(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        calls.store(0, Ordering::SeqCst);
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Err(FlinksError::Api {
                        status: 401,
                        code: FlinksCode::InvalidLogin,
                        message: String::new(),
                    })
                }
            },
        )
        .await;
        assert!(out.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a refused login is not retried"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_ends_the_pause_between_attempts() {
        let cancel = CancellationToken::new();
        let (_, progress) = recorder();
        let stopper = cancel.clone();
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy {
                attempts: 10,
                first_delay: Duration::from_secs(3600),
            },
            &cancel,
            &progress,
            || {
                stopper.cancel();
                async { Err(FlinksError::Transport("reset".into())) }
            },
        )
        .await;
        assert!(matches!(out, Err(FlinksError::Cancelled)));
    }
}
