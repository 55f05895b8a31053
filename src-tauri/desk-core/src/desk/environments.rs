//! Environments beyond adding one: checking that Flinks answers, and removing one.

use flinks_client::{AuthorizeOutcome, FlinksCode, FlinksError, LoginId};

use super::{api_key_entry, login_entry, secret_key_entry, Desk};
use crate::DeskError;

impl Desk {
    /// Asks the environment something cheap that proves the URL, the customerId and the keys:
    /// with a secret key, an authorize token (GenerateAuthorizeToken); without, an Authorize for
    /// a loginId no one has, which a reachable Flinks refuses with `INVALID_LOGIN`. Returns what
    /// was proven, in words.
    pub async fn check_environment(&self, environment: &str) -> Result<String, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::Invalid(format!("no environment {environment:?}")))?;
        if env.row.kind != "builtin" {
            if let Some(key) = self.secrets.get(&secret_key_entry(&env.row.key))? {
                env.client.generate_authorize_token(&key).await?;
                return Ok(format!(
                    "{} answered, and its secret key buys authorize tokens.",
                    env.row.name
                ));
            }
        }
        // The nil GUID is no one's loginId.
        let nobody = LoginId::new("00000000-0000-0000-0000-000000000000");
        match env.client.authorize_cached(&nobody, None).await {
            Err(FlinksError::Api {
                code: FlinksCode::InvalidLogin,
                ..
            }) => Ok(format!(
                "{} answered and knows the customerId (no secret key to check).",
                env.row.name
            )),
            Ok(AuthorizeOutcome::Authorized(_) | AuthorizeOutcome::Challenge { .. }) => {
                Ok(format!(
                    "{} answered (it accepted a made-up loginId, as a sandbox may).",
                    env.row.name
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a private environment from the desk: its keys and its customers' loginIds leave
    /// the keyring, its customers and runs leave the database. Flinks keeps the customers' data
    /// (remove a customer first to have Flinks delete it). The built-in sandbox and the toolbox
    /// always stay.
    pub fn remove_environment(&self, environment: &str) -> Result<(), DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::Invalid(format!("no environment {environment:?}")))?;
        if env.row.kind != "private" {
            return Err(DeskError::Invalid(
                "the built-in sandbox and the Flinks toolbox are always there".into(),
            ));
        }
        let customers: Vec<String> = self
            .customers
            .read()
            .expect("customers lock")
            .iter()
            .filter(|c| c.env_key == env.row.key)
            .map(|c| c.id.clone())
            .collect();
        // Keyring first: if it refuses, the environment is still listed and can be removed again.
        for entry in customers
            .iter()
            .map(|c| login_entry(&env.row.key, c))
            .chain([secret_key_entry(&env.row.key), api_key_entry(&env.row.key)])
        {
            self.secrets.delete(&entry)?;
        }
        self.store.delete_environment(env.row.id)?;
        self.envs
            .write()
            .expect("envs lock")
            .retain(|e| e.row.key != env.row.key);
        self.load_customers()
    }
}
