//! A login (a "card" in Flinks' words) begun or ended outside `/Authorize`: the OAuth sign-in
//! page that creates one in the browser, and `DeleteCard`, which has Flinks forget it.

use reqwest::Method;
use url::Url;

use super::transport::enc;
use super::FlinksClient;
use crate::secret::LoginId;
use crate::Result;

impl FlinksClient {
    /// `{api}/v3/{customerId}/BankingServices/OAuth/Authorize?institution=…&redirect_url=…&state=…`:
    /// the page where a customer of a custom integration signs in to `institution`; it ends by
    /// sending the browser to `redirect_url` with `loginId` and `state` (read them with
    /// [`crate::parse_oauth_redirect`]). `state` should be unguessable and checked on return.
    ///
    /// This path is NOT verified in Flinks' documentation (flinks-api.md §2.6 and §8 found it in
    /// no source); the built-in sandbox serves it.
    pub fn oauth_authorize_url(&self, institution: &str, redirect_url: &str, state: &str) -> Url {
        let mut url = self.url("BankingServices/OAuth/Authorize");
        url.query_pairs_mut()
            .append_pair("institution", institution)
            .append_pair("redirect_url", redirect_url)
            .append_pair("state", state);
        url
    }

    /// `/DeleteCard/{loginId}`: Flinks forgets the login and its data. Its reply names the
    /// loginId, so only success or the error comes back.
    pub async fn delete_card(&self, login_id: &LoginId) -> Result<()> {
        let path = format!("BankingServices/DeleteCard/{}", enc(login_id.expose()));
        let secrets = self.secrets_of(login_id);
        self.call_ok(
            "DeleteCard",
            Method::DELETE,
            &path,
            &self.api_key_header(),
            &secrets,
        )
        .await?;
        Ok(())
    }
}
