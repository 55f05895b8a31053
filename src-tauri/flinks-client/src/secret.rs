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

    /// Nothing typed (blank, once trimmed).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

/// A secret typed into a form arrives as one: deserialized straight into the type that will not
/// print it, so no front end's input struct needs a hand-written `Debug`.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
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
/// servers may echo a GUID in another case. However short a secret is, it is masked: a
/// three-letter password or answer is still one, and a message mangled around its letters is
/// the lesser harm.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    // Blank is no secret, and would match everywhere.
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = mask(&out, secret);
    }
    out
}

/// A secret shorter than this is masked whole: its last four characters would be most of it
/// (all of it, for a four-letter password). A loginId or a key (36 characters) keeps its tail,
/// which tells one from another.
const TAIL_SHOWN_FROM_CHARS: usize = 16;

/// One pass from left to right that never searches what it wrote: a mask may contain its own
/// secret (`…abcd` holds `abcd`), and searching the result again until nothing was found looped
/// forever on such a secret. Characters are compared one by one, lower-cased, so the offsets
/// stay those of `text` even where lower-casing changes a character's length (`İ`, `K`).
fn mask(text: &str, secret: &str) -> String {
    let mask = if secret.chars().count() >= TAIL_SHOWN_FROM_CHARS {
        format!("…{}", last4(secret))
    } else {
        "…".to_owned()
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match starts_with_ignoring_case(rest, secret) {
            Some(len) => {
                out.push_str(&mask);
                rest = &rest[len..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The length in bytes of the start of `text` that is `secret` in any case.
fn starts_with_ignoring_case(text: &str, secret: &str) -> Option<usize> {
    let mut chars = text.chars();
    let mut len = 0;
    for s in secret.chars() {
        let t = chars.next()?;
        if t != s && !t.to_lowercase().eq(s.to_lowercase()) {
            return None;
        }
        len += t.len_utf8();
    }
    Some(len)
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
    fn scrub_ends_on_secrets_its_mask_contains_and_hides_short_ones_whole() {
        // These two looped forever (found by the decode_authorize fuzz target): the mask
        // `…1234` holds `1234`, and the text was searched again after each mask.
        assert_eq!(scrub("pin 1234, again 1234", &["1234"]), "pin …, again …");
        assert_eq!(scrub("Ecccc ECCC", &["Eccc"]), "…c …");
        // This one showed half the password (`…er22`).
        assert_eq!(
            scrub("password hunter22 refused", &["Hunter22"]),
            "password … refused"
        );
    }

    #[test]
    fn scrub_masks_secrets_of_any_length_and_ignores_blank_ones() {
        // A three-letter password and a one-letter answer were left whole (secrets shorter
        // than four characters were skipped).
        assert_eq!(
            scrub("wrong password Pw1 or answer z", &["pw1", "z", ""]),
            "wrong password … or answer …"
        );
        assert_eq!(scrub("nothing secret", &[""]), "nothing secret");
    }

    #[test]
    fn scrub_is_right_where_lower_casing_changes_lengths() {
        // `İ` lower-cases to three bytes from two, the Kelvin sign `\u{212a}` to one from
        // three. Splicing at the offsets of a lower-cased copy cut the Kelvin sign in two (a
        // panic) when the lengths happened to add up, and when they did not, the fallback
        // matched the case exactly and left an upper-case loginId whole.
        let id = "5e115eac-1209-4f19-641c-08d6d484e2fe";
        let upper = id.to_uppercase();
        let cut = format!("İİ {upper} \u{212a}");
        assert_eq!(scrub(&cut, &[id]), "İİ …e2fe \u{212a}");
        let leaked = format!("İİ \u{212a}K {upper} Ⱥ");
        assert_eq!(scrub(&leaked, &[id]), "İİ \u{212a}K …e2fe Ⱥ");
        assert_eq!(scrub("x ÉCOLE-42 y", &["école-42"]), "x … y");
    }

    #[test]
    fn last4_of_short_and_unicode_strings() {
        assert_eq!(last4("ab"), "ab");
        assert_eq!(last4("héllo"), "éllo");
    }
}
