//! Running packages: one customer, the custom call, a portfolio; and cancelling them (the desk
//! holds both cancels).

use desk_core::{
    package_named, AttributeChoice, ErrorView, PackageView, PortfolioCost, PortfolioEvent,
    PortfolioResult, RunEvent, RunResult,
};
use tauri::ipc::Channel;
use tauri::State;

use super::{forward, DeskState};

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn list_packages(state: State<'_, DeskState>) -> Result<Vec<PackageView>, ErrorView> {
    Ok(state.desk()?.packages())
}

#[tauri::command]
#[tracing::instrument(skip(state, on_event))]
pub async fn run_package(
    state: State<'_, DeskState>,
    customer_id: String,
    package: String,
    on_event: Channel<RunEvent>,
) -> Result<RunResult, ErrorView> {
    let desk = state.desk()?.clone();
    let package = package_named(&package)?;
    Ok(desk.run(&customer_id, package, &forward(on_event)).await?)
}

/// The custom `/Attributes` call with the attributes picked.
#[tauri::command]
#[tracing::instrument(skip(state, on_event))]
pub async fn run_custom(
    state: State<'_, DeskState>,
    customer_id: String,
    names: Vec<String>,
    on_event: Channel<RunEvent>,
) -> Result<RunResult, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk
        .run_custom(&customer_id, &names, &forward(on_event))
        .await?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn cancel_run(state: State<'_, DeskState>, run_id: i64) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel(run_id))
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn attribute_choices(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<Vec<AttributeChoice>, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.attribute_choices(&environment).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state, on_event))]
pub async fn run_portfolio(
    state: State<'_, DeskState>,
    customer_ids: Vec<String>,
    package: String,
    concurrency: usize,
    confirmed: Option<PortfolioCost>,
    on_event: Channel<PortfolioEvent>,
) -> Result<PortfolioResult, ErrorView> {
    let desk = state.desk()?.clone();
    let package = package_named(&package)?;
    Ok(desk
        .run_portfolio(
            &customer_ids,
            package,
            concurrency,
            confirmed,
            &forward(on_event),
        )
        .await?)
}

/// What a portfolio bills on production, for the page to state before it asks.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn portfolio_cost(
    state: State<'_, DeskState>,
    customer_ids: Vec<String>,
    package: String,
) -> Result<PortfolioCost, ErrorView> {
    Ok(state
        .desk()?
        .portfolio_cost(&customer_ids, package_named(&package)?)?)
}

/// The person said yes to calling this production environment in this session.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn confirm_production(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<(), ErrorView> {
    Ok(state.desk()?.confirm_production(&environment)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn cancel_portfolio(state: State<'_, DeskState>) -> Result<bool, ErrorView> {
    Ok(state.desk()?.cancel_portfolio())
}
