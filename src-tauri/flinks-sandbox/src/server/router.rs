//! Which handler answers which path, and the checks that run before them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use axum::Router;

use super::state::AppState;
use super::wire::{flinks_error, header_text};
use super::{
    accounts, admin, attributes, authorize, connect, delete_card, refresh, routes, statements,
};
use crate::faults;

pub(super) fn router(state: Arc<AppState>) -> Router {
    // Data endpoints check x-api-key when the sandbox has one; the authorize ones never do.
    let data = Router::new()
        .route(routes::ACCOUNTS_DETAIL, post(accounts::accounts_detail))
        .route(
            routes::ACCOUNTS_DETAIL_ASYNC,
            get(accounts::accounts_detail_async),
        )
        .route(routes::ACCOUNTS_SUMMARY, post(accounts::accounts_summary))
        .route(
            routes::ACCOUNTS_SUMMARY_ASYNC,
            get(accounts::accounts_summary_async),
        )
        .route(routes::STATEMENTS, post(statements::statements))
        .route(routes::STATEMENTS_ASYNC, get(statements::statements_async))
        .route(routes::MFA_QUESTIONS, get(refresh::mfa_questions))
        .route(
            routes::ANSWER_MFA_QUESTIONS,
            patch(refresh::answer_mfa_questions),
        )
        .route(
            routes::SCHEDULED_REFRESH,
            patch(refresh::set_scheduled_refresh),
        )
        .route(routes::DELETE_CARD, delete(delete_card::delete_card))
        .route(
            routes::PACKAGE_ATTRIBUTES,
            get(attributes::package_attributes),
        )
        .route(
            routes::CUSTOM_ATTRIBUTES,
            post(attributes::custom_attributes),
        )
        .route(routes::ATTRIBUTE_LIBRARY, get(attributes::library))
        .route_layer(middleware::from_fn_with_state(state.clone(), api_key));
    let mut router = Router::new()
        .route(
            routes::GENERATE_AUTHORIZE_TOKEN,
            post(authorize::generate_authorize_token),
        )
        .route(routes::AUTHORIZE, post(authorize::authorize))
        .route(
            routes::OAUTH_AUTHORIZE,
            get(connect::oauth_page).post(connect::oauth_sign_in),
        )
        .merge(data)
        // Inside the customer check, so only requests to this instance are faulted, and outside
        // the x-api-key check: a proxy in front of Flinks fails whatever the key.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            known_customer,
        ))
        .route(
            routes::SANDBOX_FAULTS,
            get(admin::list_faults).put(admin::replace_faults),
        )
        .route(routes::ABOUT, get(admin::about));
    for page in routes::CONNECT_PAGES {
        router = router.route(page, get(connect::connect_page));
    }
    router
        .fallback(|| async {
            flinks_error(
                StatusCode::NOT_FOUND,
                "INVALID_REQUEST",
                "No such endpoint in the Flinks Capital sandbox.",
                None,
            )
        })
        // Last, so that it covers every route above; axum adds the Allow header.
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// A known path asked with a method it does not take. The message is ASP.NET's (Flinks runs on
/// it); flinks-api.md names no FlinksCode for this, so it is the one of the sandbox's 404,
/// `INVALID_REQUEST`.
async fn method_not_allowed(method: Method) -> Response {
    flinks_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST",
        &format!("The requested resource does not support http method '{method}'."),
        None,
    )
}

/// Every Flinks path starts with a customerId; one this instance does not serve is refused
/// before any handler runs.
async fn known_customer(
    State(state): State<Arc<AppState>>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let customer_id = params.get("customer_id").map_or("", String::as_str);
    match state.check_customer(customer_id) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused,
    }
}

/// `x-api-key` must be the sandbox's, when it has one.
async fn api_key(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match &state.config.api_key {
        Some(key) if header_text(request.headers(), "x-api-key") != key.as_str() => flinks_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You must provide a valid x-api-key",
            None,
        ),
        _ => next.run(request).await,
    }
}
