//! The attributes packages, the custom `/Attributes` request and the attribute library.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::transport::{enc, excerpt, Reply, Typed};
use super::FlinksClient;
use crate::error::FlinksError;
use crate::fold;
use crate::secret::{scrub, LoginId};
use crate::wire::{Attributes, AttributesBody, Library, LibraryEntry, Package, RequestId};
use crate::Result;

/// The custom `/Attributes` call, as the request ledger names it.
const CUSTOM_ENDPOINT: &str = "Attributes";

/// Whether `endpoint` asks for attributes (a package, or the custom call); not the library.
pub(super) fn delivers_attributes(endpoint: &str) -> bool {
    endpoint == CUSTOM_ENDPOINT || Package::ALL.iter().any(|p| p.endpoint() == endpoint)
}

impl Typed for Attributes {
    fn from_bytes(bytes: &[u8]) -> serde_json::Result<(Self, Option<String>)> {
        fold::from_slice::<AttributesBody>(bytes).map(|b| (b.attributes, b.flinks_code))
    }
}

impl FlinksClient {
    /// The attribute library: every attribute's unit, category and definition.
    pub async fn attribute_library(&self) -> Result<Vec<LibraryEntry>> {
        let secrets = self.secrets(&[]);
        let (status, body) = self
            .call_ok(
                "AttributeLibrary",
                Method::GET,
                "attributes/library",
                &self.api_key_header(),
                &secrets,
            )
            .await?;
        Ok(Self::decode::<Library>(status, body, &secrets)?.attributes)
    }

    /// One attributes package for a session whose accounts detail is ready.
    pub async fn attributes(
        &self,
        package: Package,
        login_id: &LoginId,
        request_id: &RequestId,
    ) -> Result<Attributes> {
        let path = format!(
            "insight/login/{}/attributes/{}/{}",
            enc(login_id.expose()),
            enc(&request_id.0),
            package.endpoint()
        );
        let secrets = self.secrets_of(login_id);
        let (status, reply) = self
            .call(
                package.endpoint(),
                Method::GET,
                &path,
                &self.api_key_header(),
                None,
                &secrets,
            )
            .await?;
        Self::attributes_reply(status, reply, &secrets)
    }

    /// The custom `/Attributes` call (flinks-api.md §4.3): the named attributes of the login's
    /// Operations accounts, with the transactions behind each (`AttributesDetail`).
    pub async fn custom_attributes(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        names: &[String],
    ) -> Result<Attributes> {
        let path = format!(
            "insight/login/{}/attributes/{}",
            enc(login_id.expose()),
            enc(&request_id.0),
        );
        let body = json!({
            "Attributes": { "Card": names },
            "Filters": { "AccountCategory": ["Operations"] },
            "AttributesDetail": names,
        });
        let secrets = self.secrets_of(login_id);
        let (status, reply) = self
            .call(
                CUSTOM_ENDPOINT,
                Method::POST,
                &path,
                &self.api_key_header(),
                Some(body),
                &secrets,
            )
            .await?;
        Self::attributes_reply(status, reply, &secrets)
    }

    /// An attributes answer (a package's or a custom request's): a 200's `Card`, or the error.
    pub(crate) fn attributes_reply(
        status: StatusCode,
        reply: Reply<Attributes>,
        secrets: &[&str],
    ) -> Result<Attributes> {
        let body = match reply {
            Reply::Typed { value, .. } => return Ok(value),
            Reply::Tree(body) => body,
        };
        // Only a 200 is an attributes reply.
        if status != StatusCode::OK {
            return Err(Self::api_error(status, &body, secrets));
        }
        let raw_len = body.to_string();
        Attributes::from_folded(body).map_err(|reason| FlinksError::Decode {
            status: status.as_u16(),
            reason: scrub(&reason, secrets),
            excerpt: excerpt(raw_len.as_bytes(), secrets),
            truncated: false,
        })
    }
}
