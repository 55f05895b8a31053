//! Customers: the list, adding one by loginId, through Flinks Connect (a window of its own) or by
//! a live sign-in, renaming and removing. Every secret argument arrives as a secret type
//! (`LoginId`, `Secret`) and every span skips it.

use std::sync::{Arc, Mutex};

use desk_core::{CustomerView, ErrorCode, ErrorView, LiveSignIn, LoginId, Secret, SignInStep};
use tauri::{AppHandle, Manager, Runtime, State};

use super::DeskState;

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn list_customers(state: State<'_, DeskState>) -> Result<Vec<CustomerView>, ErrorView> {
    Ok(state.desk()?.customers())
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn rename_customer(
    state: State<'_, DeskState>,
    customer_id: String,
    label: String,
) -> Result<CustomerView, ErrorView> {
    Ok(state.desk()?.rename_customer(&customer_id, &label)?)
}

/// `login_id` is a secret: skipped by the log, kept by the keyring.
#[tauri::command]
#[tracing::instrument(skip(state, login_id))]
pub fn add_customer(
    state: State<'_, DeskState>,
    environment: String,
    label: String,
    login_id: LoginId,
) -> Result<CustomerView, ErrorView> {
    Ok(state.desk()?.add_customer(&environment, &label, login_id)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn remove_customer(
    state: State<'_, DeskState>,
    customer_id: String,
) -> Result<(), ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.remove_customer(&customer_id).await?)
}

/// A live sign-in: the username, password and answers are secrets, so the log skips every
/// argument. Only the first step's environment is recorded.
#[tauri::command]
#[tracing::instrument(skip_all, fields(environment = %input.environment))]
pub async fn sign_in_customer(
    state: State<'_, DeskState>,
    input: LiveSignIn,
) -> Result<SignInStep, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.sign_in_live(input).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn answer_sign_in(
    state: State<'_, DeskState>,
    sign_in: String,
    answers: Vec<Secret>,
) -> Result<SignInStep, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.answer_sign_in(&sign_in, answers).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn cancel_sign_in(state: State<'_, DeskState>, sign_in: String) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel_sign_in(&sign_in))
}

const CONNECT_WINDOW: &str = "connect";

type Redirect = Arc<Mutex<Option<tokio::sync::oneshot::Sender<Option<String>>>>>;

/// The first of the redirect and the window's close wins; the other finds the sender gone.
fn send(tx: &Redirect, value: Option<String>) {
    if let Some(tx) = tx.lock().expect("connect lock").take() {
        let _ = tx.send(value);
    }
}

/// Opens Flinks Connect in a window of its own and waits for it to end. The redirect it ends
/// with is caught before it loads, read here, and its loginId goes straight to the keyring: the
/// main window's page never sees it, and the Connect window has no access to the app's commands
/// (capabilities/default.json grants them to `main` only). `None` when the person closed it.
#[tauri::command]
#[tracing::instrument(skip(app, state, label))]
pub async fn connect_customer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    environment: String,
    label: String,
) -> Result<Option<CustomerView>, ErrorView> {
    let desk = state.desk()?.clone();
    if let Some(open) = app.get_webview_window(CONNECT_WINDOW) {
        let _ = open.set_focus();
        return Err(ErrorView::new(
            ErrorCode::ConnectOpen,
            "Flinks Connect is already open",
            "Finish or close the Connect window first.",
        ));
    }
    let url = desk.connect_url(&environment).await?;
    let (tx, rx) = tokio::sync::oneshot::channel::<Option<String>>();
    let tx: Redirect = Arc::new(Mutex::new(Some(tx)));
    let on_redirect = tx.clone();
    let window =
        tauri::WebviewWindowBuilder::new(&app, CONNECT_WINDOW, tauri::WebviewUrl::External(url))
            .title("Flinks Connect — link a bank account")
            .inner_size(520.0, 700.0)
            .on_navigation(move |to| {
                if to.as_str().starts_with(desk_core::CONNECT_REDIRECT) {
                    send(&on_redirect, Some(to.to_string()));
                    false
                } else {
                    true
                }
            })
            .build()
            .map_err(|e| {
                ErrorView::new(
                    ErrorCode::ConnectWindow,
                    format!("the Connect window could not open: {e}"),
                    "Try again; if it keeps failing, add the customer by loginId.",
                )
            })?;
    let on_close = tx.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::Destroyed = event {
            send(&on_close, None);
        }
    });
    let redirect = rx.await.ok().flatten();
    let _ = window.destroy();
    match redirect {
        None => Ok(None),
        Some(redirect) => Ok(Some(desk.add_customer_from_connect(
            &environment,
            &label,
            &redirect,
        )?)),
    }
}
