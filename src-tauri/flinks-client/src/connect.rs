//! Flinks Connect (flinks-api.md §5.2): the iframe URL that lets a customer link their bank, and
//! the redirect it ends with (`?loginId=…&institution=…` or `?error=…&error_description=…`).

use url::Url;

use crate::error::{FlinksCode, FlinksError};
use crate::secret::{LoginId, Secret};
use crate::Result;

/// The parameters of the Connect URL besides the token and the redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `demo=true` shows Flinks Capital, the test institution.
    pub demo: bool,
    /// `en` or `fr`.
    pub language: Option<String>,
    /// A label Flinks attaches to the connection.
    pub tag: Option<String>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            demo: true,
            language: None,
            tag: None,
        }
    }
}

/// `{iframe_base}/v2/?authorizeToken=…&redirectUrl=…&demo=true&language=…&tag=…`. The URL holds
/// the authorize token: hand it to the webview, not to a log.
pub fn connect_url(
    iframe_base: &str,
    authorize_token: &Secret,
    redirect_url: &str,
    options: &ConnectOptions,
) -> Result<Url> {
    let not_a_url = |what: &str, e: url::ParseError| {
        FlinksError::Transport(format!("the {what} is not an http(s) URL ({e})"))
    };
    let mut url = Url::parse(iframe_base.trim()).map_err(|e| not_a_url("iframe base URL", e))?;
    let redirect = Url::parse(redirect_url.trim()).map_err(|e| not_a_url("redirect URL", e))?;
    for (what, u) in [("iframe base URL", &url), ("redirect URL", &redirect)] {
        if !matches!(u.scheme(), "http" | "https") {
            return Err(FlinksError::Transport(format!(
                "the {what} must start with https:// (got {}://)",
                u.scheme()
            )));
        }
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let path = if path.ends_with("/v2") {
        format!("{path}/")
    } else {
        format!("{path}/v2/")
    };
    url.set_path(&path);
    url.set_query(None);
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("authorizeToken", authorize_token.expose())
            .append_pair("redirectUrl", redirect.as_str())
            .append_pair("demo", if options.demo { "true" } else { "false" });
        if let Some(language) = &options.language {
            query.append_pair("language", language);
        }
        if let Some(tag) = &options.tag {
            query.append_pair("tag", tag);
        }
    }
    Ok(url)
}

/// A customer linked their bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOutcome {
    pub login_id: LoginId,
    pub institution: String,
}

/// Connect ended without a login: Flinks' `error` (a FlinksCode) and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Flinks Connect ended with {error}: {description}")]
pub struct ConnectError {
    pub error: String,
    pub description: String,
}

impl ConnectError {
    pub fn code(&self) -> FlinksCode {
        FlinksCode::parse(&self.error)
    }

    pub fn hint(&self) -> &'static str {
        match self.code() {
            FlinksCode::Other(_) | FlinksCode::None => {
                "Connect did not finish. Open it again, and check that the redirect URL is the one the desk gave."
            }
            code => code.hint(),
        }
    }
}

/// Reads the URL Connect redirected to. Parameter names match in any case.
pub fn parse_connect_redirect(url: &str) -> std::result::Result<ConnectOutcome, ConnectError> {
    let url = redirect_url(url)?;
    Ok(ConnectOutcome {
        login_id: login_or_error(&url)?,
        institution: query_param(&url, "institution").unwrap_or_default(),
    })
}

/// A customer signed in through the OAuth page of a custom integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthOutcome {
    pub login_id: LoginId,
    pub state: String,
}

/// Reads the URL the OAuth sign-in (`BankingServices/OAuth/Authorize`, see
/// [`crate::FlinksClient::oauth_authorize_url`]) redirected to: `?loginId=…&state=…` or
/// `?state=…&error=access_denied&error_description=…`. A `state` other than `expected_state`
/// means the redirect was not started by this sign-in (CSRF): it is refused with
/// `STATE_MISMATCH` before anything else in it is believed.
pub fn parse_oauth_redirect(
    url: &str,
    expected_state: &str,
) -> std::result::Result<OAuthOutcome, ConnectError> {
    let url = redirect_url(url)?;
    let state = query_param(&url, "state").unwrap_or_default();
    if state != expected_state {
        return Err(ConnectError {
            error: "STATE_MISMATCH".into(),
            description: "The redirect's state is not the one this sign-in sent, so it may be forged; it is refused.".into(),
        });
    }
    Ok(OAuthOutcome {
        login_id: login_or_error(&url)?,
        state,
    })
}

fn invalid_redirect(description: &str) -> ConnectError {
    ConnectError {
        error: "INVALID_REDIRECT".into(),
        description: description.into(),
    }
}

/// The URL may carry a loginId: it never appears in the error.
fn redirect_url(url: &str) -> std::result::Result<Url, ConnectError> {
    Url::parse(url.trim()).map_err(|_| invalid_redirect("The redirect is not a URL."))
}

/// A query parameter by name in any case, trimmed; empty counts as absent.
fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The redirect's `error` (with `error_description`), else its `loginId`.
fn login_or_error(url: &Url) -> std::result::Result<LoginId, ConnectError> {
    if let Some(error) = query_param(url, "error") {
        return Err(ConnectError {
            error,
            description: query_param(url, "error_description").unwrap_or_default(),
        });
    }
    query_param(url, "loginId")
        .map(LoginId::new)
        .ok_or_else(|| invalid_redirect("The redirect carries neither a loginId nor an error."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_has_the_documented_parameters_encoded() {
        let options = ConnectOptions {
            language: Some("fr".into()),
            tag: Some("desk & co".into()),
            ..ConnectOptions::default()
        };
        let token = Secret::new("d65f1adb-8ebc-48dc-be8b-20c773ba1565");
        for base in [
            "https://toolbox-iframe.private.fin.ag",
            "https://toolbox-iframe.private.fin.ag/",
            "https://toolbox-iframe.private.fin.ag/v2/",
        ] {
            let url = connect_url(base, &token, "https://app.test/done?x=1", &options).unwrap();
            assert_eq!(
                url.as_str(),
                "https://toolbox-iframe.private.fin.ag/v2/?authorizeToken=d65f1adb-8ebc-48dc-be8b-20c773ba1565&redirectUrl=https%3A%2F%2Fapp.test%2Fdone%3Fx%3D1&demo=true&language=fr&tag=desk+%26+co"
            );
        }
        assert!(connect_url("ftp://x", &token, "https://a.test", &options).is_err());
        let err = connect_url("https://x.test", &token, "javascript:alert(1)", &options)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("d65f1adb"), "{err}");
    }

    #[test]
    fn redirects_give_the_login_or_the_error() {
        let ok = parse_connect_redirect(
            "https://app.test/done?loginId=8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31&institution=FlinksCapital",
        )
        .unwrap();
        assert_eq!(ok.login_id.expose(), "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31");
        assert_eq!(ok.institution, "FlinksCapital");

        let err = parse_connect_redirect(
            "https://app.test/done?error=DISABLED_LOGIN&error_description=This%20account%20is%20disabled",
        )
        .unwrap_err();
        assert_eq!(err.code(), FlinksCode::DisabledLogin);
        assert_eq!(err.description, "This account is disabled");
        assert!(err.hint().contains("disabled"));

        let nothing = parse_connect_redirect("https://app.test/done").unwrap_err();
        assert_eq!(nothing.error, "INVALID_REDIRECT");
        let garbage = parse_connect_redirect("not a url 8b35f6c8").unwrap_err();
        assert!(!garbage.to_string().contains("8b35f6c8"));
    }

    #[test]
    fn oauth_redirects_give_the_login_or_the_error_for_the_expected_state_only() {
        let id = "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31";
        let ok = parse_oauth_redirect(
            &format!("https://app.test/cb?loginId={id}&state=s%201"),
            "s 1",
        )
        .unwrap();
        assert_eq!(ok.login_id.expose(), id);
        assert_eq!(ok.state, "s 1");

        let denied = parse_oauth_redirect(
            "https://app.test/cb?error=access_denied&error_description=The%20customer%20cancelled&state=s1",
            "s1",
        )
        .unwrap_err();
        assert_eq!(denied.error, "access_denied");
        assert_eq!(denied.description, "The customer cancelled");

        for forged in [
            format!("https://app.test/cb?loginId={id}&state=other"),
            format!("https://app.test/cb?loginId={id}"),
            "https://app.test/cb?error=access_denied&state=other".to_owned(),
        ] {
            let err = parse_oauth_redirect(&forged, "s1").unwrap_err();
            assert_eq!(err.error, "STATE_MISMATCH", "{forged}");
            assert!(!err.to_string().contains("8b35f6c8"), "{err}");
        }
        let nothing = parse_oauth_redirect("https://app.test/cb?state=s1", "s1").unwrap_err();
        assert_eq!(nothing.error, "INVALID_REDIRECT");
    }
}
