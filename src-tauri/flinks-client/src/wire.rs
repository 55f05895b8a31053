//! Flinks' JSON, read leniently. Real Flinks replies mix key cases (`transactionid` and
//! `TransactionId`), so the types of this module name their fields in lower case and are read with their
//! keys folded to lower case: straight from the bytes for the large replies (`fold.rs`), from a
//! folded tree ([`fold_keys`]) for the others. Unknown fields are ignored; the fields we need are
//! strict.

mod accounts;
mod attributes;
mod authorize;
mod lenient;
mod statements;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::secret::LoginId;

pub(crate) use accounts::DetailBody;
pub use accounts::{Account, AccountsDetail, Balance, Transaction};
pub use attributes::{
    AttributeDetail, AttributeValue, Attributes, DetailTransaction, LibraryEntry, Package,
};
pub(crate) use attributes::{AttributesBody, Library};
pub use authorize::{AuthorizeOutcome, Authorized, SecurityChallenge};
pub(crate) use lenient::fold_keys;
pub use statements::{AccountStatements, Statement, Statements};

/// A Flinks session id. Not a secret (the Flinks Dashboard lists them), but it only lives for a session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(transparent)]
pub struct RequestId(pub String);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `Login` object of Authorize and data replies.
#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    #[serde(rename = "id")]
    pub id: LoginId,
    #[serde(rename = "username", default)]
    pub username: Option<String>,
    #[serde(rename = "type", default)]
    pub login_type: Option<String>,
    #[serde(rename = "lastrefresh", default)]
    pub last_refresh: Option<String>,
    /// Whether Flinks refreshes the login every night (SetScheduledRefresh).
    #[serde(rename = "isscheduledrefresh", default)]
    pub is_scheduled_refresh: Option<bool>,
}
