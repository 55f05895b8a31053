//! Every path the sandbox serves, named once: the router mounts these, the fault middleware
//! tells a request's stage by them, and the pages that post back to the sandbox build their
//! URLs from them.

// Flinks' paths. Each starts with a customerId, which the router checks before any handler.
pub(crate) const GENERATE_AUTHORIZE_TOKEN: &str =
    "/v3/{customer_id}/BankingServices/GenerateAuthorizeToken";
pub(crate) const AUTHORIZE: &str = "/v3/{customer_id}/BankingServices/Authorize";
pub(crate) const OAUTH_AUTHORIZE: &str = "/v3/{customer_id}/BankingServices/OAuth/Authorize";
pub(crate) const ACCOUNTS_DETAIL: &str = "/v3/{customer_id}/BankingServices/GetAccountsDetail";
pub(crate) const ACCOUNTS_DETAIL_ASYNC: &str =
    "/v3/{customer_id}/BankingServices/GetAccountsDetailAsync/{request_id}";
pub(crate) const ACCOUNTS_SUMMARY: &str = "/v3/{customer_id}/BankingServices/GetAccountsSummary";
pub(crate) const ACCOUNTS_SUMMARY_ASYNC: &str =
    "/v3/{customer_id}/BankingServices/GetAccountsSummaryAsync/{request_id}";
pub(crate) const STATEMENTS: &str = "/v3/{customer_id}/BankingServices/GetStatements";
pub(crate) const STATEMENTS_ASYNC: &str =
    "/v3/{customer_id}/BankingServices/GetStatementsAsync/{request_id}";
pub(crate) const MFA_QUESTIONS: &str =
    "/v3/{customer_id}/BankingServices/GetMFAQuestions/{login_id}";
pub(crate) const ANSWER_MFA_QUESTIONS: &str =
    "/v3/{customer_id}/BankingServices/AnswerMFAQuestions";
pub(crate) const SCHEDULED_REFRESH: &str = "/v3/{customer_id}/BankingServices/SetScheduledRefresh";
pub(crate) const DELETE_CARD: &str = "/v3/{customer_id}/BankingServices/DeleteCard/{login_id}";
pub(crate) const PACKAGE_ATTRIBUTES: &str =
    "/v3/{customer_id}/insight/login/{login_id}/attributes/{request_id}/{endpoint}";
pub(crate) const CUSTOM_ATTRIBUTES: &str =
    "/v3/{customer_id}/insight/login/{login_id}/attributes/{request_id}";
pub(crate) const ATTRIBUTE_LIBRARY: &str = "/v3/{customer_id}/attributes/library";

// The sandbox's own paths, outside any customerId.
pub(crate) const ABOUT: &str = "/";
pub(crate) const SANDBOX_FAULTS: &str = "/sandbox/faults";
/// The Connect page answers under Flinks' `/v2/` (with and without the slash) and `/connect`.
pub(crate) const CONNECT_PAGES: [&str; 3] = ["/v2/", "/v2", "/connect"];

/// `route` with its customerId filled in, for a page that links back to it.
pub(crate) fn for_customer(route: &str, customer_id: &str) -> String {
    route.replace("{customer_id}", customer_id)
}
