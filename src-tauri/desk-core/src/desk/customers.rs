//! Customers: the in-memory list (read from the store, refreshed after every change in one
//! place, `load_customers`), adding one by loginId, renaming and removing, and finding a
//! customer's loginId (the sandbox's cast, or the keyring).

use std::collections::HashMap;

use flinks_client::{LoginId, Secret};

use super::{login_entry, Customer, Desk, LoginSource};
use crate::store::EnvironmentKind;
use crate::view::CustomerView;
use crate::DeskError;

impl Desk {
    pub(super) fn load_customers(&self) -> Result<(), DeskError> {
        let envs = self.envs.read().expect("envs lock");
        let personas = self.sandbox.personas();
        let customers = self
            .store
            .customers()?
            .into_iter()
            .filter_map(|row| {
                let env = envs.iter().find(|e| e.row.id == row.environment_id)?;
                let persona = personas.iter().find(|p| p.username == row.key);
                // The sample cast's loginIds are the sandbox's; customers connected later are
                // in the keyring like everywhere else.
                let (login, story) =
                    if let (true, Some(p)) = (env.row.kind == EnvironmentKind::Builtin, persona) {
                        (
                            LoginSource::Builtin(LoginId::new(p.login_id.to_string())),
                            p.story.clone(),
                        )
                    } else {
                        (
                            LoginSource::Keyring(login_entry(&env.row.key, &row.key)),
                            String::new(),
                        )
                    };
                Some(Customer {
                    db_id: row.id,
                    id: row.key,
                    env_key: env.row.key.clone(),
                    label: row.label,
                    story,
                    institution: row.institution.unwrap_or_default(),
                    last4: row.login_last4,
                    login,
                })
            })
            .collect();
        *self.customers.write().expect("customers lock") = customers;
        Ok(())
    }

    pub fn customers(&self) -> Vec<CustomerView> {
        // The list still shows without its dates if the history cannot be read.
        let last_runs = self.store.last_completed_runs().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "last runs not readable");
            HashMap::new()
        });
        self.customers
            .read()
            .expect("customers lock")
            .iter()
            .map(|c| CustomerView {
                last_run: last_runs.get(&c.db_id).cloned(),
                id: c.id.clone(),
                environment: c.env_key.clone(),
                label: c.label.clone(),
                story: c.story.clone(),
                institution: c.institution.clone(),
                login_last4: c.last4.clone(),
            })
            .collect()
    }

    pub fn rename_customer(
        &self,
        customer_id: &str,
        label: &str,
    ) -> Result<CustomerView, DeskError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(DeskError::Invalid("the customer needs a name".into()));
        }
        let customer = self.customer(customer_id)?;
        self.store.rename_customer(customer.db_id, label)?;
        self.load_customers()?;
        self.customers()
            .into_iter()
            .find(|c| c.id == customer_id)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))
    }

    /// Adds a customer to an environment by its loginId (pasted from the Flinks Dashboard or a
    /// Connect redirect). The loginId goes to the keyring; the database keeps its last four.
    pub fn add_customer(
        &self,
        environment: &str,
        label: &str,
        login_id: LoginId,
    ) -> Result<CustomerView, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        if uuid::Uuid::parse_str(login_id.expose()).is_err() {
            // The message never repeats what was typed: it may be a real loginId with a typo.
            return Err(DeskError::Invalid(
                "a loginId is a GUID: 32 hexadecimal digits in groups of 8, 4, 4, 4 and 12, separated by dashes".into(),
            ));
        }
        let label = label.trim();
        if label.is_empty() {
            return Err(DeskError::Invalid("the customer needs a name".into()));
        }
        let key = uuid::Uuid::new_v4().to_string();
        let entry = login_entry(&env.row.key, &key);
        self.secrets.set(&entry, &Secret::new(login_id.expose()))?;
        if let Err(e) = self
            .store
            .upsert_customer(env.row.id, &key, label, "", login_id.last4())
        {
            let _ = self.secrets.delete(&entry);
            return Err(e.into());
        }
        self.load_customers()?;
        self.customers()
            .into_iter()
            .find(|c| c.id == key)
            .ok_or_else(|| DeskError::Invalid("the customer was not saved".into()))
    }

    /// Deletes a customer: Flinks forgets the loginId (`DeleteCard`), then the keyring entry
    /// goes, then the row and its runs. If Flinks or the keyring refuses, everything stays as it
    /// was and the error says why. A loginId Flinks no longer knows counts as deleted there.
    pub async fn remove_customer(&self, customer_id: &str) -> Result<(), DeskError> {
        let customer = self.customer(customer_id)?;
        let LoginSource::Keyring(entry) = &customer.login else {
            return Err(DeskError::Invalid(
                "the built-in sandbox's sample customers cannot be removed".into(),
            ));
        };
        let env = self
            .env(&customer.env_key)
            .ok_or_else(|| DeskError::UnknownCustomer(customer_id.to_owned()))?;
        let env = self.with_keys(env)?;
        if let Some(login_id) = self.secrets.get(entry)?.map(|s| LoginId::new(s.expose())) {
            match env.client.delete_card(&login_id).await {
                Ok(()) => {}
                Err(e) if e.code() == Some(&flinks_client::FlinksCode::InvalidLogin) => {
                    tracing::info!(customer = %customer.id, "Flinks no longer knew this loginId");
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.secrets.delete(entry)?;
        self.store.delete_customer(customer.db_id)?;
        self.audit(
            "customer.removed",
            &format!(
                "{} (loginId …{}, deleted at Flinks)",
                customer.label, customer.last4
            ),
        );
        self.load_customers()
    }

    pub(super) fn customer(&self, customer_id: &str) -> Result<Customer, DeskError> {
        self.customers
            .read()
            .expect("customers lock")
            .iter()
            .find(|c| c.id == customer_id)
            .cloned()
            .ok_or_else(|| match self.store.shared_customer_maker(customer_id) {
                Ok(Some(user)) => DeskError::SharedCustomer { user },
                _ => DeskError::UnknownCustomer(customer_id.to_owned()),
            })
    }

    pub(super) fn login_of(&self, customer: &Customer) -> Result<LoginId, DeskError> {
        match &customer.login {
            LoginSource::Builtin(id) => Ok(id.clone()),
            LoginSource::Keyring(entry) => self
                .secrets
                .get(entry)?
                .map(|s| LoginId::new(s.expose()))
                .ok_or(DeskError::LoginIdMissing),
        }
    }
}
