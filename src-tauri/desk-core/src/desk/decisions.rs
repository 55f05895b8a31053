//! Decisions on runs: the history with each run's latest decision. Deciding, overriding and
//! what-if come with the policy engine (desk-policy).

use super::Desk;
use crate::store::StoredDecision;
use crate::view::{DecisionSummary, HistoryEntry};
use crate::DeskError;

impl Desk {
    /// Past runs, newest first, each with its latest decision (if it was decided).
    pub fn history_with_decisions(&self, limit: usize) -> Result<Vec<HistoryEntry>, DeskError> {
        let mut latest = self.store.latest_decisions()?;
        Ok(self
            .store
            .history(limit)?
            .into_iter()
            .map(|run| HistoryEntry {
                decision: latest.remove(&run.id).map(|d| summary(&d)),
                run,
            })
            .collect())
    }
}

pub(super) fn summary(d: &StoredDecision) -> DecisionSummary {
    DecisionSummary {
        id: d.id,
        policy: d.policy.clone(),
        policy_sha256: d.policy_sha256.clone(),
        decision: d.decision.clone(),
        // What stands: the underwriter's word when they overrode the policy.
        final_decision: d
            .override_decision
            .clone()
            .unwrap_or_else(|| d.decision.clone()),
        overridden: d.override_decision.is_some(),
        decided_at: d.decided_at.clone(),
        decided_by: d.decided_by.clone(),
    }
}
