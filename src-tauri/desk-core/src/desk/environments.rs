//! Environments: listing and adding them, checking that Flinks answers, editing one, removing
//! one, what each has cost in calls, and the keys each needs (authorize tokens).

use std::sync::Arc;
use std::time::Duration;

use flinks_client::{
    AuthorizeOutcome, Environment, FlinksCode, FlinksError, LoginId, PollPolicy, Secret,
};

use super::{api_key_entry, login_entry, secret_key_entry, Desk, Env};
use crate::endpoint::{check_secure_url, same_server};
use crate::secrets::SecretStore;
use crate::store::EnvironmentKind;
use crate::store::{EnvironmentRow, LedgerTotals};
use crate::view::{EnvironmentView, KeyringState};
use crate::DeskError;

/// What the person types to add an environment. Secrets go straight to the keyring.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEnvironment {
    pub name: String,
    pub api_base_url: String,
    pub customer_id: String,
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub secret_key: Option<Secret>,
    #[serde(default)]
    pub api_key: Option<Secret>,
    /// The instance wants an authorize token on every Authorize (integrations since 2024).
    #[serde(default)]
    pub authorize_tokens: bool,
    #[serde(flatten)]
    pub settings: EnvironmentSettings,
}

/// The settings an instance may need beyond its URL and keys. Blank keeps the default.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentSettings {
    /// Where Flinks Connect is, when it is not `https://{instance}-iframe.private.fin.ag/v2/`.
    pub iframe_url: Option<String>,
    /// How often to ask whether the data is ready (Flinks asks for 10 s).
    pub poll_interval_secs: Option<u64>,
    /// How long to wait for it before giving up (Flinks: at most 30 minutes).
    pub poll_max_wait_mins: Option<u64>,
}

impl EnvironmentSettings {
    /// Checks the settings and writes them into `row`.
    pub(super) fn apply(&self, row: &mut EnvironmentRow) -> Result<(), DeskError> {
        let iframe = self
            .iframe_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if let Some(url) = iframe {
            check_secure_url("Connect (iframe) URL", url)?;
        }
        let interval = self.poll_interval_secs.filter(|s| *s > 0);
        let max_wait = self.poll_max_wait_mins.filter(|m| *m > 0);
        if interval.is_some_and(|s| s > 600) {
            return Err(DeskError::Invalid(
                "poll at least every 10 minutes (Flinks asks for every 10 seconds)".into(),
            ));
        }
        if max_wait.is_some_and(|m| m > 24 * 60) {
            return Err(DeskError::Invalid(
                "wait at most 24 hours for the data (Flinks asks for at most 30 minutes)".into(),
            ));
        }
        let default = PollPolicy::default();
        let (interval_ms, max_wait_ms) = (
            interval.map_or(default.interval.as_millis() as u64, |s| s * 1000),
            max_wait.map_or(default.max_wait.as_millis() as u64, |m| m * 60_000),
        );
        if max_wait_ms < interval_ms {
            return Err(DeskError::Invalid(
                "the longest wait must be at least one poll interval".into(),
            ));
        }
        row.iframe_url = iframe.map(str::to_owned);
        row.poll_interval_ms = interval.map(|s| (s * 1000) as i64);
        row.poll_max_wait_ms = max_wait.map(|m| (m * 60_000) as i64);
        Ok(())
    }
}

/// The poll policy an environment's settings say, the documented one where they say nothing.
pub(super) fn poll_of(row: &EnvironmentRow) -> PollPolicy {
    let default = PollPolicy::default();
    let ms = |v: Option<i64>| {
        v.and_then(|v| u64::try_from(v).ok())
            .map(Duration::from_millis)
    };
    PollPolicy {
        interval: ms(row.poll_interval_ms).unwrap_or(default.interval),
        max_wait: ms(row.poll_max_wait_ms).unwrap_or(default.max_wait),
    }
}

/// An API base URL as typed, or an instance name (`acme`) for the instance's documented
/// address (`https://acme-api.private.fin.ag`, flinks-api.md §1).
pub(super) fn api_base_url(typed: &str) -> String {
    let typed = typed.trim();
    let is_name = !typed.is_empty() && typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if is_name {
        format!("https://{}-api.private.fin.ag", typed.to_ascii_lowercase())
    } else {
        typed.to_owned()
    }
}

/// What the person changes in an environment. A secret left out or blank keeps the one in the
/// keyring (the form cannot show it, so it cannot send it back); a typed one replaces it. An
/// edit that moves the environment to another server (scheme, host or port) clears the keys
/// not typed again: they were given for the old server.
/// `production` and `authorizeTokens` have no default: an edit that forgot them would quietly
/// stop the ledger counting a production instance's calls as billable.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentEdit {
    pub name: String,
    pub api_base_url: String,
    pub customer_id: String,
    pub production: bool,
    /// The instance wants an authorize token on every Authorize (integrations since 2024).
    pub authorize_tokens: bool,
    #[serde(default)]
    pub secret_key: Option<Secret>,
    #[serde(default)]
    pub api_key: Option<Secret>,
    #[serde(flatten)]
    pub settings: EnvironmentSettings,
}

/// What adding and editing an environment both check before anything is written. The secret
/// key that authorize tokens need may have been typed, or (when editing) be in the keyring.
pub(super) fn check_fields(
    name: &str,
    api_base_url: &str,
    customer_id: &str,
    authorize_tokens: bool,
    has_secret_key: bool,
) -> Result<(), DeskError> {
    if name.trim().is_empty() {
        return Err(DeskError::Invalid("the environment needs a name".into()));
    }
    if customer_id.trim().is_empty() {
        return Err(DeskError::Invalid("the customerId is missing".into()));
    }
    check_secure_url("API base URL", api_base_url)?;
    Environment::new(api_base_url, customer_id)?;
    if authorize_tokens && !has_secret_key {
        return Err(DeskError::Invalid(
            "authorize tokens are bought with the secret key: enter it, or untick \"requires authorize tokens\"".into(),
        ));
    }
    Ok(())
}

/// A keyring entry and what it held before an edit wrote it.
type Previous = (String, Option<Secret>);

/// Writes each secret, returning what each replaced. If the keyring refuses one, those already
/// written are put back first, so a refused edit leaves the keyring as it found it.
fn replace_secrets(
    secrets: &dyn SecretStore,
    writes: &[(String, Secret)],
) -> Result<Vec<Previous>, DeskError> {
    // Every old value is read before any is written: a read that fails has changed nothing.
    let previous = writes
        .iter()
        .map(|(entry, _)| Ok((entry.clone(), secrets.get(entry)?)))
        .collect::<Result<Vec<Previous>, DeskError>>()?;
    for (written, (entry, value)) in writes.iter().enumerate() {
        if let Err(e) = secrets.set(entry, value) {
            put_back(secrets, &previous[..written]);
            return Err(e.into());
        }
    }
    Ok(previous)
}

fn put_back(secrets: &dyn SecretStore, previous: &[Previous]) {
    for (entry, old) in previous {
        let restored = match old {
            Some(value) => secrets.set(entry, value),
            None => secrets.delete(entry),
        };
        if let Err(e) = restored {
            // The entry's name, never its value.
            tracing::error!(error = %e, %entry, "a key replaced by a failed edit could not be put back");
        }
    }
}

impl Desk {
    /// Asks the environment something cheap that proves the URL, the customerId and the keys:
    /// with a secret key, an authorize token (GenerateAuthorizeToken); without, an Authorize for
    /// a loginId no one has, which a reachable Flinks refuses with `INVALID_LOGIN`. Returns what
    /// was proven, in words.
    pub async fn check_environment(&self, environment: &str) -> Result<String, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        self.require_confirmed(&env, "Testing the connection")?;
        if env.row.kind != EnvironmentKind::Builtin {
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

    /// Edits the toolbox or a private environment: its name, URL, customerId, production mark,
    /// authorize-token need, and the keys typed (blank ones stay as they are). The keyring is
    /// written first and the database after; if either refuses, both are left as they were. The
    /// environment's client is rebuilt at once, so the next call goes to the new URL with the new
    /// keys and is counted as billable or not by the new production mark. Its customers stay.
    /// The built-in sandbox cannot be edited: the desk sets it up anew at every start.
    pub fn update_environment(
        &self,
        environment: &str,
        edit: EnvironmentEdit,
    ) -> Result<EnvironmentView, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        if env.row.kind == EnvironmentKind::Builtin {
            return Err(DeskError::Invalid(
                "the built-in sandbox runs inside Flinks Desk and cannot be edited; add a private instance to reach another server".into(),
            ));
        }
        let typed = |value: &Option<Secret>| value.clone().filter(|v| !v.is_empty());
        let (secret_key, api_key) = (typed(&edit.secret_key), typed(&edit.api_key));
        let name = edit.name.trim();
        let url = api_base_url(&edit.api_base_url);
        // Keys saved for one server are not for another: a new scheme, host or port takes the
        // keys that were not typed again out of the keyring.
        let moved = !same_server(&env.row.api_base_url, &url);
        let has_secret_key = match (&secret_key, edit.authorize_tokens) {
            (Some(_), _) => true,
            // Only then does it matter whether the keyring already holds one.
            (None, true) => !moved && self.secrets.get(&secret_key_entry(&env.row.key))?.is_some(),
            (None, false) => false,
        };
        check_fields(
            name,
            &url,
            &edit.customer_id,
            edit.authorize_tokens,
            has_secret_key,
        )?;
        let mut row = EnvironmentRow {
            name: name.to_owned(),
            api_base_url: url,
            customer_id: edit.customer_id.trim().to_owned(),
            production: edit.production,
            authorize_tokens: edit.authorize_tokens,
            ..env.row.clone()
        };
        edit.settings.apply(&mut row)?;
        let writes: Vec<(String, Secret)> = [
            (secret_key_entry(&row.key), secret_key),
            (api_key_entry(&row.key), api_key),
        ]
        .into_iter()
        .filter_map(|(entry, value)| Some((entry, value?)))
        .collect();
        let mut previous = replace_secrets(&*self.secrets, &writes)?;
        let typed_secret_key = writes.iter().any(|(e, _)| *e == secret_key_entry(&row.key));
        let typed_api_key = writes.iter().any(|(e, _)| *e == api_key_entry(&row.key));
        if moved {
            let untyped = [
                (secret_key_entry(&row.key), typed_secret_key),
                (api_key_entry(&row.key), typed_api_key),
            ];
            for (entry, _) in untyped.iter().filter(|(_, typed)| !typed) {
                let cleared = self
                    .secrets
                    .get(entry)
                    .and_then(|old| self.secrets.delete(entry).map(|()| old));
                match cleared {
                    Ok(old) => previous.push((entry.clone(), old)),
                    Err(e) => {
                        put_back(&*self.secrets, &previous);
                        return Err(e.into());
                    }
                }
            }
        }
        // The client is built (reading the new x-api-key) before the row is written, so nothing
        // can fail between the database changing and the desk using what it says.
        let saved = self.connect(row.clone(), poll_of(&row)).and_then(|fresh| {
            if self.store.update_environment(&row)? {
                Ok(fresh)
            } else {
                Err(DeskError::Invalid(format!(
                    "no environment {environment:?}"
                )))
            }
        });
        let fresh = match saved {
            Ok(fresh) => Arc::new(fresh),
            Err(e) => {
                put_back(&*self.secrets, &previous);
                return Err(e);
            }
        };
        if let Some(slot) = self
            .envs
            .write()
            .expect("envs lock")
            .iter_mut()
            .find(|e| e.row.id == row.id)
        {
            *slot = fresh.clone();
        }
        tracing::info!(env = %row.key, keys = writes.len(), "environment edited");
        Ok(self.view(&fresh))
    }

    /// The ledger counted by environment (those with at least one call): the built-in sandbox
    /// first, then by name.
    pub fn ledger_totals(&self) -> Result<Vec<LedgerTotals>, DeskError> {
        Ok(self.store.ledger_totals()?)
    }

    /// Removes a private environment from the desk: its keys and its customers' loginIds leave
    /// the keyring, its customers and runs leave the database. Flinks keeps the customers' data
    /// (remove a customer first to have Flinks delete it). The built-in sandbox and the toolbox
    /// always stay.
    pub fn remove_environment(&self, environment: &str) -> Result<(), DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        if env.row.kind != EnvironmentKind::Private {
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

impl Desk {
    pub(super) fn view(&self, env: &Env) -> EnvironmentView {
        let builtin = env.row.kind == EnvironmentKind::Builtin;
        let mut keyring = KeyringState::Ok;
        // Read now, not when the client was built: the keyring may have been unlocked since.
        let mut has = |entry: String| match self.secrets.get(&entry) {
            Ok(value) => value.is_some(),
            Err(e) => {
                keyring = KeyringState::from(&e);
                false
            }
        };
        let (has_secret_key, has_api_key) = if builtin {
            (false, false)
        } else {
            (
                has(secret_key_entry(&env.row.key)),
                has(api_key_entry(&env.row.key)),
            )
        };
        EnvironmentView {
            key: env.row.key.clone(),
            name: env.row.name.clone(),
            kind: env.row.kind,
            api_base_url: env.row.api_base_url.clone(),
            customer_id: env.row.customer_id.clone(),
            production: env.row.production,
            offline: builtin,
            has_secret_key,
            has_api_key,
            keyring,
            authorize_tokens: env.row.authorize_tokens,
            iframe_url: env.row.iframe_url.clone(),
            poll_interval_secs: env.poll.interval.as_secs(),
            poll_max_wait_mins: env.poll.max_wait.as_secs() / 60,
        }
    }

    /// The built-in sandbox first, then the toolbox, then private instances.
    pub fn environments(&self) -> Vec<EnvironmentView> {
        let envs: Vec<Arc<Env>> = self.envs.read().expect("envs lock").clone();
        envs.iter().map(|e| self.view(e)).collect()
    }

    /// Adds a private Flinks instance. Its keys go to the keyring first: if the keyring refuses,
    /// nothing is saved.
    pub fn add_environment(&self, input: NewEnvironment) -> Result<EnvironmentView, DeskError> {
        let name = input.name.trim();
        let url = api_base_url(&input.api_base_url);
        let has_secret_key = input.secret_key.as_ref().is_some_and(|k| !k.is_empty());
        check_fields(
            name,
            &url,
            &input.customer_id,
            input.authorize_tokens,
            has_secret_key,
        )?;
        // Checked before anything is written, applied once the row exists.
        input.settings.apply(&mut EnvironmentRow::default())?;
        let key = uuid::Uuid::new_v4().to_string();
        let secrets = [
            (secret_key_entry(&key), input.secret_key),
            (api_key_entry(&key), input.api_key),
        ];
        for (entry, value) in &secrets {
            if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
                if let Err(e) = self.secrets.set(entry, value) {
                    for (written, _) in &secrets {
                        let _ = self.secrets.delete(written);
                    }
                    return Err(e.into());
                }
            }
        }
        let mut inserted = None;
        let saved = (|| {
            let id = self.store.upsert_environment(
                &key,
                name,
                EnvironmentKind::Private,
                &url,
                input.customer_id.trim(),
                input.production,
            )?;
            inserted = Some(id);
            self.store
                .set_authorize_tokens(id, input.authorize_tokens)?;
            let mut row = self
                .store
                .environments()?
                .into_iter()
                .find(|e| e.id == id)
                .ok_or_else(|| DeskError::Invalid("the environment was not saved".into()))?;
            input.settings.apply(&mut row)?;
            self.store.update_environment(&row)?;
            Ok::<_, DeskError>(Arc::new(self.connect(row.clone(), poll_of(&row))?))
        })();
        // An environment the database refused keeps no key in the keyring, nor half a row.
        let env = match saved {
            Ok(env) => env,
            Err(e) => {
                if let Some(id) = inserted {
                    let _ = self.store.delete_environment(id);
                }
                for (entry, _) in &secrets {
                    if let Err(left) = self.secrets.delete(entry) {
                        tracing::error!(error = %left, %entry, "a key of an environment not saved could not be removed");
                    }
                }
                return Err(e);
            }
        };
        let view = self.view(&env);
        self.envs.write().expect("envs lock").push(env);
        Ok(view)
    }

    /// The secret key that buys this environment's authorize tokens, when it requires them.
    pub(super) fn token_key(&self, env: &Env) -> Result<Option<Secret>, DeskError> {
        if !env.row.authorize_tokens {
            return Ok(None);
        }
        self.secrets
            .get(&secret_key_entry(&env.row.key))?
            .map(Some)
            .ok_or_else(|| {
                DeskError::Invalid(
                    "this environment requires authorize tokens, and its secret key is not in the keyring: edit the environment and enter its secret key".into(),
                )
            })
    }

    /// A single-use authorize token for one Authorize, when the environment requires them.
    pub(super) async fn fresh_authorize_token(
        &self,
        env: &Env,
    ) -> Result<Option<Secret>, DeskError> {
        match self.token_key(env)? {
            Some(key) => Ok(Some(env.client.generate_authorize_token(&key).await?)),
            None => Ok(None),
        }
    }

    pub(super) fn known_env(&self, environment: &str) -> Result<Arc<Env>, DeskError> {
        self.env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))
    }
}
