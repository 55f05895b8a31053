//! The sandbox's stand-in for the Flinks Connect iframe (flinks-api.md §5.2): one HTML page, no
//! external resources, that signs in to Flinks Capital through the sandbox's own `/Authorize`
//! (answering the security question when one is asked) and then sends the browser to
//! `{redirectUrl}?loginId=…&institution=FlinksCapital`, or `?error=…&error_description=…`.
//! Wrong credentials and wrong answers are retried on the page, as Connect does.

use serde_json::json;

/// What the page needs: where to post, where to go, and authorize tokens for its own calls.
pub struct Page<'a> {
    pub authorize_path: &'a str,
    pub redirect_url: &'a str,
    pub tokens: &'a [String],
    pub french: bool,
    pub tag: Option<&'a str>,
}

/// `url` with `params` appended to its query, percent-encoded.
pub fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut out = url.to_owned();
    for (i, (name, value)) in params.iter().enumerate() {
        let sep = if i == 0 && !url.contains('?') {
            '?'
        } else {
            '&'
        };
        out.push(sep);
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// `url` if it can be sent back to: an absolute http(s) URL without spaces or control characters.
pub fn redirect_target(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let clean = !rest.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    clean.then_some(url)
}

/// `text` safe inside HTML text and double- or single-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The start of both pages, through the Flinks Capital heading: self-contained, no external
/// resources.
fn head(lang: &str, title: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flinks Capital — {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 24rem; margin: 2rem auto; padding: 0 1rem; }}
label {{ display: block; margin: .6rem 0; }}
input {{ display: block; width: 100%; padding: .4rem; box-sizing: border-box; }}
button {{ margin-top: .8rem; padding: .5rem 1rem; }}
#error {{ color: #b00020; }}
</style>
</head>
<body>
<h1>Flinks Capital</h1>
<p>{title} (sandbox)</p>
"#
    )
}

/// The OAuth sign-in page (see `super::oauth_page`): a plain form posted back to `action`,
/// asking for username and password, or for the answer to `question` (its RequestId and prompt).
pub struct OAuthPage<'a> {
    pub action: &'a str,
    pub redirect_url: &'a str,
    pub state: Option<&'a str>,
    pub question: Option<(&'a str, &'a str)>,
    pub error: Option<&'a str>,
}

pub fn oauth_html(page: &OAuthPage) -> String {
    let mut hidden = vec![
        ("redirect_url", page.redirect_url),
        ("institution", "FlinksCapital"),
    ];
    hidden.extend(page.state.map(|s| ("state", s)));
    let fields = match page.question {
        Some((request_id, prompt)) => {
            hidden.push(("request_id", request_id));
            format!(
                r#"<label>{}<input name="answer" autocomplete="off"></label>"#,
                escape(prompt)
            )
        }
        None => concat!(
            r#"<label>Username<input name="username" autocomplete="off"></label>"#,
            "\n",
            r#"<label>Password<input name="password" type="password"></label>"#
        )
        .to_owned(),
    };
    let hidden: String = hidden
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(value)
            )
        })
        .collect();
    format!(
        r#"{head}<form method="post" action="{action}">
{hidden}{fields}
<button name="action" value="sign_in">Sign in</button>
<button name="action" value="cancel">Cancel</button>
</form>
<p id="error" role="alert">{error}</p>
</body>
</html>
"#,
        head = head("en", "Sign in"),
        action = escape(page.action),
        error = escape(page.error.unwrap_or_default()),
    )
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The page. Its settings travel as JSON in a non-executed script element, with `<` escaped so
/// that nothing in them can close the element.
pub fn html(page: &Page) -> String {
    let (title, username, password, next) = if page.french {
        (
            "Connexion",
            "Nom d'utilisateur",
            "Mot de passe",
            "Continuer",
        )
    } else {
        ("Sign in", "Username", "Password", "Continue")
    };
    let config = json!({
        "authorizePath": page.authorize_path,
        "redirectUrl": page.redirect_url,
        "tokens": page.tokens,
        "language": if page.french { "fr" } else { "en" },
        "tag": page.tag,
    })
    .to_string()
    .replace('<', "\\u003c");
    let lang = if page.french { "fr" } else { "en" };
    format!(
        r#"{head}<form id="signin">
<label>{username}<input name="username" autocomplete="off" required></label>
<label>{password}<input name="password" type="password" required></label>
<button>{next}</button>
</form>
<form id="mfa" hidden>
<label><span id="prompt"></span><input name="answer" autocomplete="off" required></label>
<button>{next}</button>
</form>
<p id="error" role="alert"></p>
<script id="config" type="application/json">{config}</script>
<script>
"use strict";
const cfg = JSON.parse(document.getElementById("config").textContent);
// Without tokens (the sandbox does not require them) retries never run out.
const tokenless = cfg.tokens.length === 0;
const $ = (id) => document.getElementById(id);
let requestId = null;
let prompt = null;

function finish(params) {{
  const url = new URL(cfg.redirectUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (params.loginId) {{
    window.parent.postMessage({{ step: "REDIRECT", institution: params.institution, url: url.toString() }}, "*");
  }}
  window.location.assign(url.toString());
}}

async function authorize(body) {{
  const headers = {{ "Content-Type": "application/json", "Accept": "application/json" }};
  const token = cfg.tokens.shift();
  if (token) headers["flinks-auth-key"] = token;
  if (cfg.tag) body.Tag = cfg.tag;
  let status = 0, reply = {{}};
  try {{
    const r = await fetch(cfg.authorizePath, {{ method: "POST", headers, body: JSON.stringify(body) }});
    status = r.status;
    reply = await r.json();
  }} catch (e) {{
    reply = {{ FlinksCode: "RETRY_LATER", Message: String(e) }};
  }}
  if (status === 200) return finish({{ loginId: reply.Login.Id, institution: reply.Institution }});
  if (status === 203) {{
    requestId = reply.RequestId;
    prompt = reply.SecurityChallenges[0].Prompt;
    $("prompt").textContent = prompt;
    $("signin").hidden = true;
    $("mfa").hidden = false;
    $("error").textContent = "";
    return;
  }}
  if ((tokenless || cfg.tokens.length > 0) && ["INVALID_LOGIN", "INVALID_SECURITY_RESPONSE"].includes(reply.FlinksCode)) {{
    $("error").textContent = reply.Message;
    return;
  }}
  finish({{ error: reply.FlinksCode || "AGGREGATION_ERROR", error_description: reply.Message || "" }});
}}

$("signin").addEventListener("submit", (e) => {{
  e.preventDefault();
  const f = e.target.elements;
  authorize({{
    Institution: "FlinksCapital",
    Username: f.username.value,
    Password: f.password.value,
    MostRecentCached: false,
    Save: true,
    Language: cfg.language,
  }});
}});

$("mfa").addEventListener("submit", (e) => {{
  e.preventDefault();
  authorize({{ RequestId: requestId, SecurityResponses: {{ [prompt]: [e.target.elements.answer.value] }} }});
}});
</script>
</body>
</html>
"#,
        head = head(lang, title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_appended_and_encoded() {
        assert_eq!(
            with_query("https://x.test/done", &[("error", "A B"), ("d", "é&")]),
            "https://x.test/done?error=A%20B&d=%C3%A9%26"
        );
        assert_eq!(
            with_query("https://x.test/done?s=1", &[("loginId", "ab-1")]),
            "https://x.test/done?s=1&loginId=ab-1"
        );
    }

    #[test]
    fn redirect_targets_are_absolute_http_urls() {
        assert!(redirect_target("https://app.test/cb?x=1").is_some());
        for bad in [
            "",
            "https://",
            "javascript:alert(1)",
            "/cb",
            "https://a.test/ x",
        ] {
            assert!(redirect_target(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_oauth_page_escapes_what_it_echoes() {
        let page = oauth_html(&OAuthPage {
            action: "/v3/c/BankingServices/OAuth/Authorize",
            redirect_url: "https://x.test/\"><script>",
            state: Some("<s>"),
            question: Some(("r-1", "What <b>?")),
            error: Some("bad & wrong"),
        });
        assert!(!page.contains("<script>") && !page.contains("<s>") && !page.contains("<b>"));
        assert!(page.contains("What &lt;b&gt;?") && page.contains("bad &amp; wrong"));
        assert!(page.contains(r#"name="request_id" value="r-1""#));
    }

    #[test]
    fn settings_cannot_close_the_script_element() {
        let page = html(&Page {
            authorize_path: "/v3/c/BankingServices/Authorize",
            redirect_url: "https://x.test/</script><script>alert(1)</script>",
            tokens: &[],
            french: false,
            tag: None,
        });
        assert_eq!(page.matches("</script>").count(), 2, "{page}");
    }
}
