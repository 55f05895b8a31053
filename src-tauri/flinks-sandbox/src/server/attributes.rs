//! The attributes endpoints: a package's attributes (GET), a custom list of them (POST), and
//! the attribute library. Attributes are computed from the data GetAccountsDetail served the
//! session, narrowed by what the request asks. A package's card is computed once per session,
//! accounts and days, and kept with the session ([`super::cards`]); a custom list is computed
//! on every call, as the lists asked are anyone's.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::cards::CardKey;
use super::state::AppState;
use super::wire::{flinks_error, invalid_request, pending, session_nonexistent, FlinksBody};
use crate::catalog::{self, Package, Spec};
use crate::engine::{self, Scope};
use crate::model::{money_json, Attribute, Persona, Transaction};

/// The login and the scope an attributes request computes from, once GetAccountsDetail has
/// served the session: the accounts and days that call returned.
fn attributes_session<'s>(
    state: &'s AppState,
    login_id: &str,
    request_id: &str,
) -> Result<(&'s Persona, Scope, Uuid), Response> {
    let (session_login, served) =
        state.with_session(request_id, |s| (s.login_id, s.served.clone()))?;
    let request_uuid = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    if Uuid::parse_str(login_id.trim()).ok() != Some(session_login) {
        return Err(flinks_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "The LoginId provided is either invalid or does not belong to the CustomerId",
            None,
        ));
    }
    // Attributes are computed from the data GetAccountsDetail gathered; until then, poll.
    let Some(served) = served else {
        return Err(pending(request_uuid));
    };
    let persona = state
        .persona(session_login)
        .ok_or_else(session_nonexistent)?;
    Ok((persona, served.scope(), request_uuid))
}

/// `limitDays`: a whole number of days from 1 to 365, from a header or a body field.
fn limit_days(value: &Value) -> Result<i64, Response> {
    let days = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    days.filter(|d| (1..=365).contains(d)).ok_or_else(|| {
        invalid_request(&format!(
            "limitDays must be a whole number of days from 1 to 365; got {value}."
        ))
    })
}

fn header_limit_days(headers: &HeaderMap) -> Result<Option<i64>, Response> {
    headers
        .get("limitdays")
        .map(|h| {
            let text = h.to_str().unwrap_or_default();
            limit_days(&Value::String(text.to_owned()))
        })
        .transpose()
}

/// The reply around a serialized card, byte for byte what `Json` of the whole would write. The
/// card is the bulk and may be a kept one; `Login` is written afresh, as its
/// `IsScheduledRefresh` can change within a session.
fn attributes_reply(
    state: &AppState,
    persona: &Persona,
    request_id: Uuid,
    card: &[u8],
) -> Response {
    let login = state.login_json(persona).to_string();
    let mut body = Vec::with_capacity(card.len() + login.len() + 96);
    body.extend_from_slice(br#"{"HttpStatusCode":200,"Card":"#);
    body.extend_from_slice(card);
    body.extend_from_slice(br#","Login":"#);
    body.extend_from_slice(login.as_bytes());
    body.extend_from_slice(format!(r#","RequestId":"{request_id}"}}"#).as_bytes());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

pub(super) async fn package_attributes(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id, request_id, endpoint)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (persona, scope, request_uuid) = match attributes_session(&state, &login_id, &request_id) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(package) = Package::from_endpoint(&endpoint) else {
        let offered: Vec<&str> = Package::ALL.iter().map(|p| p.endpoint()).collect();
        return flinks_error(
            StatusCode::NOT_FOUND,
            "INVALID_REQUEST",
            &format!(
                "{endpoint} is not an attributes endpoint of this sandbox; it offers {}.",
                offered.join(", ")
            ),
            None,
        );
    };
    let days = match header_limit_days(&headers) {
        Ok(days) => days,
        Err(r) => return r,
    };
    let key = CardKey {
        package,
        scope: scope.narrowed(&Scope {
            days,
            ..Scope::default()
        }),
    };
    let card = match state.with_session(&request_id, |s| s.cards.get(&key)) {
        Ok(Some(card)) => card,
        Ok(None) => {
            let attributes = engine::package(package, persona, state.config.as_of, &key.scope);
            let card = card_json(persona, &attributes, |a| !a.detail.is_empty());
            let card = Bytes::from(card.to_string());
            // A session that ended while this one was computed has nowhere to keep it; the
            // reply still stands, as it would have without the cache.
            let budget = &state.card_budget;
            let _ = state.with_session(&request_id, |s| s.cards.keep(key, card.clone(), budget));
            card
        }
        Err(r) => return r,
    };
    attributes_reply(&state, persona, request_uuid, &card)
}

/// A custom /Attributes request (flinks-api.md §4.3), read from a body whose top-level keys are
/// already lower case; nested keys match in any case too.
#[derive(Debug)]
struct CustomRequest {
    names: Vec<String>,
    categories: Option<Vec<String>>,
    accounts: Option<Vec<Uuid>>,
    detail: Vec<String>,
    limit_days: Option<i64>,
}

/// A field of a JSON object by name in any case; null counts as absent.
fn field<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn string_list(value: &Value, what: &str) -> Result<Vec<String>, Response> {
    let bad = || invalid_request(&format!("{what} must be a list of strings; got {value}."));
    value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(bad))
        .collect()
}

/// `object.key` as a list of strings, when `object` is present.
fn nested_list(
    object: Option<&Value>,
    object_name: &str,
    key: &str,
) -> Result<Option<Vec<String>>, Response> {
    let Some(object) = object else {
        return Ok(None);
    };
    let map = object.as_object().ok_or_else(|| {
        invalid_request(&format!(
            "{object_name} must be an object with a {key} list; got {object}."
        ))
    })?;
    field(map, key)
        .map(|v| string_list(v, &format!("{object_name}.{key}")))
        .transpose()
}

impl CustomRequest {
    fn from_body(body: &Map<String, Value>, headers: &HeaderMap) -> Result<Self, Response> {
        let names = nested_list(body.get("attributes"), "Attributes", "Card")?.ok_or_else(|| {
            invalid_request(
                "Attributes.Card is required: the names of the attributes to compute, as in {\"Attributes\":{\"Card\":[\"balance_min\"]}}.",
            )
        })?;
        if names.is_empty() {
            return Err(invalid_request("Attributes.Card lists no attribute."));
        }
        let categories = nested_list(body.get("filters"), "Filters", "AccountCategory")?;
        let accounts = match field(body, "accountfilter") {
            None => None,
            Some(v) => Some(
                string_list(v, "AccountFilter")?
                    .iter()
                    .map(|id| {
                        Uuid::parse_str(id).map_err(|_| {
                            invalid_request(&format!(
                                "AccountFilter must list account ids (the Id of GetAccountsDetail's accounts); {id:?} is not one."
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let top = field(body, "attributesdetail")
            .map(|v| string_list(v, "AttributesDetail"))
            .transpose()?;
        let in_options = nested_list(body.get("options"), "Options", "AttributesDetail")?;
        let detail = top.into_iter().chain(in_options).flatten().collect();
        let in_body = field(body, "limitdays").map(limit_days).transpose()?;
        let in_header = header_limit_days(headers)?;
        let limit_days = match (in_body, in_header) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(CustomRequest {
            names,
            categories,
            accounts,
            detail,
            limit_days,
        })
    }
}

pub(super) async fn custom_attributes(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, login_id, request_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    FlinksBody(body): FlinksBody,
) -> Response {
    let request = match CustomRequest::from_body(&body, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (persona, scope, request_uuid) = match attributes_session(&state, &login_id, &request_id) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Some(stranger) = request
        .accounts
        .iter()
        .flatten()
        .find(|id| !persona.accounts.iter().any(|a| a.id == **id))
    {
        return invalid_request(&format!(
            "AccountFilter names {stranger}, which is not an account of this login."
        ));
    }
    let scope = scope.narrowed(&Scope {
        accounts: request.accounts,
        categories: request.categories,
        days: request.limit_days,
    });
    // The names in the order asked, once each; known ones under their catalog spelling.
    let catalog = catalog::catalog();
    let mut asked: Vec<(String, Option<&Spec>)> = Vec::new();
    for name in &request.names {
        let spec = catalog.get(name);
        let key = spec.map_or_else(|| name.clone(), |s| s.name.clone());
        if !asked.iter().any(|(k, _)| *k == key) {
            asked.push((key, spec));
        }
    }
    let computed = engine::compute(
        asked.iter().filter_map(|(_, s)| *s),
        persona,
        state.config.as_of,
        &scope,
    );
    let wanted: Vec<String> = request
        .detail
        .iter()
        .map(|n| {
            catalog
                .get(n)
                .map_or_else(|| n.to_ascii_lowercase(), |s| s.name.clone())
        })
        .collect();
    let mut card = card_json(persona, &computed, |a| wanted.contains(&a.name));
    let unknown = asked.iter().filter(|(_, s)| s.is_none());
    if let Value::Object(map) = &mut card {
        for (name, _) in unknown {
            map.insert(name.clone(), Value::Null);
        }
        // Back in the order asked, `Id` first and `AttributesDetail` last.
        let mut ordered = Map::new();
        for key in std::iter::once("Id")
            .chain(asked.iter().map(|(k, _)| k.as_str()))
            .chain(std::iter::once("AttributesDetail"))
        {
            if let Some(v) = map.remove(key) {
                ordered.insert(key.to_owned(), v);
            }
        }
        *map = ordered;
    }
    attributes_reply(&state, persona, request_uuid, card.to_string().as_bytes())
}

/// The attribute library: every attribute's name, packages, unit, category and definition.
pub(super) async fn library() -> Json<Value> {
    let attributes: Vec<Value> = catalog::catalog()
        .specs()
        .iter()
        .map(|s| {
            json!({
                "Name": s.name,
                "Packages": s.packages.iter().map(|p| p.title()).collect::<Vec<_>>(),
                "Unit": s.unit.as_str(),
                "Category": s.category,
                "Definition": s.definition,
            })
        })
        .collect();
    Json(json!({ "HttpStatusCode": 200, "Attributes": attributes }))
}

/// `Card`: `Id`, the values by name, and `AttributesDetail` for the attributes `detailed` picks.
fn card_json(
    persona: &Persona,
    attributes: &[Attribute],
    detailed: impl Fn(&Attribute) -> bool,
) -> Value {
    let mut card = Map::new();
    card.insert("Id".into(), json!(persona.login_id));
    for a in attributes {
        card.insert(a.name.clone(), a.value.to_json());
    }
    let transactions: HashMap<(Uuid, Uuid), &Transaction> = persona
        .accounts
        .iter()
        .flat_map(|a| a.transactions.iter().map(move |t| ((a.id, t.id), t)))
        .collect();
    let details: Vec<Value> = attributes
        .iter()
        .filter(|a| detailed(a))
        .map(|a| {
            let rows: Vec<Value> = a
                .detail
                .iter()
                .filter_map(|key| {
                    let t = transactions.get(key)?;
                    Some(json!({
                        "TransactionId": t.id,
                        "AccountId": key.0,
                        "Date": t.date.format("%Y/%m/%d").to_string(),
                        "Description": t.description,
                        "Debit": t.debit.map(money_json),
                        "Credit": t.credit.map(money_json),
                        "Balance": money_json(t.balance),
                    }))
                })
                .collect();
            json!({ "Attribute": a.name, "Transactions": rows })
        })
        .collect();
    card.insert("AttributesDetail".into(), Value::Array(details));
    Value::Object(card)
}
