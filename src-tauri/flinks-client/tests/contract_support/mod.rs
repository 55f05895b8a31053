//! What the contract tests share: a sandbox on the tests' fixed day, a client for it, the
//! loginIds of its customers, a cached session, and a poll policy fast enough for tests.

#![allow(dead_code)] // Each test file uses its own part.

use std::time::Duration;

use flinks_client::{AuthorizeOutcome, Environment, FlinksClient, LoginId, PollPolicy, RequestId};
use flinks_sandbox::{Sandbox, SandboxConfig};

pub const FAST: PollPolicy = PollPolicy {
    interval: Duration::from_millis(40),
    max_wait: Duration::from_secs(20),
};

pub async fn sandbox(pending_ms: u64) -> Sandbox {
    start_on(SandboxConfig {
        pending_for: Duration::from_millis(pending_ms),
        ..SandboxConfig::default()
    })
    .await
}

/// `config` with the tests' fixed day.
pub async fn start_on(config: SandboxConfig) -> Sandbox {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    Sandbox::start_local(SandboxConfig { as_of, ..config })
        .await
        .expect("sandbox starts")
}

pub fn client_for(sandbox: &Sandbox) -> FlinksClient {
    FlinksClient::new(Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap())
        .unwrap()
}

pub fn login_of(sandbox: &Sandbox, username: &str) -> LoginId {
    let p = sandbox
        .personas()
        .iter()
        .find(|p| p.username == username)
        .unwrap_or_else(|| panic!("no persona {username}"));
    LoginId::new(p.login_id.to_string())
}

pub async fn open_session(client: &FlinksClient, login: &LoginId) -> RequestId {
    match client
        .authorize_cached(login, None)
        .await
        .expect("authorize")
    {
        AuthorizeOutcome::Authorized(a) => {
            assert_eq!(a.login.id, *login, "Login.Id is the loginId we sent");
            assert_eq!(a.institution.as_deref(), Some("FlinksCapital"));
            a.request_id
        }
        AuthorizeOutcome::Challenge { .. } => panic!("cached authorize asked a question"),
    }
}
