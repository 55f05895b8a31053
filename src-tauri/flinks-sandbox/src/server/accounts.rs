//! GetAccountsDetail and GetAccountsSummary, and their Async polls: a 202 until the session's
//! data is ready (flinks-api.md §2.3), then the accounts the call asked for.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

use super::config::{INSTITUTION, INSTITUTION_ID};
use super::detail_options::DetailOptions;
use super::state::AppState;
use super::wire::{pending_at, session_nonexistent, Busy, FlinksBody};
use crate::model::money_json;

/// GetAccountsDetail gives accounts with transactions and lets attributes be computed;
/// GetAccountsSummary gives the accounts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    Detail,
    Summary,
}

pub(super) async fn accounts_detail(state: State<Arc<AppState>>, body: FlinksBody) -> Response {
    data_call(state, body, Data::Detail)
}

pub(super) async fn accounts_summary(state: State<Arc<AppState>>, body: FlinksBody) -> Response {
    data_call(state, body, Data::Summary)
}

fn data_call(
    State(state): State<Arc<AppState>>,
    FlinksBody(body): FlinksBody,
    data: Data,
) -> Response {
    let request_id = body
        .get("requestid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let options = DetailOptions::from_body(&body);
    detail_reply(&state, &request_id, Some(options), data)
}

pub(super) async fn accounts_detail_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    detail_reply(&state, &request_id, None, Data::Detail)
}

pub(super) async fn accounts_summary_async(
    State(state): State<Arc<AppState>>,
    Path((_customer_id, request_id)): Path<(String, String)>,
) -> Response {
    detail_reply(&state, &request_id, None, Data::Summary)
}

/// `options` are those of a GetAccountsDetail (or Summary) call; the Async endpoint passes none
/// and gets those of the last call.
fn detail_reply(
    state: &AppState,
    request_id: &str,
    options: Option<DetailOptions>,
    data: Data,
) -> Response {
    let outcome = state.with_session(request_id, |s| {
        let requested = match data {
            Data::Detail => &mut s.requested,
            Data::Summary => &mut s.summary_requested,
        };
        if let Some(o) = options {
            *requested = Some(o);
        }
        let options = requested.clone().unwrap_or_default();
        // A slow test login answers its own 202 from the first GetAccountsDetail on
        // (test_dispatched: OPERATION_DISPATCHED, flinks-api.md §5.1), also while the data
        // is still being prepared; its extra polls come after that time.
        let slow = s.slow.filter(|_| data == Data::Detail);
        if Instant::now() < s.ready_at {
            return Err(slow.map_or(Busy::Pending, |(busy, _)| busy));
        }
        if let Some((busy, left @ 1..)) = slow {
            s.slow = Some((busy, left - 1));
            return Err(busy);
        }
        if data == Data::Detail {
            s.served = Some(options.clone());
        }
        Ok((s.login_id, options))
    });
    let request_id = Uuid::parse_str(request_id.trim()).unwrap_or_default();
    let (login_id, options) = match outcome {
        Err(r) => return r,
        Ok(Err(busy)) if data == Data::Summary => {
            return pending_at(request_id, "AccountsSummaryAsync", busy)
        }
        Ok(Err(busy)) => return pending_at(request_id, "AccountsDetailAsync", busy),
        Ok(Ok(served)) => served,
    };
    let Some(persona) = state.persona(login_id) else {
        return session_nonexistent();
    };
    let since = state.config.as_of - chrono::Days::new(options.days as u64);
    let accounts: Vec<Value> = persona
        .accounts
        .iter()
        .filter(|a| options.includes(a))
        .map(|a| {
            let transactions: Vec<Value> = if options.with_transactions {
                a.transactions
                    .iter()
                    .rev()
                    .filter(|t| t.date > since)
                    .map(|t| {
                        json!({
                            "Date": t.date.format("%Y-%m-%d").to_string(),
                            "Code": null,
                            "Description": t.description,
                            "Debit": t.debit.map(money_json),
                            "Credit": t.credit.map(money_json),
                            "Balance": money_json(t.balance),
                            "Id": t.id,
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let current = a.transactions.last().map_or(0, |t| t.balance);
            let balance = if options.with_balance {
                json!({
                    "Available": money_json(current + a.overdraft_limit),
                    "Current": money_json(current),
                    "Limit": if a.overdraft_limit > 0 { money_json(a.overdraft_limit) } else { Value::Null },
                })
            } else {
                json!({ "Available": null, "Current": null, "Limit": null })
            };
            let identity = |v: &str| if options.with_identity { json!(v) } else { Value::Null };
            let mut account = json!({
                "Transactions": transactions,
                "TransitNumber": identity(&a.transit_number),
                "InstitutionNumber": identity(&a.institution_number),
                "OverdraftLimit": money_json(a.overdraft_limit),
                "Title": a.title,
                "AccountNumber": identity(&a.account_number),
                "LastFourDigits": null,
                "Balance": balance,
                "Category": a.category,
                "Type": a.account_type,
                "Currency": a.currency,
                "Holder": null,
                "AccountType": null,
                "Id": a.id,
            });
            if data == Data::Summary {
                account.as_object_mut().map(|o| o.remove("Transactions"));
            }
            account
        })
        .collect();
    Json(json!({
        "HttpStatusCode": 200,
        "Accounts": accounts,
        "InstitutionName": INSTITUTION,
        "Login": state.login_json(persona),
        "InstitutionId": INSTITUTION_ID,
        "Institution": INSTITUTION,
        "RequestId": request_id,
    }))
    .into_response()
}
