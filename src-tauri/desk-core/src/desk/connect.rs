//! Adding a customer through Flinks Connect: the desk buys an authorize token, the app shows the
//! Connect page in a window of its own, and the redirect it ends with goes straight back here.
//! The loginId travels from that redirect to the keyring without passing through the main
//! window's page.

use flinks_client::{parse_connect_redirect, ConnectOptions, Url};

use super::{secret_key_entry, Desk};
use crate::store::EnvironmentKind;
use crate::{CustomerView, DeskError};

/// Where Connect is told to send the customer at the end. `.invalid` never resolves (RFC 2606):
/// the app stops the navigation and reads the URL, so nothing is ever loaded from it.
pub const CONNECT_REDIRECT: &str = "https://flinks-desk.invalid/connect-done";

/// `https://acme-api.private.fin.ag` → `https://acme-iframe.private.fin.ag/v2/` (flinks-api.md §5.2).
/// Any other host (a Flinks Capital sandbox, a proxy) serves Connect beside its API, at `/v2/`.
fn iframe_base(api_base_url: &str) -> Option<String> {
    let url = Url::parse(api_base_url).ok()?;
    let host = url.host_str()?;
    match host.split_once("-api.") {
        Some((instance, rest)) => Some(format!("{}://{instance}-iframe.{rest}/v2/", url.scheme())),
        None => Some(format!("{}/v2/", url.as_str().trim_end_matches('/'))),
    }
}

impl Desk {
    /// The Connect URL of an environment, with a fresh single-use authorize token in it (so it
    /// is handed to the Connect window only, never logged or stored).
    pub async fn connect_url(&self, environment: &str) -> Result<Url, DeskError> {
        let env = self
            .env(environment)
            .ok_or_else(|| DeskError::UnknownEnvironment(environment.to_owned()))?;
        self.require_confirmed(&env, "Connecting a customer")?;
        let (iframe, key) = if env.row.kind == EnvironmentKind::Builtin {
            (
                format!("{}/v2/", self.sandbox.base_url()),
                flinks_client::Secret::new(self.sandbox.config().secret_key.clone()),
            )
        } else {
            let iframe = env
                .row
                .iframe_url
                .clone()
                .or_else(|| iframe_base(&env.row.api_base_url))
                .ok_or_else(|| {
                    DeskError::Invalid("the environment's API base URL is not a URL".into())
                })?;
            let key = self
                .secrets
                .get(&secret_key_entry(&env.row.key))?
                .ok_or_else(|| {
                    DeskError::Invalid(
                        "Connect needs an authorize token, bought with the environment's secret key: add the environment again with its secret key".into(),
                    )
                })?;
            (iframe, key)
        };
        let token = env.client.generate_authorize_token(&key).await?;
        Ok(flinks_client::connect_url(
            &iframe,
            &token,
            CONNECT_REDIRECT,
            &ConnectOptions {
                // Production shows the customer's real banks, not Flinks' test institution.
                demo: !env.row.production,
                ..ConnectOptions::default()
            },
        )?)
    }

    /// Adds the customer Connect ended with (`redirect` is the URL it sent the window to). An
    /// empty `label` becomes "Connected customer …abcd".
    pub fn add_customer_from_connect(
        &self,
        environment: &str,
        label: &str,
        redirect: &str,
    ) -> Result<CustomerView, DeskError> {
        let outcome = parse_connect_redirect(redirect)?;
        self.add_login(
            environment,
            label,
            "Connected customer",
            &outcome.login_id,
            &outcome.institution,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::iframe_base;

    #[test]
    fn the_iframe_follows_the_instance_name() {
        assert_eq!(
            iframe_base("https://toolbox-api.private.fin.ag").as_deref(),
            Some("https://toolbox-iframe.private.fin.ag/v2/")
        );
        assert_eq!(
            iframe_base("https://acme-api.private.fin.ag/").as_deref(),
            Some("https://acme-iframe.private.fin.ag/v2/")
        );
        assert_eq!(
            iframe_base("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080/v2/")
        );
        assert_eq!(iframe_base("not a url"), None);
    }
}
