//! More customers than the cast, for loads: many distinct ones (the desk's portfolio
//! benchmark), each one of the cast's scripts under a username of its own, so its ids and its
//! data follow from the seed and that username, as the cast's do; and one big one (the desk's
//! big_customer benchmark), whose replies are as large as a busy account makes them.

use chrono::NaiveDate;

use super::builder::{Builder, Script};
use super::scripts::SCRIPTS;
use super::{big, HISTORY_DAYS};
use crate::model::Persona;

/// Who a sandbox serves besides its cast ([`crate::SandboxConfig::applicants`]); nobody by
/// default. A number is that many scripted applicants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applicants {
    /// This many made from the cast's scripts (see [`applicants`]).
    pub scripted: usize,
    /// One more customer, `big_<n>`, with this many transactions in its year (see [`big`]).
    pub big: Option<usize>,
}

impl From<usize> for Applicants {
    fn from(scripted: usize) -> Self {
        Applicants {
            scripted,
            big: None,
        }
    }
}

/// The scripted applicants, `<script>_<i>` for i in 1..=n, going round the cast's scripts in
/// order (`salaried_biweekly_1`, `borrower_nsf_2`, …): distinct usernames, hence distinct
/// loginIds, account ids and draws, none the cast's. Then the big one, when asked.
pub fn applicants(seed: u64, as_of: NaiveDate, which: impl Into<Applicants>) -> Vec<Persona> {
    let which = which.into();
    let scripted = (0..which.scripted).map(|i| {
        let of = &SCRIPTS[i % SCRIPTS.len()];
        let username = format!("{}_{}", of.username, i + 1);
        let script = Script {
            username: &username,
            holder: of.holder,
            story: of.story,
            write: of.write,
        };
        let mut b = Builder::new(seed, &script, as_of, HISTORY_DAYS);
        (script.write)(&mut b);
        b.finish()
    });
    scripted
        .chain(which.big.map(|n| big(seed, as_of, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::personas::{cast, DEFAULT_SEED};

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    #[test]
    fn applicants_are_distinct_from_each_other_and_the_cast() {
        let cast = cast(DEFAULT_SEED, as_of());
        let many = applicants(DEFAULT_SEED, as_of(), 20);
        assert_eq!(many.len(), 20);
        assert_eq!(many[0].username, "salaried_biweekly_1");
        assert_eq!(many[9].username, "borrower_nsf_10");
        assert_eq!(many[9].holder_name, cast[1].holder_name);
        let logins: HashSet<_> = cast.iter().chain(&many).map(|p| p.login_id).collect();
        assert_eq!(logins.len(), 28);
        let accounts: HashSet<_> = cast
            .iter()
            .chain(&many)
            .flat_map(|p| p.accounts.iter().map(|a| a.id))
            .collect();
        let total: usize = cast.iter().chain(&many).map(|p| p.accounts.len()).sum();
        assert_eq!(accounts.len(), total);
        // Same script, another username: other draws, so other transactions.
        assert_ne!(
            many[0].accounts[0].transactions,
            cast[0].accounts[0].transactions
        );
        assert!(many
            .iter()
            .all(|p| p.accounts.iter().any(|a| !a.transactions.is_empty())));
    }

    #[test]
    fn applicants_follow_from_the_seed() {
        let once = applicants(DEFAULT_SEED, as_of(), 9);
        let again = applicants(DEFAULT_SEED, as_of(), 9);
        assert_eq!(once, again);
        let other = applicants(DEFAULT_SEED + 1, as_of(), 9);
        assert_ne!(once[8].login_id, other[8].login_id);
        assert!(applicants(DEFAULT_SEED, as_of(), 0).is_empty());
    }

    #[tokio::test]
    async fn a_sandbox_serves_its_applicants_after_its_cast() {
        let sandbox = crate::Sandbox::start_local(crate::SandboxConfig {
            as_of: as_of(),
            applicants: 3.into(),
            ..crate::SandboxConfig::default()
        })
        .await
        .unwrap();
        let names: Vec<&str> = sandbox.personas()[8..]
            .iter()
            .map(|p| p.username.as_str())
            .collect();
        assert_eq!(
            names,
            ["salaried_biweekly_1", "borrower_nsf_2", "gig_worker_3"]
        );
        // A cached Authorize knows an applicant's loginId, as it knows the cast's.
        let url = format!(
            "{}/v3/{}/BankingServices/Authorize",
            sandbox.base_url(),
            sandbox.customer_id()
        );
        let body = serde_json::json!({
            "LoginId": sandbox.personas()[10].login_id.to_string(),
            "MostRecentCached": true,
        });
        let reply = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 200);
        sandbox.stop().await;
    }
}
