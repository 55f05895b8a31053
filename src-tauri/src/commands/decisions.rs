//! Decisions on a completed run: the shipped policies, deciding with one, overriding with a
//! comment, a run's decisions, and what another policy would change over past decisions.

use desk_core::shipped_policies::{self, ShippedPolicy};
use desk_core::{package_named, Decision, DecisionView, DeskError, ErrorView, LoanRequest, WhatIf};
use serde::Deserialize;
use tauri::State;

use super::DeskState;

/// A policy as the page sends it: a name to save its version under, and its JDM JSON.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInput {
    pub name: String,
    pub document: String,
}

#[tauri::command]
#[tracing::instrument]
pub fn shipped_policies() -> Vec<ShippedPolicy> {
    shipped_policies::shipped().to_vec()
}

#[tauri::command]
#[tracing::instrument(skip(state, policy), fields(policy = %policy.name))]
pub fn decide_run(
    state: State<'_, DeskState>,
    run_id: i64,
    policy: PolicyInput,
    loan: Option<serde_json::Value>,
) -> Result<DecisionView, ErrorView> {
    // The loan is read here rather than by Tauri, so a figure typed wrong ("15 000", a blank
    // term) reaches the page as the form's error, not as the IPC layer's bare text.
    let loan = loan
        .filter(|v| !v.is_null())
        .map(serde_json::from_value::<LoanRequest>)
        .transpose()
        .map_err(|e| DeskError::Invalid(format!("the loan: {e}")))?;
    Ok(state.desk()?.decide(
        run_id,
        &policy.name,
        policy.document.as_bytes(),
        loan.as_ref(),
    )?)
}

#[tauri::command]
#[tracing::instrument(skip(state, comment))]
pub fn override_decision(
    state: State<'_, DeskState>,
    decision_id: i64,
    decision: Decision,
    comment: String,
) -> Result<DecisionView, ErrorView> {
    Ok(state
        .desk()?
        .override_decision(decision_id, decision, &comment)?)
}

/// A run's decisions, newest first.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn run_decisions(
    state: State<'_, DeskState>,
    run_id: i64,
) -> Result<Vec<DecisionView>, ErrorView> {
    let mut decisions = state.desk()?.decisions(run_id)?;
    decisions.reverse();
    Ok(decisions)
}

#[tauri::command]
#[tracing::instrument(skip(state, document))]
pub fn what_if(
    state: State<'_, DeskState>,
    document: String,
    package: Option<String>,
) -> Result<WhatIf, ErrorView> {
    let package = package.as_deref().map(package_named).transpose()?;
    Ok(state.desk()?.what_if(document.as_bytes(), package)?)
}

/// The affordability limits in force (CMHC's until changed on this desk).
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn affordability_settings(
    state: State<'_, DeskState>,
) -> Result<desk_core::AffordabilitySettings, ErrorView> {
    Ok(state.desk()?.affordability_settings()?)
}

/// Changes the limits; one out of range is refused with which and why, and nothing changes.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn set_affordability_settings(
    state: State<'_, DeskState>,
    settings: serde_json::Value,
) -> Result<desk_core::AffordabilitySettings, ErrorView> {
    // Read here rather than by the IPC layer, so a figure typed wrong comes back as the desk's
    // own error, with the field, instead of the IPC layer's bare text.
    let settings: desk_core::AffordabilitySettings = serde_json::from_value(settings)
        .map_err(|e| DeskError::Invalid(format!("a limit is not a number: {e}")))?;
    Ok(state.desk()?.set_affordability_settings(&settings)?)
}
