use std::fmt;

/// A loginId: the permanent key to a customer's bank connection. It prints as `LoginId(…abcd)`,
/// has no `Display` and no `Serialize`, so it cannot reach a log line, a UI or a file by accident;
/// [`LoginId::expose`] is the one way out, for the request that needs it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LoginId(String);

impl LoginId {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, which is all a screen or a database may show.
    pub fn last4(&self) -> &str {
        last4(&self.0)
    }
}

impl fmt::Debug for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginId(…{})", self.last4())
    }
}

impl<'de> serde::Deserialize<'de> for LoginId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(LoginId::new)
    }
}

/// A secret key, x-api-key or authorize token. Same rules as [`LoginId`], and not even the tail shows.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

pub(crate) fn last4(s: &str) -> &str {
    let start = s.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &s[start..]
}

/// Replaces every occurrence of each secret in `text` with a mask, case-insensitively since
/// servers may echo a GUID in another case.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        let lower_secret = secret.to_lowercase();
        loop {
            let lower = out.to_lowercase();
            // Lower-casing can change byte lengths outside ASCII; only splice when it did not.
            if lower.len() != out.len() {
                out = out.replace(secret, "…");
                break;
            }
            match lower.find(&lower_secret) {
                Some(at) => {
                    out.replace_range(at..at + secret.len(), &format!("…{}", last4(secret)))
                }
                None => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_id_debug_shows_only_the_tail() {
        let id = LoginId::new("5e115eac-1209-4f19-641c-08d6d484e2fe");
        let printed = format!("{id:?}");
        assert_eq!(printed, "LoginId(…e2fe)");
        assert!(!printed.contains("5e115eac"));
    }

    #[test]
    fn secret_debug_shows_nothing() {
        let s = Secret::new("c4569c54-e167-4d34-8de6-f4113bc82414");
        assert_eq!(format!("{s:?}"), "Secret(…)");
    }

    #[test]
    fn scrub_masks_every_case_variant() {
        let id = "5e115eac-1209-4f19-641c-08d6d484e2fe";
        let text = format!("no card {} and {}", id, id.to_uppercase());
        let clean = scrub(&text, &[id]);
        assert!(!clean.to_lowercase().contains("5e115eac"), "{clean}");
        assert_eq!(clean, "no card …e2fe and …e2fe");
    }

    #[test]
    fn last4_of_short_and_unicode_strings() {
        assert_eq!(last4("ab"), "ab");
        assert_eq!(last4("héllo"), "éllo");
    }
}
