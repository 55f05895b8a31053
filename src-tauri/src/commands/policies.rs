//! The policy screen: the list, a version opened, a save (an invalid cell refused with where, so
//! the page can mark it), the versions, two compared, and JDM files in (the page reads the file
//! and sends its text) and out (through the native save dialog, like the CSV exports).

use desk_core::policy_view::{error_location, Location};
use desk_core::{
    Desk, DeskError, ErrorCode, ErrorView, PolicyDiff, PolicyDocumentView, PolicySummary,
    PolicyVersionView,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::DeskState;

/// A refused save or import: the usual `{ code, message, hint }`, and where in the policy when
/// the error is in a node (its row and column for a cell).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRefusal {
    #[serde(flatten)]
    pub error: ErrorView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Box<Location>>,
}

impl From<ErrorView> for PolicyRefusal {
    fn from(error: ErrorView) -> Self {
        PolicyRefusal { error, at: None }
    }
}

impl From<DeskError> for PolicyRefusal {
    fn from(e: DeskError) -> Self {
        let at = match &e {
            DeskError::Policy(p) => error_location(p).cloned().map(Box::new),
            _ => None,
        };
        PolicyRefusal {
            error: e.view(),
            at,
        }
    }
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn policies(state: State<'_, DeskState>) -> Result<Vec<PolicySummary>, ErrorView> {
    Ok(state.desk()?.policies()?)
}

/// A version by its hash, or the policy's latest.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn open_policy(
    state: State<'_, DeskState>,
    name: String,
    sha256: Option<String>,
) -> Result<PolicyDocumentView, ErrorView> {
    Ok(state.desk()?.open_policy(&name, sha256.as_deref())?)
}

#[tauri::command]
#[tracing::instrument(skip(state, document))]
pub fn save_policy(
    state: State<'_, DeskState>,
    name: String,
    document: String,
    note: String,
) -> Result<PolicyVersionView, PolicyRefusal> {
    Ok(state
        .desk()?
        .save_policy(&name, document.as_bytes(), &note)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn policy_versions(
    state: State<'_, DeskState>,
    name: String,
) -> Result<Vec<PolicyVersionView>, ErrorView> {
    Ok(state.desk()?.policy_versions(&name)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn diff_policy_versions(
    state: State<'_, DeskState>,
    name: String,
    before: String,
    after: String,
) -> Result<PolicyDiff, ErrorView> {
    Ok(state.desk()?.diff_versions(&name, &before, &after)?)
}

/// A JDM file's text, read by the page, kept as a version of `name`.
#[tauri::command]
#[tracing::instrument(skip(state, text))]
pub fn import_policy(
    state: State<'_, DeskState>,
    name: String,
    text: String,
) -> Result<PolicyVersionView, PolicyRefusal> {
    Ok(state.desk()?.import_policy(&name, text.as_bytes())?)
}

/// Writes a version as a JDM file where the person chooses (FLINKS_DESK_EXPORT_DIR when set);
/// the path written, or `None` when the dialog was closed.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn export_policy<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    name: String,
    sha256: String,
) -> Result<Option<String>, ErrorView> {
    let desk = state.desk()?.clone();
    let json = desk.export_policy(&name, &sha256)?;
    let Some(path) = super::save_path(
        &app,
        &Desk::policy_file_name(&name, &sha256),
        "Export the policy as a JDM file",
        ("GoRules JDM", &["json"]),
    )?
    else {
        return Ok(None);
    };
    std::fs::write(&path, json).map_err(|e| {
        ErrorView::new(
            ErrorCode::ExportWrite,
            format!("{} could not be written: {e}", path.display()),
            "Pick a folder you can write to, then export again.",
        )
    })?;
    Ok(Some(path.display().to_string()))
}
