//! The cast of synthetic Flinks Capital customers, generated from a seed.
//!
//! Every persona is a short script over a builder: it opens accounts and posts tables of
//! streams, each a schedule (biweekly, monthly on a day with jitter, k days a week, scattered),
//! a direction, descriptions and an amount with its jitter. The builder then orders each
//! account's events, sets the opening balance and writes the running balances, so a script
//! never does balance arithmetic.
//!
//! Output is a pure function of (seed, as_of). Login ids and account ids are drawn before any
//! date-dependent randomness, so they depend on the seed and the username only.

// Amounts are cents written as dollars_cents (1_250_00 is $1,250.00), a grouping clippy
// would otherwise call inconsistent.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::model::Persona;
use builder::{fnv1a, new_id, Builder, Kind, Opening, Script};
use scripts::SCRIPTS;

mod applicants;
mod builder;
mod schedule;
mod scripts;

pub use applicants::{applicants, Applicants};
pub use scripts::STUDENT_ACCOUNT_AGE_DAYS;

pub const DEFAULT_SEED: u64 = 0x464C_494E_4B53;

/// Days of history before `as_of` (the cast's transactions start on `as_of - HISTORY_DAYS`).
const HISTORY_DAYS: i64 = 365;
const BULK_HISTORY_DAYS: i64 = 730;
/// The days of transactions GetAccountsDetail returns at most (`Days365`).
const SERVED_DAYS: i64 = 365;

/// The synthetic customers, in a fixed order.
pub fn cast(seed: u64, as_of: NaiveDate) -> Vec<Persona> {
    SCRIPTS
        .iter()
        .map(|script| {
            let mut b = Builder::new(seed, script, as_of, HISTORY_DAYS);
            (script.write)(&mut b);
            b.finish()
        })
        .collect()
}

/// One chequing account with exactly `n_transactions` transactions spread over 24 months, for
/// benchmarks. The username is `bulk_<n>`.
pub fn bulk(seed: u64, as_of: NaiveDate, n_transactions: usize) -> Persona {
    busy(seed, as_of, n_transactions, "bulk", BULK_HISTORY_DAYS)
}

/// One chequing account with exactly `n_transactions` transactions over the last 365 days, the
/// most a GetAccountsDetail (`Days365`) returns, so a client receives all of them and the
/// attributes are computed from all of them. The username is `big_<n>`; a sandbox serves it
/// when asked ([`Applicants::big`]).
pub fn big(seed: u64, as_of: NaiveDate, n_transactions: usize) -> Persona {
    // The served window is `as_of - 365 < date <= as_of`: 365 days, `as_of` included.
    busy(seed, as_of, n_transactions, "big", SERVED_DAYS - 1)
}

fn busy(seed: u64, as_of: NaiveDate, n: usize, prefix: &str, history_days: i64) -> Persona {
    let username = format!("{prefix}_{n}");
    let script = Script {
        username: &username,
        holder: "Alex Morin",
        story: "a long, busy chequing account for benchmarks",
        write: |_| {},
    };
    let mut b = Builder::new(seed, &script, as_of, history_days);
    let opening = 2_500_00;
    let chq = b.open(Kind::Chequing, 3_650, 1_000_00, Opening::Fixed(opening));
    b.busy_account(chq, n, opening);
    b.finish()
}

/// The loginId a live sign-in to Flinks Capital gives `username` (any case): stable per seed and
/// username, like the personas' ids, and distinct from them.
pub fn live_login_id(seed: u64, username: &str) -> Uuid {
    let username = username.trim().to_ascii_lowercase();
    let mut rng = ChaCha8Rng::seed_from_u64(fnv1a(&[
        &seed.to_le_bytes(),
        b"FlinksCapital/live/",
        username.as_bytes(),
    ]));
    new_id(&mut rng)
}

#[cfg(test)]
mod tests;
