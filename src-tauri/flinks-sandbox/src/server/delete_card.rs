//! DeleteCard, refused with `CARD_IN_USE` while the login's last Authorize is still recent.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::AppState;
use super::wire::flinks_error;

/// DeleteCard: forgets a login (for this sandbox instance only) and ends its sessions.
pub(super) async fn delete_card(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id)): Path<(String, String)>,
) -> Response {
    let id = match state.stored_login(&login_id) {
        Ok(persona) => persona.login_id,
        Err(refused) => return refused,
    };
    {
        let mut logins = state.logins();
        let busy = logins
            .last_authorized
            .get(&id)
            .is_some_and(|at| at.elapsed() < state.config.card_in_use_for);
        if busy {
            return flinks_error(
                StatusCode::BAD_REQUEST,
                "CARD_IN_USE",
                "This login is still being processed after its last Authorize. Try again in a moment.",
                None,
            );
        }
        logins.deleted.insert(id);
        logins.linked.remove(&id);
        state.save_logins(&logins);
    }
    state
        .sessions
        .lock()
        .expect("sessions lock")
        .retain(|_, s| s.login_id != id);
    Json(json!({
        "HttpStatusCode": 200,
        "Message": format!("All of the information about LoginId {id} has been removed"),
    }))
    .into_response()
}
