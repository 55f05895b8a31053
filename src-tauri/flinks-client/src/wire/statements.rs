//! The reply of `/GetStatements` and `/GetStatementsAsync` (flinks-api.md §2.7): each account's
//! PDF statements, their bytes decoded from the `Base64Bytes` they travel in.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Deserializer};

use super::lenient::de_vec_or_one;
use super::{Login, RequestId};

/// One statement file, as the bank issued it.
#[derive(Clone, Deserialize)]
pub struct Statement {
    /// Flinks' id of the statement (32 hex digits in its docs).
    #[serde(rename = "uniqueid", default)]
    pub unique_id: Option<String>,
    /// `PDF`.
    #[serde(rename = "filetype", default)]
    pub file_type: Option<String>,
    /// The file itself, decoded from `Base64Bytes`.
    #[serde(rename = "base64bytes", deserialize_with = "de_base64")]
    pub bytes: Vec<u8>,
}

/// A statement's bytes are a customer's bank records: a debug print names their size only.
impl fmt::Debug for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Statement")
            .field("unique_id", &self.unique_id)
            .field("file_type", &self.file_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccountStatements {
    #[serde(rename = "accountnumber", default)]
    pub account_number: Option<String>,
    #[serde(rename = "statements", default, deserialize_with = "de_vec_or_one")]
    pub statements: Vec<Statement>,
}

/// A 200 from `/GetStatements` or `/GetStatementsAsync`.
#[derive(Debug, Clone, Deserialize)]
pub struct Statements {
    #[serde(rename = "requestid", default)]
    pub request_id: Option<RequestId>,
    #[serde(
        rename = "statementsbyaccount",
        default,
        deserialize_with = "de_vec_or_one"
    )]
    pub accounts: Vec<AccountStatements>,
    #[serde(rename = "login", default)]
    pub login: Option<Login>,
    #[serde(rename = "institution", default)]
    pub institution: Option<String>,
}

/// Standard base64; line breaks, which some encoders add every 76 characters, are ignored.
fn de_base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| serde::de::Error::custom(format!("Base64Bytes is not base64: {e}")))
}
