//! The public Flinks toolbox (flinks-api.md §1). Flinks publishes these values for anyone to try
//! its API with, so they are not secrets; they are written once, here, so that the desk, the
//! `flinks` command line and the tests cannot drift apart on them.

pub const API_BASE_URL: &str = "https://toolbox-api.private.fin.ag";
pub const CUSTOMER_ID: &str = "43387ca6-0391-4c82-857d-70d95f087ecb";
/// Buys authorize tokens (`flinks-auth-key` of GenerateAuthorizeToken).
pub const SECRET_KEY: &str = "c4569c54-e167-4d34-8de6-f4113bc82414";
/// Sent as `x-api-key` on the data endpoints.
pub const API_KEY: &str = "3d5266a8-b697-48d4-8de6-52e2e2662acc";
