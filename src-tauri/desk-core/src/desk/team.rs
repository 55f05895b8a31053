//! The desk in a lending team: joining a team store, syncing with it, and the team's history.
//!
//! Offline-first: the desk always writes to its own file. A team store that cannot be reached
//! is said so (the status) and tried again at the next sync; what the desk made meanwhile goes
//! up then. Only one sync runs at a time.

use std::sync::Arc;

use serde::Serialize;

use super::sync::{self, SyncReport};
use super::Desk;
use crate::team::postgres::{redacted, PgTeamStore};
use crate::team::{DeskId, TeamError, TeamFilter, TeamRun, TeamStore};
use crate::DeskError;

/// The team store this desk shares with, once joined. The URL (with its password) stays in
/// memory for the session; `at` is what is shown and logged.
pub(super) struct Link {
    url: String,
    at: String,
    store: Option<Arc<dyn TeamStore>>,
    last_sync: Option<String>,
    last_error: Option<String>,
    last_report: SyncReport,
    session: SyncReport,
}

#[derive(Default)]
pub(super) struct Team {
    link: tokio::sync::Mutex<Option<Link>>,
    /// Why the last URL given was refused (not valid, or it would send its password in clear):
    /// the status says it, so a desk started with a bad setting does not look like a desk alone.
    refused: std::sync::Mutex<Option<String>>,
}

/// Where the desk stands with its team, for the status line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamStatus {
    pub desk: DeskId,
    /// The team store's URL without its password; none for a desk on its own.
    pub at: Option<String>,
    /// Whether the last sync reached the team store.
    pub online: bool,
    /// This desk's records the team store has not had yet.
    pub waiting: i64,
    pub last_sync: Option<String>,
    /// Why the last sync failed, as a sentence.
    pub message: Option<String>,
    pub last_report: SyncReport,
    /// What the syncs since the desk joined moved, all together: a screen that polls the status
    /// sees every record that came, whichever sync brought it.
    pub session: SyncReport,
}

impl Desk {
    /// Joins the team store at `url` (postgres://user:password@host/db) and syncs. A store that
    /// cannot be reached is no error: the desk works on its own file and says so. A URL that is
    /// not valid, or would send the password off this machine without TLS, is refused.
    pub async fn join_team(&self, url: &str) -> Result<TeamStatus, DeskError> {
        let checked = crate::team::postgres::check_url(url);
        *self.team.refused.lock().expect("team lock") =
            checked.as_ref().err().map(|e| e.to_string());
        checked?;
        let at = redacted(url);
        *self.team.link.lock().await = Some(Link {
            url: url.to_owned(),
            at,
            store: None,
            last_sync: None,
            last_error: None,
            last_report: SyncReport::default(),
            session: SyncReport::default(),
        });
        self.sync_team().await
    }

    /// Pushes what this desk made and pulls what the others made; connects first when not
    /// connected. An unreachable store leaves the status offline with the reason.
    pub async fn sync_team(&self) -> Result<TeamStatus, DeskError> {
        let mut guard = self.team.link.lock().await;
        let Some(link) = guard.as_mut() else {
            return self.status_of(None);
        };
        let result = self.sync_link(link).await;
        link.last_sync = Some(crate::store::now());
        match result {
            Ok(report) => {
                link.last_error = None;
                link.last_report = report;
                link.session.add(report);
            }
            Err(e) => {
                if matches!(e, TeamError::Unreachable { .. }) {
                    // Connected again from scratch next time: the pool's server may be a new one.
                    link.store = None;
                } else {
                    tracing::warn!(error = %e, at = %link.at, "team sync failed");
                }
                link.last_error = Some(e.to_string());
            }
        }
        self.status_of(Some(link))
    }

    async fn sync_link(&self, link: &mut Link) -> Result<SyncReport, TeamError> {
        let store = match &link.store {
            Some(store) => store.clone(),
            None => {
                let store: Arc<dyn TeamStore> = Arc::new(PgTeamStore::connect(&link.url).await?);
                link.store = Some(store.clone());
                store
            }
        };
        sync::sync(&self.store, store.as_ref(), &link.at).await
    }

    /// Where the desk stands with its team, without calling it.
    pub async fn team_status(&self) -> Result<TeamStatus, DeskError> {
        let guard = self.team.link.lock().await;
        self.status_of(guard.as_ref())
    }

    fn status_of(&self, link: Option<&Link>) -> Result<TeamStatus, DeskError> {
        let desk = self.store.desk_id().clone();
        let Some(link) = link else {
            return Ok(TeamStatus {
                desk,
                at: None,
                online: false,
                waiting: 0,
                last_sync: None,
                message: self.team.refused.lock().expect("team lock").clone(),
                last_report: SyncReport::default(),
                session: SyncReport::default(),
            });
        };
        Ok(TeamStatus {
            desk,
            at: Some(link.at.clone()),
            online: link.store.is_some() && link.last_error.is_none(),
            waiting: sync::waiting(&self.store, &link.at)?,
            last_sync: link.last_sync.clone(),
            message: link.last_error.clone(),
            last_report: link.last_report,
            session: link.session,
        })
    }

    /// The runs on this desk, its own and those pulled from the team, newest first, filtered.
    pub fn team_history(&self, filter: &TeamFilter) -> Result<Vec<TeamRun>, DeskError> {
        Ok(self.store.team_history(filter)?)
    }

    /// The team's runs as the team store has them (after a sync), or this desk's copy when the
    /// store cannot be reached (then the status says so).
    pub async fn team_store_history(
        &self,
        filter: &TeamFilter,
    ) -> Result<(Vec<TeamRun>, TeamStatus), DeskError> {
        let status = self.sync_team().await?;
        let store = self
            .team
            .link
            .lock()
            .await
            .as_ref()
            .and_then(|l| l.store.clone());
        let runs = match store {
            Some(store) if status.online => store.history(filter).await?,
            _ => self.team_history(filter)?,
        };
        Ok((runs, status))
    }

    /// Adds a line to the audit log. A failure is logged, not returned: what it records has
    /// already happened and stays done.
    pub(super) fn audit(&self, action: &str, subject: &str) {
        if let Err(e) = self.store.audit(action, subject) {
            tracing::error!(error = %e, action, "the audit log could not be written");
        }
    }
}
