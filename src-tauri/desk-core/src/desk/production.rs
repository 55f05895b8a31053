//! Production is never a click away, and the core holds the rule, not only the page: every
//! billable call on a production environment — a run, a portfolio, Connect, a connection test, a
//! live sign-in — needs this session's confirmation for that environment, and a portfolio needs
//! its own, stating how many customers and billable calls it makes. A front end that forgets to
//! ask gets `production.unconfirmed`, with the words to ask in.

use std::collections::HashSet;
use std::sync::Mutex;

use flinks_client::Package;
use serde::{Deserialize, Serialize};

use super::{Desk, Env};
use crate::DeskError;

/// What Flinks bills for one customer's run: the accounts detail and the attributes call.
pub const BILLABLE_CALLS_PER_RUN: usize = 2;

/// The production environments confirmed in this session (a desk lives as long as the app).
#[derive(Default)]
pub(super) struct Confirmed(Mutex<HashSet<String>>);

/// What a portfolio will cost on production, stated before it runs and confirmed by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioCost {
    /// Customers on production environments.
    pub customers: usize,
    /// Billable calls those customers' runs make.
    pub calls: usize,
}

impl Desk {
    /// The person said yes to calling this production environment in this session.
    pub fn confirm_production(&self, environment: &str) -> Result<(), DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        self.confirmed
            .0
            .lock()
            .expect("confirmed lock")
            .insert(env.row.key.clone());
        Ok(())
    }

    /// Refuses a billable call to a production environment not confirmed in this session.
    pub(super) fn require_confirmed(&self, env: &Env, what: &str) -> Result<(), DeskError> {
        let confirmed = self
            .confirmed
            .0
            .lock()
            .expect("confirmed lock")
            .contains(&env.row.key);
        if env.row.production && !confirmed {
            return Err(DeskError::ProductionUnconfirmed {
                environment: env.row.name.clone(),
                what: what.to_owned(),
            });
        }
        Ok(())
    }

    /// What running `package` for these customers bills on production (nothing elsewhere).
    pub fn portfolio_cost(
        &self,
        customer_ids: &[String],
        _package: Package,
    ) -> Result<PortfolioCost, DeskError> {
        let mut customers = 0;
        // A customer the desk does not know fails on its own, and calls no one.
        for customer in customer_ids.iter().filter_map(|id| self.customer(id).ok()) {
            if self
                .env(&customer.env_key)
                .is_some_and(|e| e.row.production)
            {
                customers += 1;
            }
        }
        Ok(PortfolioCost {
            customers,
            calls: customers * BILLABLE_CALLS_PER_RUN,
        })
    }

    /// A portfolio touching production runs only with the confirmation of exactly its cost.
    pub(super) fn require_portfolio_confirmed(
        &self,
        customer_ids: &[String],
        package: Package,
        confirmed: Option<PortfolioCost>,
    ) -> Result<(), DeskError> {
        let cost = self.portfolio_cost(customer_ids, package)?;
        if cost.customers == 0 || confirmed == Some(cost) {
            return Ok(());
        }
        let mut names: Vec<String> = Vec::new();
        for customer in customer_ids.iter().filter_map(|id| self.customer(id).ok()) {
            if let Some(env) = self.env(&customer.env_key).filter(|e| e.row.production) {
                if !names.contains(&env.row.name) {
                    names.push(env.row.name.clone());
                }
            }
        }
        Err(DeskError::ProductionUnconfirmed {
            environment: names.join(", "),
            what: format!(
                "A portfolio of {} customer{} ({} billable calls)",
                cost.customers,
                if cost.customers == 1 { "" } else { "s" },
                cost.calls
            ),
        })
    }
}
