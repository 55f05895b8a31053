//! Decisions on runs: a policy (GoRules JDM, desk-policy) evaluated over a run's attributes and,
//! when a loan is typed in, the affordability figures; the record that reproduces it (policy
//! version, input snapshot, trace); the underwriter's override with its comment;
//! and the history with each run's latest decision.

use std::collections::BTreeMap;

use desk_policy::affordability::{self, AffordabilitySettings, LoanRequest};
use desk_policy::policy::{Decision, Evaluation, Policy};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::Desk;
use crate::store::{NewDecision, StoredDecision};
use crate::team::{ReviewStatus, TeamFilter};
use crate::view::{DecisionSummary, DecisionView, HistoryEntry, RunResult};
use crate::DeskError;

/// The settings key of the affordability limits.
const AFFORDABILITY: &str = "affordability";

impl Desk {
    /// Past runs, newest first, each with its latest decision (if it was decided).
    pub fn history_with_decisions(&self, limit: usize) -> Result<Vec<HistoryEntry>, DeskError> {
        self.history_filtered(&TeamFilter {
            limit: Some(limit),
            ..TeamFilter::default()
        })
    }

    /// [`Desk::history_with_decisions`] of one underwriter (who ran or decided the run) or one
    /// review status, this desk's runs and those pulled from its team.
    pub fn history_filtered(&self, filter: &TeamFilter) -> Result<Vec<HistoryEntry>, DeskError> {
        let mut latest = self.store.latest_decisions()?;
        let mut deciders = self.store.deciders()?;
        // Unfiltered, the newest `limit` runs are all that is read (the history screen asks for
        // 200 of however many thousands); a filter has to look further back.
        let unfiltered = filter.underwriter.is_none() && filter.review.is_none();
        let read = match filter.limit {
            Some(limit) if unfiltered => limit,
            _ => usize::MAX,
        };
        let mut out = Vec::new();
        for run in self.store.history(read)? {
            let decided = deciders.remove(&run.id).unwrap_or_default();
            let review = ReviewStatus::of(
                decided.len() as i64,
                decided.iter().any(|(_, overridden)| *overridden),
            );
            let deciders: Vec<String> = decided.into_iter().map(|(who, _)| who).collect();
            if !filter.admits(run.made_by.as_deref(), &deciders, review) {
                continue;
            }
            out.push(HistoryEntry {
                decision: latest.remove(&run.id).map(|d| summary(&d)),
                run,
                review,
                deciders,
            });
            if filter.limit.is_some_and(|limit| out.len() >= limit) {
                break;
            }
        }
        Ok(out)
    }

    /// Decides a completed run with the policy `document` (JDM JSON) saved as a version of the
    /// policy `name`. A loan typed in adds the affordability figures to what the policy reads.
    /// A policy that is not valid, or reads an attribute the run does not have, is refused with
    /// where, and nothing is stored.
    pub fn decide(
        &self,
        run_id: i64,
        name: &str,
        document: &[u8],
        loan: Option<&LoanRequest>,
    ) -> Result<DecisionView, DeskError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DeskError::Invalid("the policy needs a name".into()));
        }
        let policy = Policy::from_json(document)?;
        let run = self.open_run(run_id)?;
        let settings = self.affordability_settings()?;
        let (input, affordability) = policy_input(&run, loan, &settings)?;
        policy.check_attributes(|path| lookup(&input, path).is_some())?;
        let evaluation = policy.evaluate(&input)?;
        let version =
            self.store
                .save_policy_version(name, policy.sha256(), &policy.to_json(), "")?;
        let id = self.store.record_decision(&NewDecision {
            run_id,
            policy_version_id: version.id,
            decision: evaluation.decision.as_str(),
            reasons: &json(&evaluation.reasons),
            input: &json(&input),
            trace: &json(&evaluation.trace),
            affordability: affordability.as_ref().map(json).as_deref(),
            override_decision: None,
            override_comment: None,
            decided_by: &self.store.desk_id().user,
        })?;
        self.audit(
            "decision.made",
            &format!(
                "run {}: {} with {name} {}",
                self.store.run_uid(run_id)?,
                evaluation.decision.as_str(),
                &policy.sha256()[..12]
            ),
        );
        self.decision_view(id)
    }

    /// The affordability limits in force: the ones set on this desk, else CMHC's.
    pub fn affordability_settings(&self) -> Result<AffordabilitySettings, DeskError> {
        match self.store.setting(AFFORDABILITY)? {
            Some(json) => serde_json::from_str(&json).map_err(stored_json),
            None => Ok(AffordabilitySettings::default()),
        }
    }

    /// Sets the affordability limits (checked first: a limit out of range is refused).
    pub fn set_affordability_settings(
        &self,
        settings: &AffordabilitySettings,
    ) -> Result<AffordabilitySettings, DeskError> {
        settings.validate()?;
        self.store.set_setting(AFFORDABILITY, &json(settings))?;
        self.affordability_settings()
    }

    /// The underwriter decides otherwise, and says why. The policy's decision stays as it was;
    /// the override is a new record beside it.
    pub fn override_decision(
        &self,
        decision_id: i64,
        decision: Decision,
        comment: &str,
    ) -> Result<DecisionView, DeskError> {
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(DeskError::Invalid(
                "an override needs a comment: say why the policy's decision does not stand".into(),
            ));
        }
        let d = self.stored_decision(decision_id)?;
        let id = self.store.record_decision(&NewDecision {
            run_id: d.run_id,
            policy_version_id: d.policy_version_id,
            decision: &d.decision,
            reasons: &d.reasons,
            input: &d.input,
            trace: &d.trace,
            affordability: d.affordability.as_deref(),
            override_decision: Some(decision.as_str()),
            override_comment: Some(comment),
            decided_by: &self.store.desk_id().user,
        })?;
        self.audit(
            "decision.overridden",
            &format!(
                "run {}: {} overridden to {}",
                self.store.run_uid(d.run_id)?,
                d.decision,
                decision.as_str()
            ),
        );
        self.decision_view(id)
    }

    /// A run's decisions, oldest first, each as it was made.
    pub fn decisions(&self, run_id: i64) -> Result<Vec<DecisionView>, DeskError> {
        self.store
            .decisions(run_id)?
            .iter()
            .map(|d| self.view_of(d))
            .collect()
    }

    /// A decision as it was recorded.
    pub fn decision_view(&self, decision_id: i64) -> Result<DecisionView, DeskError> {
        self.view_of(&self.stored_decision(decision_id)?)
    }

    /// Evaluates a decision's own policy version over its own input snapshot again: the same
    /// decision and reasons, whatever policy is in place since.
    pub fn reproduce(&self, decision_id: i64) -> Result<Evaluation, DeskError> {
        let d = self.stored_decision(decision_id)?;
        let version = self
            .store
            .policy_version_by_id(d.policy_version_id)?
            .ok_or(DeskError::UnknownDecision(decision_id))?;
        let policy = Policy::from_json(version.document.as_bytes())?;
        let input: Value = serde_json::from_str(&d.input).map_err(stored_json)?;
        Ok(policy.evaluate(&input)?)
    }

    fn stored_decision(&self, id: i64) -> Result<StoredDecision, DeskError> {
        self.store
            .decision(id)?
            .ok_or(DeskError::UnknownDecision(id))
    }

    fn view_of(&self, d: &StoredDecision) -> Result<DecisionView, DeskError> {
        let run = self.store.run(d.run_id)?;
        Ok(DecisionView {
            summary: summary(d),
            run_id: d.run_id,
            customer_label: run.customer_label,
            package: run.package,
            override_comment: d.override_comment.clone(),
            reasons: serde_json::from_str(&d.reasons).map_err(stored_json)?,
            input: serde_json::from_str(&d.input).map_err(stored_json)?,
            trace: serde_json::from_str(&d.trace).map_err(stored_json)?,
            affordability: d
                .affordability
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(stored_json)?,
        })
    }
}

/// What a policy reads: the run's attributes by name (numbers as numbers), and the
/// affordability figures under `affordability` when a loan was typed in.
fn policy_input(
    run: &RunResult,
    loan: Option<&LoanRequest>,
    settings: &AffordabilitySettings,
) -> Result<(Value, Option<affordability::Affordability>), DeskError> {
    let mut input = Map::new();
    let mut numbers: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in &run.rows {
        let value = match row.raw.parse::<Decimal>() {
            Ok(d) => {
                numbers.insert(row.name.clone(), d);
                // A count reads as 3, not 3.0, in the record and the reasons.
                match (d.fract().is_zero(), i64::try_from(d)) {
                    (true, Ok(whole)) => Value::from(whole),
                    _ => row
                        .number
                        .map_or(Value::String(row.raw.clone()), Value::from),
                }
            }
            Err(_) => Value::String(row.raw.clone()),
        };
        input.insert(row.name.clone(), value);
    }
    let figures = loan
        .map(|loan| affordability::assess(loan, &numbers, settings))
        .transpose()?;
    if let Some(a) = &figures {
        input.insert("affordability".into(), a.to_policy_input());
    }
    Ok((Value::Object(input), figures))
}

/// The value at a dotted path (`affordability.gds`), if the input has one.
pub(super) fn lookup<'a>(input: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = input.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(input, |v, key| v.get(key))
}

/// Who decided: the OS user, as the audit of a lending team will want it.
pub(super) fn stored_json(e: serde_json::Error) -> DeskError {
    DeskError::Invalid(format!("a stored decision could not be read back: {e}"))
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

/// A part of the record as JSON text: the desk's own types, so it cannot fail.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the desk's own types serialize")
}
