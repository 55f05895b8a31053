//! Authorize in its three forms (a cached session, a live sign-in, the answer to a security
//! question) and the authorize tokens that may guard it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::config::{INSTITUTION, INSTITUTION_ID};
use super::state::{AppState, Challenge};
use super::wire::{flinks_error, header_text, session_nonexistent, with_tag, FlinksBody};
use crate::capital::{self, Behaviour, QUESTIONS};
use crate::model::Persona;

pub(super) async fn generate_authorize_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    if header_text(&headers, "flinks-auth-key") != state.config.secret_key.trim() {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You must provide a valid auth key",
            None,
        );
    }
    let token = state.mint_token();
    Json(json!({ "HttpStatusCode": 200, "Token": token })).into_response()
}

/// A live sign-in that got past username and password.
pub(super) enum SignIn<'s> {
    Authorized(&'s Persona),
    /// A security question waits under this RequestId.
    Challenge(Uuid),
}

/// Why a sign-in was refused: Flinks' status, code and message.
#[derive(Clone, Copy)]
pub(super) struct Refusal(
    pub(super) StatusCode,
    pub(super) &'static str,
    pub(super) &'static str,
);

impl Refusal {
    fn response(&self) -> Response {
        flinks_error(self.0, self.1, self.2, None)
    }
}

/// Authorize in its three forms: an answer to a security question (`RequestId` and
/// `SecurityResponses`), a live sign-in (`Username`, `Password`), or a cached session (`LoginId`).
pub(super) async fn authorize(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    FlinksBody(body): FlinksBody,
) -> Response {
    if let Err(refused) = state.take_authorize_token(&headers) {
        return refused;
    }
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim);
    let tag = text("tag");
    if body.contains_key("securityresponses")
        || (text("requestid").is_some() && !body.contains_key("loginid"))
    {
        return answer_challenge(&state, &body);
    }
    if body.contains_key("username") {
        return live_authorize(&state, &body);
    }
    let Some(login_id) = text("loginid") else {
        return flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "A LoginId (cached mode), or Institution, Username and Password (live mode), is required.",
            None,
        );
    };
    match state.stored_login(login_id) {
        Ok(persona) => authorized(&state, persona, Uuid::new_v4(), tag),
        Err(refused) => refused,
    }
}

/// Opens a session on `persona` under `request_id` and answers Authorize's 200.
fn authorized(
    state: &AppState,
    persona: &Persona,
    request_id: Uuid,
    tag: Option<&str>,
) -> Response {
    state.open_session(persona, request_id);
    let mut reply = json!({
        "HttpStatusCode": 200,
        "Links": [
            { "rel": "AccountsDetail", "href": "/GetAccountsDetail", "example": null },
            { "rel": "AccountsSummary", "href": "/GetAccountsSummary", "example": null },
            { "rel": "Statements", "href": "/GetStatements", "example": null }
        ],
        "InstitutionName": INSTITUTION,
        "Login": state.login_json(persona),
        "InstitutionId": INSTITUTION_ID,
        "Institution": INSTITUTION,
        "RequestId": request_id,
    });
    with_tag(&mut reply, tag);
    Json(reply).into_response()
}

/// Live mode (flinks-api.md §5.1, §7 item 2): the documented test logins, and the personas
/// with the same password and no security question.
fn live_authorize(state: &AppState, body: &Map<String, Value>) -> Response {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim);
    let tag = text("tag");
    let french = text("language").is_some_and(|l| l.eq_ignore_ascii_case("fr"));
    let signed_in = sign_in(
        state,
        text("institution"),
        text("username"),
        text("password"),
        french,
        tag,
    );
    match signed_in {
        Ok(SignIn::Authorized(persona)) => authorized(state, persona, Uuid::new_v4(), tag),
        Ok(SignIn::Challenge(request_id)) => match state.logins().challenges.get(&request_id) {
            Some(challenge) => challenge_reply(challenge, request_id),
            None => session_nonexistent(),
        },
        Err(refusal) => refusal.response(),
    }
}

/// Checks a live sign-in; a login without a security question exists from now on, one with a
/// question waits for its answer under a new RequestId.
pub(super) fn sign_in<'s>(
    state: &'s AppState,
    institution: Option<&str>,
    username: Option<&str>,
    password: Option<&str>,
    french: bool,
    tag: Option<&str>,
) -> Result<SignIn<'s>, Refusal> {
    if !institution.is_some_and(|i| i.eq_ignore_ascii_case(INSTITUTION)) {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "Institution must be FlinksCapital, the one institution of this sandbox.",
        ));
    }
    let (Some(username), Some(password)) = (username, password) else {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_REQUEST",
            "Username and Password are required in live mode.",
        ));
    };
    let known_persona = state
        .personas
        .iter()
        .find(|p| p.username.eq_ignore_ascii_case(username));
    let test_login = capital::test_login(username);
    if !password.eq_ignore_ascii_case(capital::PASSWORD)
        || (test_login.is_none() && known_persona.is_none())
    {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "The card number (username) or password provided is invalid",
        ));
    }
    let behaviour = test_login.map_or(Behaviour::NoMfa, |t| t.behaviour);
    let login = test_login
        .and_then(|t| state.test_logins.iter().find(|p| p.username == t.username))
        .or(known_persona);
    match (behaviour, login) {
        (Behaviour::Disabled, _) => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "DISABLED_LOGIN",
            "This account has been disabled by the institution.",
        )),
        (Behaviour::Unavailable, _) | (_, None) => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "RETRY_LATER",
            "The institution cannot be reached at the moment. Please retry later.",
        )),
        (Behaviour::NoMfa | Behaviour::Pending | Behaviour::Dispatched, Some(persona)) => {
            link(state, persona.login_id);
            Ok(SignIn::Authorized(persona))
        }
        (Behaviour::Mfa, Some(persona)) => {
            let request_id = Uuid::new_v4();
            let challenge = Challenge {
                login_id: persona.login_id,
                question: usize::from(Uuid::new_v4().as_bytes()[0]) % QUESTIONS.len(),
                french,
                tag: tag.map(str::to_owned),
            };
            state.logins().challenges.insert(request_id, challenge);
            Ok(SignIn::Challenge(request_id))
        }
    }
}

/// The login exists from now on (again, if it had been deleted).
pub(super) fn link(state: &AppState, login_id: Uuid) {
    let mut logins = state.logins();
    let new = logins.deleted.remove(&login_id) | logins.linked.insert(login_id);
    if new {
        state.save_logins(&logins);
    }
}

fn challenge_reply(challenge: &Challenge, request_id: Uuid) -> Response {
    let mut reply = json!({
        "Links": [{ "rel": "Authorization", "href": "/Authorize", "example": null }],
        "HttpStatusCode": 203,
        "SecurityChallenges": [{
            "Type": "QuestionAndAnswer",
            "Prompt": QUESTIONS[challenge.question].prompt(challenge.french),
        }],
        "Institution": INSTITUTION,
        "RequestId": request_id,
    });
    with_tag(&mut reply, challenge.tag.as_deref());
    (StatusCode::NON_AUTHORITATIVE_INFORMATION, Json(reply)).into_response()
}

/// `{RequestId, SecurityResponses: {prompt: [answers]}}`: no answer asks again, an answer to
/// another prompt is `UNKNOWN_CHALLENGE_KEY`, a wrong one `INVALID_SECURITY_RESPONSE` (and the
/// question stays open for another try), the right one opens the session under the same RequestId.
fn answer_challenge(state: &AppState, body: &Map<String, Value>) -> Response {
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id.trim()).ok());
    let mut logins = state.logins();
    let Some((request_id, challenge)) =
        request_id.and_then(|id| logins.challenges.get(&id).map(|c| (id, c)))
    else {
        return session_nonexistent();
    };
    let question = &QUESTIONS[challenge.question];
    let asked = question.prompt(challenge.french);
    let responses: Vec<(&String, Vec<&str>)> = body
        .get("securityresponses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(prompt, answers)| {
            let answers = match answers {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                Value::String(one) => vec![one.as_str()],
                _ => Vec::new(),
            };
            let answers = answers.into_iter().filter(|a| !a.trim().is_empty());
            (prompt, answers.collect::<Vec<_>>())
        })
        .filter(|(_, answers)| !answers.is_empty())
        .collect();
    if responses.is_empty() {
        return challenge_reply(challenge, request_id);
    }
    let refuse = |code, message: &str| {
        flinks_error(StatusCode::UNAUTHORIZED, code, message, Some(request_id))
    };
    if responses
        .iter()
        .any(|(prompt, _)| !prompt.trim().eq_ignore_ascii_case(asked))
    {
        return refuse(
            "UNKNOWN_CHALLENGE_KEY",
            "The security responses answer a question that was not asked.",
        );
    }
    if !responses
        .iter()
        .flat_map(|(_, answers)| answers)
        .all(|a| question.accepts(a))
    {
        return refuse(
            "INVALID_SECURITY_RESPONSE",
            "The security response is different from what the institution expected.",
        );
    }
    let Some(challenge) = logins.challenges.remove(&request_id) else {
        return session_nonexistent();
    };
    drop(logins);
    let Some(persona) = state.persona(challenge.login_id) else {
        return session_nonexistent();
    };
    link(state, persona.login_id);
    let tag = body.get("tag").and_then(Value::as_str);
    authorized(state, persona, request_id, tag.or(challenge.tag.as_deref()))
}
