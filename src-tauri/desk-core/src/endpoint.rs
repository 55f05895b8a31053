//! Where an environment's credentials may travel: over TLS to the host they were meant for. An
//! API or Connect URL must be `https://`, except on this machine's loopback (the built-in
//! sandbox, a local proxy) where nothing crosses a network; and it may not carry a user or
//! password of its own, which would travel beside the keys and show in logs.

use std::net::IpAddr;

use flinks_client::Url;

use crate::DeskError;

/// Checks `url` (typed into the field `field`) and says what is wrong in words.
pub fn check_secure_url(field: &str, url: &str) -> Result<(), DeskError> {
    let parsed = Url::parse(url.trim()).map_err(|_| {
        DeskError::Invalid(format!(
            "the {field} is not a web address: it must start with https://"
        ))
    })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(DeskError::Invalid(format!(
            "the {field} may not hold a user name or password (user:password@…): keys go in their own fields, to the keyring"
        )));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(DeskError::Invalid(format!(
            "the {field} must be https:// : keys and loginIds are never sent in clear text (http:// is accepted only for this computer, 127.0.0.1 or localhost)"
        ))),
        other => Err(DeskError::Invalid(format!(
            "the {field} must be an https:// address, not {other}:"
        ))),
    }
}

/// Whether two URLs reach the same server (scheme, host and port): keys saved for one are
/// never sent to the other without being typed again.
pub fn same_server(a: &str, b: &str) -> bool {
    let origin = |u: &str| {
        Url::parse(u.trim()).ok().map(|u| {
            (
                u.scheme().to_owned(),
                u.host_str().map(str::to_ascii_lowercase),
                u.port_or_known_default(),
            )
        })
    };
    match (origin(a), origin(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// This machine: 127.0.0.0/8, ::1, or the name `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(url: &str) -> bool {
        check_secure_url("API base URL", url).is_ok()
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(accepted("https://acme-api.private.fin.ag"));
        assert!(accepted("https://10.0.0.8:8443/"));
        for local in [
            "http://127.0.0.1:8787",
            "http://127.10.0.3",
            "http://localhost:9000/",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(accepted(local), "{local}");
        }
        for clear in [
            "http://acme-api.private.fin.ag",
            "http://10.0.0.8",
            "http://128.0.0.1",
            "http://localhost.evil.example",
            "http://[::2]",
        ] {
            let err = check_secure_url("API base URL", clear).unwrap_err();
            assert!(
                err.to_string().contains("must be https://"),
                "{clear}: {err}"
            );
        }
    }

    #[test]
    fn the_same_server_is_the_same_scheme_host_and_port() {
        assert!(same_server(
            "https://acme-api.private.fin.ag",
            "https://ACME-api.private.fin.ag:443/v3/"
        ));
        assert!(same_server(
            "http://127.0.0.1:8787/a",
            "http://127.0.0.1:8787/b"
        ));
        for other in [
            "http://acme-api.private.fin.ag",
            "https://acme-api.private.fin.ag:8443",
            "https://evil-api.private.fin.ag",
        ] {
            assert!(
                !same_server("https://acme-api.private.fin.ag", other),
                "{other}"
            );
        }
    }

    #[test]
    fn a_url_with_credentials_or_another_scheme_is_refused() {
        for bad in [
            "https://user:pw@acme-api.private.fin.ag",
            "https://user@acme-api.private.fin.ag",
            "http://user:pw@127.0.0.1:8787",
        ] {
            let err = check_secure_url("API base URL", bad).unwrap_err();
            assert!(
                err.to_string().contains("user name or password"),
                "{bad}: {err}"
            );
            assert!(
                !err.to_string().contains("pw"),
                "the typed password is not repeated"
            );
        }
        assert!(!accepted("ftp://acme-api.private.fin.ag"));
        assert!(!accepted("acme-api.private.fin.ag"));
        assert!(!accepted(""));
    }
}
