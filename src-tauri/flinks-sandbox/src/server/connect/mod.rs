//! The sign-in pages a browser sees: the stand-in for the Flinks Connect iframe (`/v2/`) and the
//! OAuth sign-in page. `html` writes them; the handlers here check what the browser brings and
//! send it back to the client's redirect URL.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::authorize::{link, sign_in, Refusal, SignIn};
use super::config::INSTITUTION;
use super::routes;
use super::state::{AppState, AUTHORIZE_TOKEN_REFUSED};
use super::wire::invalid_request;
use crate::capital::QUESTIONS;

mod html;

/// The Connect page (`/v2/`, also `/connect`): takes `authorizeToken` (checked and used up
/// when the sandbox requires tokens), `redirectUrl`, `language` and `tag`. A refused token goes
/// straight back to `redirectUrl` with `error=ACCESS_DENIED`.
pub(super) async fn connect_page(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| param(&params, name);
    let Some(redirect_url) = param("redirectUrl").and_then(html::redirect_target) else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<!doctype html><title>Flinks Capital</title><p>redirectUrl (an http or https URL) is required.</p>"),
        )
            .into_response();
    };
    let mut tokens = Vec::new();
    if state.config.require_authorize_token {
        if !state.take_token(param("authorizeToken").unwrap_or_default()) {
            let back = html::with_query(
                redirect_url,
                &[
                    ("error", "ACCESS_DENIED"),
                    ("error_description", AUTHORIZE_TOKEN_REFUSED),
                ],
            );
            return Redirect::to(&back).into_response();
        }
        // The page's own Authorize calls: a sign-in, answers and a few retries.
        tokens = (0..6).map(|_| state.mint_token()).collect();
    }
    let authorize_path = routes::for_customer(routes::AUTHORIZE, &state.config.customer_ids[0]);
    // The page carries single-use authorize tokens: no browser cache may keep a copy.
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(html::html(&html::Page {
            authorize_path: &authorize_path,
            redirect_url,
            tokens: &tokens,
            french: param("language").is_some_and(|l| l.eq_ignore_ascii_case("fr")),
            tag: param("tag"),
        })),
    )
        .into_response()
}

/// A query or form parameter by name in any case, trimmed.
fn param<'p>(params: &'p HashMap<String, String>, name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// What an OAuth sign-in carries from the page's URL to its form and back: where to send the
/// browser, and the client's `state`, echoed untouched.
struct OAuthRequest<'p> {
    redirect_url: &'p str,
    state: Option<&'p str>,
}

impl<'p> OAuthRequest<'p> {
    /// A missing or unusable `redirect_url` cannot be redirected to: 400 `INVALID_REQUEST`. An
    /// institution other than FlinksCapital goes back with `access_denied`.
    fn read(params: &'p HashMap<String, String>) -> Result<Self, Response> {
        let redirect_url = param(params, "redirect_url")
            .and_then(html::redirect_target)
            .ok_or_else(|| {
                invalid_request("redirect_url (an absolute http or https URL) is required.")
            })?;
        let request = Self {
            redirect_url,
            state: param(params, "state").filter(|s| !s.is_empty()),
        };
        let institution = param(params, "institution").unwrap_or_default();
        if !institution.eq_ignore_ascii_case(INSTITUTION) {
            return Err(request.deny(&format!(
                "The institution {institution:?} is not offered by this sandbox; it offers {INSTITUTION}."
            )));
        }
        Ok(request)
    }

    /// A 303 to `redirect_url` with `before`, the state, then `after` in its query.
    fn back(&self, before: &[(&str, &str)], after: &[(&str, &str)]) -> Response {
        let state = self.state.map(|s| ("state", s));
        let all: Vec<(&str, &str)> = before
            .iter()
            .copied()
            .chain(state)
            .chain(after.iter().copied())
            .collect();
        Redirect::to(&html::with_query(self.redirect_url, &all)).into_response()
    }

    /// `{redirect_url}?state=…&error=access_denied&error_description=…`.
    fn deny(&self, description: &str) -> Response {
        let error = [
            ("error", "access_denied"),
            ("error_description", description),
        ];
        self.back(&[], &error)
    }

    fn page(
        &self,
        customer_id: &str,
        question: Option<(&str, &str)>,
        error: Option<&str>,
    ) -> Response {
        let action = routes::for_customer(routes::OAUTH_AUTHORIZE, customer_id);
        Html(html::oauth_html(&html::OAuthPage {
            action: &action,
            redirect_url: self.redirect_url,
            state: self.state,
            question,
            error,
        }))
        .into_response()
    }
}

/// `GET /v3/{customerId}/BankingServices/OAuth/Authorize?institution=FlinksCapital&redirect_url=…&state=…`:
/// the custom-integration OAuth sign-in, as a small Flinks Capital bank login page. Signing in
/// (and answering Greatday's security question) sends the browser to
/// `{redirect_url}?loginId=…&state=…` (303); Cancel, or an institution other than FlinksCapital,
/// to `{redirect_url}?state=…&error=access_denied&error_description=…`.
///
/// This path is NOT verified in Flinks' documentation: flinks-api.md §2.6 and §8 found no
/// `/BankingServices/OAuth/Authorize` in any source. Its parameters follow the documented
/// open-banking authorize redirect (`?code=…&state=…` or `?error=access_denied&…`), with the
/// loginId in place of the code.
pub(super) async fn oauth_page(
    Path(customer_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = match OAuthRequest::read(&params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    request.page(&customer_id, None, None)
}

/// The OAuth page's form: Cancel, a username and password, or an answer to the security
/// question. A refused sign-in or a wrong answer shows the page again with the reason.
pub(super) async fn oauth_sign_in(
    State(state): State<Arc<AppState>>,
    Path(customer_id): Path<String>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let request = match OAuthRequest::read(&params) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if param(&params, "action").is_some_and(|a| a.eq_ignore_ascii_case("cancel")) {
        return request.deny("The customer cancelled the sign-in.");
    }
    let signed_in = match param(&params, "request_id") {
        Some(request_id) => answer_once(&state, request_id, param(&params, "answer")),
        None => sign_in(
            &state,
            Some(INSTITUTION),
            param(&params, "username"),
            param(&params, "password"),
            false,
            None,
        ),
    };
    let (waiting, error) = match signed_in {
        Ok(SignIn::Authorized(persona)) => {
            return request.back(&[("loginId", &persona.login_id.to_string())], &[])
        }
        Ok(SignIn::Challenge(request_id)) => (Some(request_id), None),
        // A wrong answer asks the same question again; a refused sign-in, for credentials again.
        Err(refusal) => (
            param(&params, "request_id").and_then(|id| Uuid::parse_str(id).ok()),
            Some(refusal.2),
        ),
    };
    let question = waiting.and_then(|id| {
        let logins = state.logins();
        let c = logins.challenges.get(&id)?;
        Some((id.to_string(), QUESTIONS[c.question].prompt(c.french)))
    });
    let question = question.as_ref().map(|(id, prompt)| (id.as_str(), *prompt));
    request.page(&customer_id, question, error)
}

/// One answer to a waiting security question (the OAuth page's; Authorize's JSON form has its
/// own rules): right opens the login, wrong is `INVALID_SECURITY_RESPONSE` and the question
/// stays open, none asks it again.
fn answer_once<'s>(
    state: &'s AppState,
    request_id: &str,
    answer: Option<&str>,
) -> Result<SignIn<'s>, Refusal> {
    let expired = Refusal(
        StatusCode::BAD_REQUEST,
        "SESSION_NONEXISTENT",
        "The sign-in has expired. Please sign in again.",
    );
    let id = Uuid::parse_str(request_id).map_err(|_| expired)?;
    let mut logins = state.logins();
    let challenge = logins.challenges.get(&id).ok_or(expired)?;
    if !answer.is_some_and(|a| QUESTIONS[challenge.question].accepts(a)) {
        drop(logins);
        return match answer.filter(|a| !a.is_empty()) {
            None => Ok(SignIn::Challenge(id)),
            Some(_) => Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "INVALID_SECURITY_RESPONSE",
                "The security response is different from what the institution expected.",
            )),
        };
    }
    let challenge = logins.challenges.remove(&id).ok_or(expired)?;
    drop(logins);
    let persona = state.persona(challenge.login_id).ok_or(expired)?;
    link(state, persona.login_id);
    Ok(SignIn::Authorized(persona))
}
