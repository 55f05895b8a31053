//! The client's reply decoders on raw bytes. Each function runs the code [`crate::FlinksClient`]
//! runs on an HTTP answer (its status and its body) and nothing more, so a body that breaks one of
//! them breaks the client the same way: the fuzz targets under `src-tauri/fuzz` and the tests
//! feed replies through here rather than through copies of the decoders.
//!
//! `secrets` are what the call scrubs from its errors (the loginId, a token, a password). The
//! 256 MiB cap on a body is applied while it streams in, so it is not repeated here.

use reqwest::StatusCode;
use serde_json::Value;

use crate::client::{DetailReply, FlinksClient, ReadReply, Reply};
use crate::error::FlinksError;
use crate::wire::{AccountsDetail, Attributes, AuthorizeOutcome};
use crate::Result;

pub use crate::connect::{parse_connect_redirect, parse_oauth_redirect};

/// reqwest never hands the client a status outside 100..=999; such a status is refused here
/// rather than given a behaviour the client does not have.
fn status_code(status: u16) -> Result<StatusCode> {
    StatusCode::from_u16(status).map_err(|_| FlinksError::Decode {
        status,
        reason: format!("{status} is not an HTTP status"),
        excerpt: String::new(),
        truncated: false,
    })
}

/// A body as the small replies (and any reply the typed readers refuse) are read: JSON, with its
/// object keys folded to lower case.
pub fn reply_body(status: u16, body: &[u8], secrets: &[&str]) -> Result<Value> {
    FlinksClient::read_body(status_code(status)?, body, secrets)
}

/// An `/Authorize` answer: 200 opens a session, 203 asks security questions, anything else is
/// the error the client returns.
pub fn authorize(status: u16, body: &[u8], secrets: &[&str]) -> Result<AuthorizeOutcome> {
    let status = status_code(status)?;
    let body = FlinksClient::read_body(status, body, secrets)?;
    FlinksClient::authorize_reply(status, body, secrets)
}

/// A `GetAccountsDetail` or `GetAccountsSummary` answer, or one of their Async polls: `None`
/// while Flinks answers 202 `OPERATION_PENDING` (or `OPERATION_DISPATCHED`).
pub fn accounts_detail(
    status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<Option<AccountsDetail>> {
    let status = status_code(status)?;
    let reply = Reply::read(status, body, secrets)?;
    match FlinksClient::detail_reply(status, reply, secrets)? {
        DetailReply::Ready(detail) => Ok(Some(*detail)),
        DetailReply::Pending => Ok(None),
    }
}

/// An attributes answer: a package (`GET …/GetCreditRiskAttributes`) or a custom request
/// (`POST …/attributes/{requestId}`); both send the same `Card`, with its `AttributesDetail`.
pub fn attributes(status: u16, body: &[u8], secrets: &[&str]) -> Result<Attributes> {
    let status = status_code(status)?;
    let reply = Reply::read(status, body, secrets)?;
    FlinksClient::attributes_reply(status, reply, secrets)
}

/// The error the client makes of an answer it does not accept: `Api` from an error body
/// (`FlinksCode`, `Message`), `Decode` when the body is not JSON.
pub fn api_error(status: u16, body: &[u8], secrets: &[&str]) -> FlinksError {
    let status = match status_code(status) {
        Ok(s) => s,
        Err(e) => return e,
    };
    match FlinksClient::read_body(status, body, secrets) {
        Ok(body) => FlinksClient::api_error(status, &body, secrets),
        Err(e) => e,
    }
}

/// What a fuzz target runs on one input, and what the regression tests replay: the decoders
/// above under every status that takes its own path, plus the invariants that must hold whatever
/// the bytes. Not an API: it panics on purpose, since a panic is how a fuzzer reports.
#[doc(hidden)]
pub mod fuzz {
    use super::*;

    /// The loginId of the seed replies, so the scrubbing of a real secret is exercised too.
    const SEED_LOGIN_ID: &str = "d2ee4056-9a1b-4b3d-ab58-b95fd829f5ef";

    /// An input is a reply body, optionally after a first line `#secret`: a password or token
    /// the call would scrub, chosen by the fuzzer (usually the body then echoes it).
    pub(crate) fn split(data: &[u8]) -> (Option<&str>, &[u8]) {
        if let Some(rest) = data.strip_prefix(b"#") {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let secret = std::str::from_utf8(&rest[..end.min(64)]).ok();
            let body = rest.get(end + 1..).unwrap_or_default();
            return (secret, body);
        }
        (None, data)
    }

    /// Secrets whose leaks can be judged: 8 or more printable ASCII characters with a letter
    /// and a digit, as loginIds, tokens and passwords are. Shorter or wordier ones are still
    /// scrubbed (and fuzzed for panics and hangs), but a fixed message such as "not JSON" may
    /// contain them without leaking anything.
    fn judged(secret: &str) -> bool {
        secret.len() >= 8
            && secret.bytes().all(|b| b.is_ascii_graphic())
            && secret.bytes().any(|b| b.is_ascii_digit())
            && secret.bytes().any(|b| b.is_ascii_alphabetic())
    }

    /// The promise of [`FlinksError`]: no text it carries contains a secret of the call.
    fn assert_scrubbed(e: &FlinksError, secrets: &[&str]) {
        let texts: Vec<&str> = match e {
            FlinksError::Api { message, .. } => vec![message],
            FlinksError::Decode {
                reason, excerpt, ..
            } => vec![reason, excerpt],
            FlinksError::Transport(t) => vec![t],
            _ => Vec::new(),
        };
        for secret in secrets.iter().filter(|s| judged(s)) {
            let secret = secret.to_ascii_lowercase();
            for text in &texts {
                assert!(
                    !text.to_ascii_lowercase().contains(&secret),
                    "a secret leaked into an error: {text:?}"
                );
            }
        }
    }

    fn with_secrets(data: &[u8], run: impl Fn(&[u8], &[&str])) {
        let (secret, body) = split(data);
        let mut secrets = vec![SEED_LOGIN_ID];
        secrets.extend(secret);
        run(body, &secrets);
    }

    pub fn decode_authorize(data: &[u8]) {
        with_secrets(data, |body, secrets| {
            for status in [200, 203, 401] {
                match authorize(status, body, secrets) {
                    Ok(AuthorizeOutcome::Authorized(a)) => {
                        assert_eq!(status, 200);
                        assert_eq!(a.login.id.expose(), a.login.id.expose().trim());
                    }
                    Ok(AuthorizeOutcome::Challenge { .. }) => assert_eq!(status, 203),
                    Err(e) => assert_scrubbed(&e, secrets),
                }
            }
        });
    }

    pub fn decode_accounts_detail(data: &[u8]) {
        with_secrets(data, |body, secrets| {
            for status in [200, 202, 400] {
                match accounts_detail(status, body, secrets) {
                    Ok(Some(_)) => assert_eq!(status, 200),
                    Ok(None) => assert_eq!(status, 202),
                    Err(e) => assert_scrubbed(&e, secrets),
                }
            }
        });
    }

    pub fn decode_attributes(data: &[u8]) {
        with_secrets(data, |body, secrets| {
            for status in [200, 400] {
                match attributes(status, body, secrets) {
                    Ok(attrs) => {
                        assert_eq!(status, 200);
                        // Card.Id is the loginId: it must never become an attribute.
                        assert!(!attrs.values.contains_key("id"));
                    }
                    Err(e) => assert_scrubbed(&e, secrets),
                }
            }
            assert_scrubbed(&api_error(500, body, secrets), secrets);
        });
    }

    /// An input is the URL the webview was sent to, optionally after a first line `#state`:
    /// the state an OAuth sign-in expects.
    pub fn parse_connect_redirect(data: &[u8]) {
        let (state, url) = split(data);
        let url = String::from_utf8_lossy(url);
        if let Ok(outcome) = super::parse_connect_redirect(&url) {
            let id = outcome.login_id.expose();
            assert!(!id.is_empty() && id == id.trim());
        }
        let expected = state.unwrap_or("s1");
        if let Ok(outcome) = super::parse_oauth_redirect(&url, expected) {
            assert_eq!(outcome.state, expected);
            assert!(!outcome.login_id.expose().is_empty());
        }
    }
}

#[cfg(test)]
mod typed_reading;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
    }

    /// Every file of `fuzz/<kind>/<target>/`, sorted; none when the folder is absent.
    fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }

    /// Replays the crashes the fuzzers found (and the hostile inputs kept beside them) through
    /// the same function the fuzz target runs; a regression panics here with the file's name.
    fn replay(target: &str, run: fn(&[u8])) {
        let files = inputs("regressions", target);
        assert!(!files.is_empty(), "no regression inputs for {target}");
        for (path, bytes) in files {
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{} fails again", path.display());
        }
    }

    #[test]
    fn authorize_regressions_still_decode() {
        replay("decode_authorize", fuzz::decode_authorize);
    }

    #[test]
    fn accounts_detail_regressions_still_decode() {
        replay("decode_accounts_detail", fuzz::decode_accounts_detail);
    }

    #[test]
    fn attributes_regressions_still_decode() {
        replay("decode_attributes", fuzz::decode_attributes);
    }

    #[test]
    fn connect_redirect_regressions_still_parse() {
        replay("parse_connect_redirect", fuzz::parse_connect_redirect);
    }

    /// The seeds are real sandbox replies: each must read as what it is, or the fuzzers would
    /// start from error paths only.
    #[test]
    fn the_seed_replies_decode() {
        let seeds = |t| inputs("corpus", t);
        let authorized = seeds("decode_authorize")
            .iter()
            .filter_map(|(_, b)| authorize(200, b, &[]).ok())
            .count();
        let challenged = seeds("decode_authorize")
            .iter()
            .filter(|(_, b)| matches!(authorize(203, b, &[]), Ok(AuthorizeOutcome::Challenge { challenges, .. }) if !challenges.is_empty()))
            .count();
        assert!(authorized > 0 && challenged > 0);
        let details: Vec<_> = seeds("decode_accounts_detail")
            .iter()
            .filter_map(|(_, b)| accounts_detail(200, b, &[]).ok())
            .collect();
        assert!(details.iter().any(|d| d
            .as_ref()
            .is_some_and(|d| d.accounts.iter().any(|a| !a.transactions.is_empty()))));
        let attrs: Vec<_> = seeds("decode_attributes")
            .iter()
            .filter_map(|(_, b)| attributes(200, b, &[]).ok())
            .collect();
        assert!(attrs.iter().any(|a| !a.details.is_empty()));
        assert!(seeds("parse_connect_redirect")
            .iter()
            .any(|(_, b)| parse_connect_redirect(&String::from_utf8_lossy(b)).is_ok()));
    }

    #[test]
    fn statuses_take_the_clients_paths() {
        let pending = br#"{"FlinksCode":"OPERATION_PENDING","HttpStatusCode":202}"#;
        assert!(matches!(accounts_detail(202, pending, &[]), Ok(None)));
        let denied =
            br#"{"HttpStatusCode":401,"FlinksCode":"DISABLED_LOGIN","Message":"Disabled."}"#;
        let e = authorize(401, denied, &[]).unwrap_err();
        assert!(
            matches!(&e, FlinksError::Api { code, .. } if *code == crate::FlinksCode::DisabledLogin)
        );
        assert!(matches!(
            api_error(502, b"<html>Bad gateway</html>", &[]),
            FlinksError::Decode { status: 502, .. }
        ));
        assert!(matches!(
            attributes(400, denied, &[]),
            Err(FlinksError::Api { status: 400, .. })
        ));
        assert!(reply_body(42, b"{}", &[]).is_err());
    }
}
