//! Syncing a desk with its team store: what this desk made goes up, what the other desks made
//! comes down, each in pages after a cursor kept in the desk's settings (one pair per team
//! store). Both stores keep a record once whatever number of times it arrives, so a sync cut off
//! anywhere (the server gone mid-push, the app closed) is simply done again.

use crate::store::Store;
use crate::team::{Desks, Stored, TeamError, TeamStore};

/// Records per page: an All run of a busy customer is ~30,000 transactions, so a page of pages
/// stays within tens of MB.
const PAGE: usize = 200;

/// What one sync moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Stored in the team store (records it had already are not counted).
    pub pushed: Stored,
    /// Stored on this desk from the other desks.
    pub pulled: Stored,
}

impl SyncReport {
    /// Adds what another sync moved.
    pub fn add(&mut self, other: SyncReport) {
        add(&mut self.pushed, other.pushed);
        add(&mut self.pulled, other.pulled);
    }
}

fn add(total: &mut Stored, more: Stored) {
    total.runs += more.runs;
    total.policy_versions += more.policy_versions;
    total.decisions += more.decisions;
    total.audit += more.audit;
}

fn cursor_key(direction: &str, remote: &str) -> String {
    format!("team.{direction}:{remote}")
}

fn cursor(local: &Store, direction: &str, remote: &str) -> Result<i64, TeamError> {
    Ok(local
        .setting(&cursor_key(direction, remote))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// How many of this desk's records the team store named `remote` has not been sent yet.
pub fn waiting(local: &Store, remote: &str) -> Result<i64, TeamError> {
    Ok(local.feed_count_after(cursor(local, "pushed", remote)?, &local.desk_id().desk)?)
}

/// Pushes this desk's records the team store named `remote` (its URL without password) has not
/// had from it, then pulls the other desks' records this desk has not had.
pub async fn sync(
    local: &Store,
    team: &dyn TeamStore,
    remote: &str,
) -> Result<SyncReport, TeamError> {
    let me = local.desk_id().desk.clone();
    let mut report = SyncReport::default();
    let mut pushed = cursor(local, "pushed", remote)?;
    loop {
        let out = local.feed_after(pushed, Desks::Only(&me), PAGE)?;
        if !out.batch.is_empty() {
            add(&mut report.pushed, team.push(&out.batch).await?);
        }
        pushed = out.cursor;
        local.set_setting(&cursor_key("pushed", remote), &pushed.to_string())?;
        if !out.more {
            break;
        }
    }
    let mut pulled = cursor(local, "pulled", remote)?;
    loop {
        let came = team.pull(pulled, Desks::Except(&me), PAGE).await?;
        if !came.batch.is_empty() {
            add(&mut report.pulled, local.store_batch(&came.batch)?);
        }
        pulled = came.cursor;
        local.set_setting(&cursor_key("pulled", remote), &pulled.to_string())?;
        if !came.more {
            break;
        }
    }
    Ok(report)
}
