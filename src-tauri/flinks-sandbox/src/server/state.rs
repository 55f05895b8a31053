//! What a running sandbox remembers between requests: its sessions, its authorize tokens, the
//! logins that exist and the sign-ins waiting for an answer. Each instance has its own, so
//! nothing leaks from one sandbox into another.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use uuid::Uuid;

use super::cards::{CardBudget, Cards};
use super::config::SandboxConfig;
use super::detail_options::{DetailOptions, StatementOptions};
use super::wire::{flinks_error, header_text, invalid_login_id, Busy};
use crate::capital::{self, Behaviour};
use crate::fault_rules::FaultBook;
use crate::model::Persona;

/// What Authorize and the Connect page answer a missing, used or stale authorize token.
pub(super) const AUTHORIZE_TOKEN_REFUSED: &str = "You must provide a valid authorize token";

/// The state every handler shares, behind an `Arc`.
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    pub(crate) faults: Arc<FaultBook>,
    pub(super) personas: Vec<Persona>,
    /// The test logins that sign in (Greatday, greatday_nomfa), with loginIds of their own.
    pub(super) test_logins: Vec<Persona>,
    pub(super) sessions: Mutex<HashMap<Uuid, Session>>,
    pub(super) logins: Mutex<Logins>,
    /// The bytes the sessions' attribute cards hold together (see [`super::cards`]).
    pub(super) card_budget: Arc<CardBudget>,
}

pub(super) struct Session {
    pub(super) login_id: Uuid,
    last_used: Instant,
    pub(super) ready_at: Instant,
    /// The 202 a slow test login (test_pending, test_dispatched) answers, and how many more times.
    pub(super) slow: Option<(Busy, u32)>,
    /// The options of the last GetAccountsDetail call, which the Async endpoint answers with.
    pub(super) requested: Option<DetailOptions>,
    /// The options of the data GetAccountsDetail returned; none until it has returned some.
    pub(super) served: Option<DetailOptions>,
    /// The options of the last GetAccountsSummary call, for GetAccountsSummaryAsync.
    pub(super) summary_requested: Option<DetailOptions>,
    /// The options of the last GetStatements call, for GetStatementsAsync.
    pub(super) statements_requested: Option<StatementOptions>,
    /// The attribute cards already served, dropped with the session.
    pub(super) cards: Cards,
}

/// A 203 waiting for its answer, by RequestId.
pub(super) struct Challenge {
    pub(super) login_id: Uuid,
    /// Index in [`crate::capital::QUESTIONS`].
    pub(super) question: usize,
    pub(super) french: bool,
    pub(super) tag: Option<String>,
}

/// Who may sign in, per sandbox instance: nothing here leaks into another instance.
#[derive(Default)]
pub(super) struct Logins {
    /// Unused authorize tokens and when each was issued.
    pub(super) tokens: HashMap<String, Instant>,
    /// Every token ever issued, for audits that check where tokens end up.
    pub(super) issued: Vec<String>,
    /// Test logins' loginIds that a live Authorize has created.
    pub(super) linked: HashSet<Uuid>,
    pub(super) deleted: HashSet<Uuid>,
    /// Logins SetScheduledRefresh has activated for the nightly refresh.
    pub(super) scheduled: HashSet<Uuid>,
    pub(super) last_authorized: HashMap<Uuid, Instant>,
    pub(super) challenges: HashMap<Uuid, Challenge>,
}

/// What [`SandboxConfig::saved_logins`] holds: usernames only.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct SavedLogins {
    linked: Vec<String>,
    deleted: Vec<String>,
    // Absent from files written before SetScheduledRefresh existed.
    #[serde(default)]
    scheduled: Vec<String>,
}

impl Logins {
    /// The saved state of `path`; a missing or unreadable file starts afresh (it is the
    /// sandbox's own bookkeeping, and the sample cast is always there).
    pub(super) fn load<'p>(
        path: &std::path::Path,
        cast: impl Iterator<Item = &'p Persona> + Clone,
    ) -> Logins {
        let saved: SavedLogins = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, path = %path.display(), "saved sandbox logins unreadable; starting afresh");
                SavedLogins::default()
            }),
            Err(_) => SavedLogins::default(),
        };
        let ids = |names: &[String]| -> HashSet<Uuid> {
            cast.clone()
                .filter(|p| names.iter().any(|n| n.eq_ignore_ascii_case(&p.username)))
                .map(|p| p.login_id)
                .collect()
        };
        Logins {
            linked: ids(&saved.linked),
            deleted: ids(&saved.deleted),
            scheduled: ids(&saved.scheduled),
            ..Logins::default()
        }
    }
}

impl AppState {
    /// Writes which logins exist to [`SandboxConfig::saved_logins`], if set. A write that
    /// fails is logged: the sandbox goes on serving from memory.
    pub(super) fn save_logins(&self, logins: &Logins) {
        let Some(path) = &self.config.saved_logins else {
            return;
        };
        let names = |ids: &HashSet<Uuid>| -> Vec<String> {
            let mut names: Vec<String> = self
                .personas
                .iter()
                .chain(&self.test_logins)
                .filter(|p| ids.contains(&p.login_id))
                .map(|p| p.username.clone())
                .collect();
            names.sort();
            names
        };
        let saved = SavedLogins {
            linked: names(&logins.linked),
            deleted: names(&logins.deleted),
            scheduled: names(&logins.scheduled),
        };
        let tmp = path.with_extension("tmp");
        let written = serde_json::to_vec_pretty(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                // It sits beside the desk's database, which is its owner's alone: so is it.
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create(true).truncate(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                std::io::Write::write_all(&mut options.open(&tmp)?, &bytes)
            })
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            tracing::warn!(error = %e, path = %path.display(), "sandbox logins not saved");
        }
    }

    pub(super) fn persona(&self, login_id: Uuid) -> Option<&Persona> {
        self.personas
            .iter()
            .chain(&self.test_logins)
            .find(|p| p.login_id == login_id)
    }

    pub(super) fn logins(&self) -> std::sync::MutexGuard<'_, Logins> {
        self.logins.lock().expect("logins lock")
    }

    /// A loginId cached Authorize and DeleteCard accept: a persona's, or a test login's once a
    /// live Authorize has created it, and not deleted since.
    pub(super) fn stored_login(&self, login_id: &str) -> Result<&Persona, Response> {
        let logins = self.logins();
        Uuid::parse_str(login_id.trim())
            .ok()
            .filter(|id| !logins.deleted.contains(id))
            .and_then(|id| {
                self.personas.iter().find(|p| p.login_id == id).or_else(|| {
                    self.test_logins
                        .iter()
                        .find(|p| p.login_id == id && logins.linked.contains(&id))
                })
            })
            .ok_or_else(invalid_login_id)
    }

    /// Takes the authorize token of `headers` when tokens are required: each serves once, and
    /// only within its lifetime.
    pub(super) fn take_authorize_token(&self, headers: &HeaderMap) -> Result<(), Response> {
        if !self.config.require_authorize_token {
            return Ok(());
        }
        if self.take_token(header_text(headers, "flinks-auth-key")) {
            Ok(())
        } else {
            Err(flinks_error(
                StatusCode::UNAUTHORIZED,
                "ACCESS_DENIED",
                AUTHORIZE_TOKEN_REFUSED,
                None,
            ))
        }
    }

    /// Uses up an authorize token; false if it was unknown, used or expired.
    pub(super) fn take_token(&self, token: &str) -> bool {
        let issued = self.logins().tokens.remove(token);
        issued.is_some_and(|at| at.elapsed() < self.config.authorize_token_ttl)
    }

    pub(super) fn mint_token(&self) -> String {
        let token = Uuid::new_v4().to_string();
        let ttl = self.config.authorize_token_ttl;
        let mut logins = self.logins();
        logins.tokens.retain(|_, at| at.elapsed() < ttl);
        logins.tokens.insert(token.clone(), Instant::now());
        logins.issued.push(token.clone());
        token
    }

    /// A new session on `persona`, under `request_id`, as an Authorize that succeeds opens.
    pub(super) fn open_session(&self, persona: &Persona, request_id: Uuid) {
        let now = Instant::now();
        let slow = match capital::test_login(&persona.username).map(|t| t.behaviour) {
            Some(Behaviour::Pending) => Some((Busy::Pending, self.config.slow_polls)),
            Some(Behaviour::Dispatched) => Some((Busy::Dispatched, self.config.slow_polls)),
            _ => None,
        };
        self.sessions.lock().expect("sessions lock").insert(
            request_id,
            Session {
                login_id: persona.login_id,
                last_used: now,
                ready_at: now + self.config.pending_for,
                slow,
                requested: None,
                served: None,
                summary_requested: None,
                statements_requested: None,
                cards: Cards::default(),
            },
        );
        self.logins().last_authorized.insert(persona.login_id, now);
    }

    pub(super) fn check_customer(&self, customer_id: &str) -> Result<(), Response> {
        if self
            .config
            .customer_ids
            .iter()
            .any(|c| c.eq_ignore_ascii_case(customer_id))
        {
            Ok(())
        } else {
            Err(flinks_error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "The customerId is not known to this instance.",
                None,
            ))
        }
    }

    /// The login of a live session or of a sign-in waiting for its MFA answer.
    pub(crate) fn login_of_request(&self, request_id: &str) -> Option<Uuid> {
        let id = Uuid::parse_str(request_id.trim()).ok()?;
        let ttl = self.config.session_ttl;
        let session = self
            .sessions
            .lock()
            .expect("sessions lock")
            .get(&id)
            .filter(|s| s.last_used.elapsed() < ttl)
            .map(|s| s.login_id);
        session.or_else(|| self.logins().challenges.get(&id).map(|c| c.login_id))
    }

    /// The loginId a live sign-in as `username` opens.
    pub(crate) fn login_of_username(&self, username: &str) -> Option<Uuid> {
        self.personas
            .iter()
            .chain(&self.test_logins)
            .find(|p| p.username.eq_ignore_ascii_case(username.trim()))
            .map(|p| p.login_id)
    }

    /// Ends the session, or the waiting sign-in, of `request_id`.
    pub(crate) fn forget_request(&self, request_id: &str) {
        if let Ok(id) = Uuid::parse_str(request_id.trim()) {
            self.sessions.lock().expect("sessions lock").remove(&id);
            self.logins().challenges.remove(&id);
        }
    }

    /// Touches the session of `request_id`, as a call that reached it would.
    pub(crate) fn keep_alive(&self, request_id: &str) {
        let _ = self.with_session(request_id, |_| ());
    }

    /// Finds a live session and touches it; an unknown or idle-expired one is `SESSION_NONEXISTENT`.
    pub(super) fn with_session<T>(
        &self,
        request_id: &str,
        f: impl FnOnce(&mut Session) -> T,
    ) -> Result<T, Response> {
        let nonexistent = || {
            flinks_error(
                StatusCode::BAD_REQUEST,
                "SESSION_NONEXISTENT",
                "Inputs session id or card if were not found.",
                None,
            )
        };
        let id = Uuid::parse_str(request_id.trim()).map_err(|_| nonexistent())?;
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let now = Instant::now();
        let ttl = self.config.session_ttl;
        sessions.retain(|_, s| now.duration_since(s.last_used) < ttl);
        let session = sessions.get_mut(&id).ok_or_else(nonexistent)?;
        session.last_used = now;
        Ok(f(session))
    }
}
