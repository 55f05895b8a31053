//! What the nightly refresh of a saved login needs: whether it runs (SetScheduledRefresh) and the
//! answers to the bank's security questions it may meet (GetMFAQuestions, AnswerMFAQuestions,
//! Flinks' "Enhanced MFA"), flinks-api.md §1 and §2.7. No refresh runs in the sandbox; what these
//! change is what Flinks shows of the login (`IsScheduledRefresh`) and what it checks.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::state::AppState;
use super::wire::{self, flinks_error, FlinksBody};
use crate::capital::{self, Behaviour, Question, QUESTIONS};
use crate::model::Persona;

impl AppState {
    /// The `Login` object of a reply, with the login's scheduled refresh as it stands.
    pub(super) fn login_json(&self, persona: &Persona) -> Value {
        let mut login = wire::login_json(persona, self.config.as_of);
        login["IsScheduledRefresh"] = json!(self.logins().scheduled.contains(&persona.login_id));
        login
    }
}

/// flinks-api.md §3.2: a request missing what it needs is `INVALID_REQUEST`, a 401 in the
/// current docs (which the simulator follows, §3.2's last note).
fn invalid(message: &str) -> Response {
    flinks_error(StatusCode::UNAUTHORIZED, "INVALID_REQUEST", message, None)
}

fn text<'b>(body: &'b Map<String, Value>, key: &str) -> Option<&'b str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `PATCH …/SetScheduledRefresh` with `{LoginId, IsActivated}`. Flinks answers plain text
/// naming the login (flinks-api.md §2.7, from an SDK test against Flinks' sandbox); an unknown
/// login is refused as cached Authorize and DeleteCard refuse it (the doc names no error).
pub(super) async fn set_scheduled_refresh(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
) -> Response {
    let Some(login_id) = text(&body, "loginid") else {
        return invalid("LoginId is required.");
    };
    // The 2019 C# SDK sends the flag as the string "true" or "false".
    let activated = match body.get("isactivated") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
        _ => return invalid("IsActivated (true or false) is required."),
    };
    let id = match state.stored_login(login_id) {
        Ok(persona) => persona.login_id,
        Err(refused) => return refused,
    };
    {
        let mut logins = state.logins();
        let changed = if activated {
            logins.scheduled.insert(id)
        } else {
            logins.scheduled.remove(&id)
        };
        if changed {
            state.save_logins(&logins);
        }
    }
    let now = if activated {
        "activated"
    } else {
        "deactivated"
    };
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{id} has now been {now} for automatic refresh"),
    )
        .into_response()
}

/// The security questions the bank asks `persona`: Greatday's three (flinks-api.md §5.1); the
/// other logins sign in without one.
fn questions_of(persona: &Persona) -> &'static [Question] {
    match capital::test_login(&persona.username).map(|t| t.behaviour) {
        Some(Behaviour::Mfa) => &QUESTIONS,
        _ => &[],
    }
}

/// `GET …/GetMFAQuestions/{loginId}`: the login's security questions, so their answers can be
/// collected before a refresh meets them. flinks-api.md gives the path only; the reply is the
/// one of docs.flinks.com/api/connect/endpoints/account-linking/get-mfa-questions,
/// `{"Message":"SUCCESS","Questions":[{"Question":…}]}`, in English as Authorize asks by default.
pub(super) async fn mfa_questions(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id)): Path<(String, String)>,
) -> Response {
    let persona = match state.stored_login(&login_id) {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let questions: Vec<Value> = questions_of(persona)
        .iter()
        .map(|q| json!({ "Question": q.en }))
        .collect();
    Json(json!({ "Message": "SUCCESS", "Questions": questions })).into_response()
}

/// `PATCH …/AnswerMFAQuestions` with `{LoginId, Questions: [{Question, Answer}]}` →
/// `{"Message":"Answers updated"}` (flinks-api.md §1). The sandbox is the bank too, so it checks
/// the answers as a refresh would: a question the bank does not ask is `UNKNOWN_CHALLENGE_KEY`
/// and a wrong answer `INVALID_SECURITY_RESPONSE`, the codes Authorize gives for the same
/// mistakes (§3.2). Nothing is kept: no refresh runs here to use the answers.
pub(super) async fn answer_mfa_questions(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
) -> Response {
    let Some(login_id) = text(&body, "loginid") else {
        return invalid("LoginId is required.");
    };
    let answers: Option<Vec<(String, String)>> = body
        .get("questions")
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .and_then(|items| {
            items
                .iter()
                .map(|item| {
                    // Keys in any case, as everywhere in a Flinks body.
                    let item: Map<String, Value> = item
                        .as_object()?
                        .iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                        .collect();
                    let pair = (text(&item, "question")?, text(&item, "answer")?);
                    Some((pair.0.to_owned(), pair.1.to_owned()))
                })
                .collect()
        });
    match answers {
        Some(answers) => check_answers(&state, login_id, &answers),
        None => invalid("Questions must list each Question with its Answer."),
    }
}

fn check_answers(state: &AppState, login_id: &str, answers: &[(String, String)]) -> Response {
    let persona = match state.stored_login(login_id) {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let asked = questions_of(persona);
    let refuse = |code, message| flinks_error(StatusCode::UNAUTHORIZED, code, message, None);
    for (prompt, answer) in answers {
        let Some(question) = asked
            .iter()
            .find(|q| q.en.eq_ignore_ascii_case(prompt) || q.fr.eq_ignore_ascii_case(prompt))
        else {
            return refuse(
                "UNKNOWN_CHALLENGE_KEY",
                "An answer is for a question the institution does not ask this login.",
            );
        };
        if !question.accepts(answer) {
            return refuse(
                "INVALID_SECURITY_RESPONSE",
                "The security response is different from what the institution expected.",
            );
        }
    }
    Json(json!({ "Message": "Answers updated" })).into_response()
}
