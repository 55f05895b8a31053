//! Reaching the team's PostgreSQL: the URL read into a connection's settings (TLS whenever the
//! host is not this machine), the URL as it may be shown, and the driver's errors as
//! [`TeamError`]s.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;

use crate::team::TeamError;

/// How long to wait for the server before calling it unreachable: a desk that cannot reach its
/// team works on its own file, and should know so quickly.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A team store URL read: the connection's settings, whether it goes over TLS, and the URL as it
/// may be shown (no password).
pub(super) struct Target {
    pub config: tokio_postgres::Config,
    pub tls: bool,
    /// `sslrootcert=`: the CA certificates (PEM) to trust instead of the public roots, for a
    /// team server with a certificate from the company's own CA.
    pub root_cert: Option<PathBuf>,
    pub at: String,
}

/// `postgres://user:password@host:port/db?sslmode=require`. A host other than this machine is
/// only ever reached over TLS, with the server's certificate checked against the usual public
/// roots (webpki-roots), or the CAs of `sslrootcert=/path/ca.pem`, and its name against the
/// host: the password and the team's records never travel in clear. Stricter than libpq, whose
/// `require` does not check the certificate.
pub(super) fn target(url: &str) -> Result<Target, TeamError> {
    let at = redacted(url);
    let bad = |why: &str| TeamError::BadUrl(format!("{at}: {why}"));
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err(bad("it must start with postgres://"));
    }
    let (host, loopback) = match parsed.host() {
        // postgres:// is not a scheme the URL standard knows, so an IPv4 address comes as a
        // name too.
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_owned();
            let loopback = name.eq_ignore_ascii_case("localhost")
                || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
            (name, loopback)
        }
        Some(url::Host::Ipv4(ip)) => (ip.to_string(), ip.is_loopback()),
        Some(url::Host::Ipv6(ip)) => {
            let loopback =
                ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback());
            (ip.to_string(), loopback)
        }
        None => return Err(bad("it names no host")),
    };
    let user = percent_decoded(parsed.username()).ok_or_else(|| bad("the user is not UTF-8"))?;
    if user.is_empty() {
        return Err(bad("it names no user"));
    }
    let mut config = tokio_postgres::Config::new();
    config
        .host(&host)
        .port(parsed.port().unwrap_or(5432))
        .user(&user)
        .application_name("flinks-desk")
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true);
    if let Some(password) = parsed.password() {
        let password = percent_decoded(password).ok_or_else(|| bad("the password is not UTF-8"))?;
        config.password(password);
    }
    let db = percent_decoded(parsed.path().trim_start_matches('/'))
        .ok_or_else(|| bad("the database name is not UTF-8"))?;
    config.dbname(if db.is_empty() { &user } else { &db });

    let mut tls = None;
    let mut root_cert = None;
    for (key, value) in parsed.query_pairs() {
        match &*key {
            "sslmode" => {
                tls = Some(match &*value {
                    "require" | "verify-ca" | "verify-full" => true,
                    "disable" | "allow" | "prefer" => false,
                    other => return Err(bad(&format!("sslmode={other} is not a mode"))),
                })
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(&*value)),
            "application_name" => {
                config.application_name(value.into_owned());
            }
            // The password belongs in the URL's user part, where it is never shown.
            other => return Err(bad(&format!("{other}= is not a setting this desk reads"))),
        }
    }
    // A CA to check the server against means TLS was meant.
    let tls = tls.unwrap_or(root_cert.is_some());
    if !tls && !loopback {
        return Err(TeamError::NeedsTls { at });
    }
    config.ssl_mode(if tls {
        SslMode::Require
    } else {
        SslMode::Disable
    });
    // The desk's queries are short; PostgreSQL's JIT compiles a query whose estimated cost passes
    // 100,000, which the team's history of ~12,000 runs does, or any read before the tables have
    // statistics: measured (team_sync bench) 165 ms compiling of a 230 ms read that runs in 42 ms.
    config.options("-c jit=off");
    Ok(Target {
        config,
        tls,
        root_cert,
        at,
    })
}

/// Checks a team store URL as [`super::PgTeamStore::connect`] would, without connecting.
pub fn check_url(url: &str) -> Result<(), TeamError> {
    target(url).map(|_| ())
}

/// The URL without its password (`postgres://desk@host:5432/team`), for errors, logs and the
/// screen. Works on any text, a URL that does not parse included: whatever stands between `:`
/// and the last `@` before the path, and a `password=` parameter, go.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    // The user part ends at the last `@` before the query: a password may hold `/` or `@`
    // unescaped, and a redaction must hold for a URL a parser would refuse.
    let query_start = rest.find(['?', '#']).unwrap_or(rest.len());
    let (before_query, query) = rest.split_at(query_start);
    let mut out = String::from(scheme);
    match before_query.rfind('@') {
        Some(at) => {
            let userinfo = &before_query[..at];
            out.push_str(userinfo.split(':').next().unwrap_or(""));
            out.push_str(&before_query[at..]);
        }
        None => out.push_str(before_query),
    }
    if let Some(params) = query.strip_prefix('?') {
        let (params, fragment) = params.split_at(params.find('#').unwrap_or(params.len()));
        let kept: Vec<&str> = params
            .split('&')
            .filter(|p| !p.to_ascii_lowercase().starts_with("password"))
            .collect();
        if !kept.is_empty() && kept != [""] {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
        out.push_str(fragment);
    } else {
        out.push_str(query);
    }
    out
}

/// `%XX` escapes decoded; `None` when the bytes are not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h)? * 16 + hex(l)?) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// TLS as rustls does it for the rest of the app: the ring provider (the one compiled in for
/// reqwest), TLS 1.2 and 1.3, the webpki roots or the target's own CAs.
pub(super) fn tls_connector(
    target: &Target,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, TeamError> {
    let mut roots = rustls::RootCertStore::empty();
    match &target.root_cert {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let bad = |why: String| {
                TeamError::BadUrl(format!(
                    "{}: sslrootcert {}: {why}",
                    target.at,
                    path.display()
                ))
            };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| bad(e.to_string()))?;
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(bad("it holds no certificate".into()));
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TeamError::Database(format!("TLS cannot be set up: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The driver's error as the team store's. The server's messages never hold a password, and
/// neither does the driver's text; `at` is already redacted.
pub(super) fn pg_error(at: &str, e: tokio_postgres::Error) -> TeamError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return TeamError::Refused { at: at.to_owned() };
        }
        if *code == SqlState::UNDEFINED_TABLE {
            return TeamError::NotSetUp;
        }
        // Shut down under us, starting up, or out of connections: try again later.
        if code.code().starts_with("08")
            || code.code().starts_with("57P")
            || *code == SqlState::TOO_MANY_CONNECTIONS
        {
            return unreachable(at, db.message());
        }
        return TeamError::Database(format!("{} (SQLSTATE {})", db.message(), code.code()));
    }
    let mut reason = e.to_string();
    let mut io = false;
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        io |= inner.is::<std::io::Error>();
        reason = format!("{reason}: {inner}");
        source = inner.source();
    }
    // Connecting, TLS, timeouts and a connection gone are the network's doing; a value that
    // does not convert is ours.
    let network = io
        || e.is_closed()
        || reason.starts_with("error connecting")
        || reason.starts_with("timeout")
        || reason.starts_with("error performing TLS")
        || reason.starts_with("server does not support TLS")
        || reason.starts_with("unexpected EOF")
        || reason.starts_with("error communicating");
    if network {
        unreachable(at, &reason)
    } else {
        TeamError::Database(reason)
    }
}

pub(super) fn pool_error(at: &str, e: deadpool_postgres::PoolError) -> TeamError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => pg_error(at, e),
        deadpool_postgres::PoolError::Timeout(_) => unreachable(at, "no answer in time"),
        other => TeamError::Database(other.to_string()),
    }
}

pub(super) fn unreachable(at: &str, reason: &str) -> TeamError {
    TeamError::Unreachable {
        at: at.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_drops_the_password_and_keeps_the_rest() {
        let cases = [
            (
                "postgres://desk:s3cret@db.example.com:5432/team?sslmode=require",
                "postgres://desk@db.example.com:5432/team?sslmode=require",
            ),
            (
                "postgres://desk@localhost/team",
                "postgres://desk@localhost/team",
            ),
            ("postgres://localhost/team", "postgres://localhost/team"),
            // Unescaped / and @ in the password, which no parser accepts.
            (
                "postgres://desk:pa/ss@w0rd@host/team",
                "postgres://desk@host/team",
            ),
            (
                "postgres://desk:p%40ss@[::1]:6543/t",
                "postgres://desk@[::1]:6543/t",
            ),
            (
                "postgres://desk@host/team?password=s3cret&sslmode=require",
                "postgres://desk@host/team?sslmode=require",
            ),
            (
                "postgres://desk@host/team?PASSWORD=s3cret",
                "postgres://desk@host/team",
            ),
            ("desk:s3cret@host", "desk@host"),
            ("not a url s3cret", "not a url s3cret"),
        ];
        for (url, want) in cases {
            assert_eq!(redacted(url), want, "{url}");
        }
    }

    #[test]
    fn no_error_of_a_bad_url_holds_its_password() {
        for url in [
            "postgres://desk:s3cret@db.example.com/team",
            "postgres://desk:s3cret@db.example.com/team?sslmode=bogus",
            "postgres://desk:s3cret@db.example.com/team?password=s3cret",
            "mysql://desk:s3cret@localhost/team",
            "postgres://desk:s3cret@/team",
            "postgres://desk:s3cret@local host/team",
        ] {
            let err = check_url(url).expect_err(url);
            assert!(!err.to_string().contains("s3cret"), "{err}");
            assert!(!format!("{err:?}").contains("s3cret"), "{err:?}");
        }
    }

    #[test]
    fn only_loopback_goes_without_tls() {
        for url in [
            "postgres://desk:pw@localhost/team",
            "postgres://desk:pw@LOCALHOST:5433/team",
            "postgres://desk:pw@127.0.0.1/team",
            "postgres://desk:pw@127.8.9.10/team",
            "postgres://desk:pw@[::1]/team",
            "postgres://desk:pw@[::ffff:127.0.0.1]/team",
            "postgres://desk:pw@localhost/team?sslmode=disable",
        ] {
            let t = target(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!t.tls, "{url}");
            assert_eq!(t.config.get_ssl_mode(), SslMode::Disable);
        }
        for url in [
            "postgres://desk:pw@db.example.com/team",
            "postgres://desk:pw@10.0.0.5/team?sslmode=prefer",
            "postgres://desk:pw@192.168.1.2/team?sslmode=disable",
            "postgres://desk:pw@[2001:db8::1]/team",
            // A name that resolves to this machine is still a name: only the literal ones count.
            "postgres://desk:pw@localhost.example.com/team",
            "postgres://desk:pw@127.0.0.1.nip.io/team",
        ] {
            assert!(
                matches!(target(url), Err(TeamError::NeedsTls { ref at }) if !at.contains("pw")),
                "{url}"
            );
        }
        for url in [
            "postgres://desk:pw@db.example.com/team?sslmode=require",
            "postgresql://desk:pw@10.0.0.5:6543/team?sslmode=verify-full",
            "postgres://desk:pw@localhost/team?sslmode=require",
        ] {
            let t = target(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(t.tls, "{url}");
            assert_eq!(t.config.get_ssl_mode(), SslMode::Require);
        }
    }

    #[test]
    fn the_url_gives_the_connection_its_settings() {
        let t = target("postgres://de%20sk:p%40ss@db.example.com:6543/te%2Fam?sslmode=require")
            .unwrap();
        assert_eq!(t.config.get_user(), Some("de sk"));
        assert_eq!(t.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(t.config.get_dbname(), Some("te/am"));
        assert_eq!(t.config.get_ports(), [6543]);
        assert_eq!(t.config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        assert_eq!(
            t.at,
            "postgres://de%20sk@db.example.com:6543/te%2Fam?sslmode=require"
        );
        let t = target("postgres://desk@localhost").unwrap();
        assert_eq!(t.config.get_dbname(), Some("desk"));
        assert_eq!(t.config.get_ports(), [5432]);
    }

    #[test]
    fn tls_can_be_set_up() {
        let public = target("postgres://desk@db.example.com/team?sslmode=require").unwrap();
        tls_connector(&public).unwrap();
        // Its own CA: TLS without saying sslmode, and a file that holds none refused.
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not a certificate").unwrap();
        let url = format!(
            "postgres://desk@db.example.com/team?sslrootcert={}",
            empty.display()
        );
        let own = target(&url).unwrap();
        assert!(own.tls);
        assert!(matches!(tls_connector(&own), Err(TeamError::BadUrl(_))));
    }
}
