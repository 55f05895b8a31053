//! What a fault is and when it fires: the rules a sandbox holds, in their text and JSON forms.
//! [`crate::faults`] applies them to requests; this module knows nothing of HTTP, so the
//! sandbox's configuration and state can hold rules without depending on the middleware.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FaultKind {
    /// `500`: 500 with a Flinks error body, `AGGREGATION_ERROR`.
    ServerError,
    /// `502-html`: 502 with the HTML page of a reverse proxy whose upstream is gone.
    BadGatewayHtml,
    /// `timeout`: the normal answer, held back for `SandboxConfig::fault_delay`.
    Timeout,
    /// `reset`: the connection closes without a response.
    Reset,
    /// `truncated`: the normal answer's body cut in half, with a Content-Length to match.
    Truncated,
    /// `malformed`: the normal answer's status with a body that is not JSON.
    Malformed,
    /// `429`: 429 `TOO_MANY_REQUESTS` with `Retry-After: 1`.
    TooManyRequests,
    /// `expired-session`: the request's RequestId is forgotten; 400 `SESSION_NONEXISTENT`.
    ExpiredSession,
    /// `endless-pending`: 202 `OPERATION_PENDING`, every time, and the session kept alive.
    EndlessPending,
}

impl FaultKind {
    pub const ALL: [FaultKind; 9] = [
        FaultKind::ServerError,
        FaultKind::BadGatewayHtml,
        FaultKind::Timeout,
        FaultKind::Reset,
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::TooManyRequests,
        FaultKind::ExpiredSession,
        FaultKind::EndlessPending,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FaultKind::ServerError => "500",
            FaultKind::BadGatewayHtml => "502-html",
            FaultKind::Timeout => "timeout",
            FaultKind::Reset => "reset",
            FaultKind::Truncated => "truncated",
            FaultKind::Malformed => "malformed",
            FaultKind::TooManyRequests => "429",
            FaultKind::ExpiredSession => "expired-session",
            FaultKind::EndlessPending => "endless-pending",
        }
    }
}

/// Where a fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Stage {
    /// POST Authorize.
    Authorize,
    /// POST GetAccountsDetail.
    AccountsDetail,
    /// GET GetAccountsDetailAsync/{requestId}.
    AccountsDetailAsync,
    /// The package attribute GETs and the custom attributes POST.
    Attributes,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Authorize,
        Stage::AccountsDetail,
        Stage::AccountsDetailAsync,
        Stage::Attributes,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Stage::Authorize => "authorize",
            Stage::AccountsDetail => "accounts-detail",
            Stage::AccountsDetailAsync => "accounts-detail-async",
            Stage::Attributes => "attributes",
        }
    }
}

/// A slug that names no fault kind, stage or rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultParseError(String);

fn parse_slug<T: Copy>(
    text: &str,
    all: &[T],
    slug: fn(T) -> &'static str,
    what: &str,
) -> Result<T, FaultParseError> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|v| slug(*v).eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|v| slug(*v)).collect();
            FaultParseError(format!(
                "{text:?} is not a {what}; use one of {}",
                known.join(", ")
            ))
        })
}

macro_rules! slug_traits {
    ($type:ty, $what:literal) => {
        impl FromStr for $type {
            type Err = FaultParseError;
            fn from_str(s: &str) -> Result<Self, FaultParseError> {
                parse_slug(s, &<$type>::ALL, <$type>::slug, $what)
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.slug())
            }
        }

        impl TryFrom<String> for $type {
            type Error = FaultParseError;
            fn try_from(s: String) -> Result<Self, FaultParseError> {
                s.parse()
            }
        }

        impl From<$type> for String {
            fn from(v: $type) -> String {
                v.slug().to_owned()
            }
        }
    };
}

slug_traits!(FaultKind, "fault kind");
slug_traits!(Stage, "stage");

/// A fault for one customer (or all), at one stage, a number of times (or always).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// A misspelt "loginId" would otherwise make a rule for every customer.
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The customer's loginId; None faults every customer.
    #[serde(default)]
    pub login_id: Option<String>,
    pub stage: Stage,
    pub kind: FaultKind,
    /// How many more times the rule fires; None fires on every request.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    fn fires_on(&self, stage: Stage, login: Option<&str>) -> bool {
        self.stage == stage
            && self.times != Some(0)
            && match (&self.login_id, login) {
                (None, _) => true,
                (Some(rule), Some(login)) => same_login(rule, login),
                (Some(_), None) => false,
            }
    }
}

fn same_login(a: &str, b: &str) -> bool {
    match (Uuid::parse_str(a.trim()), Uuid::parse_str(b.trim())) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

/// `<loginId|*>:<stage>:<kind>[:times]`, the command line's form.
impl FromStr for FaultRule {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Self, FaultParseError> {
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        let (login, stage, kind, times) = match parts.as_slice() {
            [login, stage, kind] => (*login, *stage, *kind, None),
            [login, stage, kind, times] => (*login, *stage, *kind, Some(*times)),
            _ => {
                return Err(FaultParseError(format!(
                    "{s:?} is not <loginId|*>:<stage>:<kind>[:times]"
                )))
            }
        };
        let times = times
            .map(|t| {
                t.parse::<u32>().map_err(|_| {
                    FaultParseError(format!("{t:?} is not a number of times (in {s:?})"))
                })
            })
            .transpose()?;
        Ok(FaultRule {
            login_id: match login {
                "*" | "" => None,
                id => Some(id.to_owned()),
            },
            stage: stage.parse()?,
            kind: kind.parse()?,
            times,
        })
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let login = self.login_id.as_deref().unwrap_or("*");
        write!(f, "{login}:{}:{}", self.stage, self.kind)?;
        match self.times {
            Some(n) => write!(f, ":{n}"),
            None => Ok(()),
        }
    }
}

/// The rules of a running sandbox, with the times each has left.
#[derive(Debug, Default)]
pub(crate) struct FaultBook(Mutex<Vec<FaultRule>>);

impl FaultBook {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        Self(Mutex::new(rules))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.0.lock().expect("faults lock")
    }

    pub(crate) fn replace(&self, rules: Vec<FaultRule>) {
        *self.lock() = rules;
    }

    pub(crate) fn rules(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    /// Whether some rule may still fire at `stage`: when none can, requests pass untouched
    /// (and unbuffered).
    pub(crate) fn armed(&self, stage: Stage) -> bool {
        self.lock()
            .iter()
            .any(|r| r.stage == stage && r.times != Some(0))
    }

    /// The fault of the first rule that fires on this request, using one of its times.
    pub(crate) fn take(&self, stage: Stage, login: Option<&str>) -> Option<FaultKind> {
        let mut rules = self.lock();
        let rule = rules.iter_mut().find(|r| r.fires_on(stage, login))?;
        if let Some(n) = &mut rule.times {
            *n -= 1;
        }
        Some(rule.kind)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn slugs_round_trip_through_text_and_serde() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.to_string().parse::<FaultKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.slug()));
            let back: FaultKind = serde_json::from_value(json!(kind.slug())).unwrap();
            assert_eq!(back, kind);
        }
        for stage in Stage::ALL {
            assert_eq!(stage.to_string().parse::<Stage>(), Ok(stage));
            assert_eq!(serde_json::to_value(stage).unwrap(), json!(stage.slug()));
        }
        assert!("502".parse::<FaultKind>().is_err());
        assert!(serde_json::from_value::<Stage>(json!("summary")).is_err());
    }

    #[test]
    fn rules_parse_from_the_command_line_form() {
        let rule: FaultRule = "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31:accounts-detail:429:2"
            .parse()
            .unwrap();
        assert_eq!(
            rule,
            FaultRule {
                login_id: Some("8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31".into()),
                stage: Stage::AccountsDetail,
                kind: FaultKind::TooManyRequests,
                times: Some(2),
            }
        );
        assert_eq!(
            rule.to_string(),
            "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31:accounts-detail:429:2"
        );
        let every: FaultRule = "*:authorize:502-html".parse().unwrap();
        assert_eq!((every.login_id, every.times), (None, None));
        for bad in [
            "*:authorize",
            "*:summary:500",
            "*:authorize:503",
            "*:authorize:500:twice",
            "*:authorize:500:1:2",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_read_camel_case_and_refuse_unknown_fields() {
        let rule: FaultRule = serde_json::from_value(
            json!({"loginId": "abc", "stage": "attributes", "kind": "reset", "times": 1}),
        )
        .unwrap();
        assert_eq!(rule.login_id.as_deref(), Some("abc"));
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            json!({"loginId": "abc", "stage": "attributes", "kind": "reset", "times": 1})
        );
        let every: FaultRule =
            serde_json::from_value(json!({"stage": "authorize", "kind": "500"})).unwrap();
        assert_eq!((every.login_id, every.times), (None, None));
        let typo = json!({"login": "abc", "stage": "authorize", "kind": "500"});
        assert!(serde_json::from_value::<FaultRule>(typo).is_err());
    }

    #[test]
    fn the_first_matching_rule_fires_and_counts_down() {
        let login = "8B35F6C8-E7B6-41D3-98F8-08D68B7F8D31";
        let book = FaultBook::new(vec![
            FaultRule {
                login_id: Some(login.to_ascii_lowercase()),
                stage: Stage::Authorize,
                kind: FaultKind::ServerError,
                times: Some(1),
            },
            FaultRule {
                login_id: None,
                stage: Stage::Authorize,
                kind: FaultKind::Timeout,
                times: None,
            },
        ]);
        assert!(book.armed(Stage::Authorize));
        assert!(!book.armed(Stage::Attributes));
        assert_eq!(
            book.take(Stage::Authorize, Some(login)),
            Some(FaultKind::ServerError)
        );
        assert_eq!(book.rules()[0].times, Some(0));
        assert_eq!(
            book.take(Stage::Authorize, Some(login)),
            Some(FaultKind::Timeout)
        );
        assert_eq!(book.take(Stage::Authorize, None), Some(FaultKind::Timeout));
        assert_eq!(book.take(Stage::AccountsDetail, Some(login)), None);
    }
}
