//! Secrets (secret keys, x-api-keys, loginIds) live in the OS keyring, one entry each, behind a
//! small trait so tests can use memory. The database only ever holds the entry's name.
//! When the keyring cannot be used the desk says so; it never falls back to plaintext.

use std::collections::HashMap;
use std::sync::Mutex;

use flinks_client::Secret;

/// The keyring's service name: every entry of the app is under it.
pub const SERVICE: &str = "Flinks Desk";

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretError {
    /// The keyring is there but locked (or its unlock prompt was dismissed, or access denied).
    #[error("the system keyring is locked ({0})")]
    Locked(String),
    /// No Secret Service on the session bus, or the platform's store failed.
    #[error("the system keyring is not available ({0})")]
    Unavailable(String),
    #[error("the system keyring failed: {0}")]
    Failed(String),
}

impl SecretError {
    pub fn hint(&self) -> &'static str {
        match self {
            SecretError::Locked(_) => {
                "Unlock your keyring (on Linux, GNOME Keyring or KWallet; on macOS, the login keychain), then try again. Flinks Desk never stores secrets in plain text."
            }
            SecretError::Unavailable(_) => {
                "Unlock or start your keyring (on Linux, GNOME Keyring or KWallet with the Secret Service), then try again. Flinks Desk never stores secrets in plain text."
            }
            SecretError::Failed(_) => "Try again; if it keeps failing, restart your keyring.",
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError>;
    /// `None` when there is no such entry.
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError>;
    /// Deleting an entry that is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), SecretError>;
}

/// The OS keyring through the `keyring` crate.
pub struct KeyringStore;

fn entry(name: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(SERVICE, name).map_err(map_error)
}

fn map_error(e: keyring::Error) -> SecretError {
    match e {
        // What the Secret Service answers for a locked collection or a dismissed unlock prompt,
        // and the Keychain for a locked one.
        keyring::Error::NoStorageAccess(inner) => SecretError::Locked(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        entry(name)?.set_password(value.expose()).map_err(map_error)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        match entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// Memory only, for tests (keyring's own mock gives every `Entry` its own credential, so a second
/// lookup of the same name finds nothing: no use for a store).
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, String>>,
    /// Makes every call fail as an unavailable keyring does.
    pub unavailable: std::sync::atomic::AtomicBool,
}

impl MemoryStore {
    fn check(&self) -> Result<(), SecretError> {
        if self.unavailable.load(std::sync::atomic::Ordering::Relaxed) {
            Err(SecretError::Unavailable("test: keyring locked".into()))
        } else {
            Ok(())
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.entries.lock().expect("lock").keys().cloned().collect()
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.check()?;
        self.entries
            .lock()
            .expect("lock")
            .insert(name.to_owned(), value.expose().to_owned());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        self.check()?;
        Ok(self
            .entries
            .lock()
            .expect("lock")
            .get(name)
            .map(Secret::new))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.check()?;
        self.entries.lock().expect("lock").remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_deletes() {
        let store = MemoryStore::default();
        store.set("a", &Secret::new("s3cret")).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().expose(), "s3cret");
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert!(store.get("a").unwrap().is_none());
    }

    #[test]
    fn an_unavailable_store_says_so() {
        let store = MemoryStore::default();
        store
            .unavailable
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let err = store.set("a", &Secret::new("x")).unwrap_err();
        assert!(matches!(err, SecretError::Unavailable(_)));
        assert!(err.hint().contains("never stores secrets in plain text"));
    }

    #[test]
    fn a_locked_keyring_is_locked_and_a_missing_one_unavailable() {
        let locked = map_error(keyring::Error::NoStorageAccess(Box::new(
            std::io::Error::other("Secret Service: object locked"),
        )));
        assert!(matches!(locked, SecretError::Locked(_)), "{locked}");
        assert!(locked.hint().starts_with("Unlock your keyring"));
        let missing = map_error(keyring::Error::PlatformFailure(Box::new(
            std::io::Error::other("no D-Bus session"),
        )));
        assert!(matches!(missing, SecretError::Unavailable(_)), "{missing}");
    }

    /// The real keyring, where one runs (`cargo desk test` starts a Secret Service); elsewhere
    /// the error must be the clear "unavailable" one, never a silent success.
    #[test]
    fn the_os_keyring_round_trips_or_says_it_is_unavailable() {
        let name = format!("test-entry-{}", uuid::Uuid::new_v4());
        match KeyringStore.set(&name, &Secret::new("value-1")) {
            Ok(()) => {
                assert_eq!(
                    KeyringStore.get(&name).unwrap().unwrap().expose(),
                    "value-1"
                );
                KeyringStore.delete(&name).unwrap();
                assert!(KeyringStore.get(&name).unwrap().is_none());
            }
            Err(SecretError::Unavailable(why) | SecretError::Locked(why)) => {
                assert!(
                    std::env::var_os("FLINKS_DESK_REQUIRE_KEYRING").is_none(),
                    "keyring required but unavailable: {why}"
                );
            }
            Err(other) => panic!("unexpected keyring error: {other}"),
        }
    }
}
