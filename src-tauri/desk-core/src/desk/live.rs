//! Adding a customer by signing in to the bank from the desk: a live `/Authorize` with the
//! customer's username and password, the bank's security questions answered in the desk, and the
//! loginId of the saved login put in the keyring. The third way beside pasting a loginId and
//! Flinks Connect, for an underwriter on the phone with the customer.
//!
//! The username, password and answers are sent once and never kept: a sign-in waiting on a
//! question holds only its RequestId and the prompts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use flinks_client::{
    AuthorizeOutcome, FlinksCode, LiveCredentials, LoginId, RequestId, Secret, SecurityResponse,
};
use serde::{Deserialize, Serialize};

use super::{Desk, Env};
use crate::{CustomerView, DeskError};

/// How long a question waits for its answer. Flinks forgets an unanswered Authorize sooner or
/// later; past this the desk asks to sign in again instead of sending a stale RequestId.
const QUESTION_WAIT: Duration = Duration::from_secs(10 * 60);

/// What the person types to sign a customer in. The credentials arrive as secrets, so no
/// `Debug` or log line can show them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveSignIn {
    pub environment: String,
    /// The customer's name in the desk; empty gives "Signed-in customer …abcd".
    #[serde(default)]
    pub label: String,
    /// The institution's Flinks id, e.g. `FlinksCapital`.
    pub institution: String,
    pub username: Secret,
    pub password: Secret,
    /// `en` or `fr`: the language of the security questions.
    #[serde(default)]
    pub language: Option<String>,
}

/// Where a sign-in stands: done (the customer is added), or the bank asks questions first.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum SignInStep {
    #[serde(rename_all = "camelCase")]
    Added { customer: CustomerView },
    /// Answer with [`Desk::answer_sign_in`], naming `sign_in`.
    #[serde(rename_all = "camelCase")]
    Questions {
        sign_in: String,
        questions: Vec<String>,
    },
}

/// A sign-in waiting for answers. No credential: Flinks keeps the session under its RequestId.
pub(super) struct PendingSignIn {
    environment: String,
    label: String,
    institution: String,
    request_id: RequestId,
    prompts: Vec<String>,
    asked: Instant,
}

/// The sign-ins waiting for answers, by an id of the desk's own (the RequestId stays inside).
#[derive(Default)]
pub(super) struct SignIns(Mutex<HashMap<String, PendingSignIn>>);

impl SignIns {
    fn take(&self, id: &str) -> Option<PendingSignIn> {
        let mut map = self.0.lock().expect("sign-ins lock");
        map.retain(|_, p| p.asked.elapsed() < QUESTION_WAIT);
        map.remove(id)
    }

    /// Puts a sign-in back under its id to be answered again, its wait starting anew.
    fn keep(&self, id: &str, pending: PendingSignIn) {
        self.0.lock().expect("sign-ins lock").insert(
            id.to_owned(),
            PendingSignIn {
                asked: Instant::now(),
                ..pending
            },
        );
    }

    fn put(&self, pending: PendingSignIn) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.0
            .lock()
            .expect("sign-ins lock")
            .insert(id.clone(), pending);
        id
    }
}

impl Desk {
    /// Signs a customer in to their bank through the environment (a live Authorize that saves
    /// the login). Either the customer is added, or the bank's questions come back to be
    /// answered with [`Desk::answer_sign_in`].
    pub async fn sign_in_live(&self, input: LiveSignIn) -> Result<SignInStep, DeskError> {
        let env = self.known_env(&input.environment)?;
        self.require_confirmed(&env, "Signing a customer in")?;
        if input.institution.trim().is_empty() {
            return Err(DeskError::Invalid("choose the customer's bank".into()));
        }
        if input.username.is_empty() || input.password.is_empty() {
            return Err(DeskError::Invalid(
                "enter the customer's online banking username and password".into(),
            ));
        }
        let credentials = LiveCredentials {
            institution: input.institution.trim().to_owned(),
            username: input.username,
            password: input.password,
            language: input.language.filter(|l| !l.trim().is_empty()),
            save: true,
            tag: None,
        };
        let token = self.fresh_authorize_token(&env).await?;
        let outcome = env
            .client
            .authorize_live(&credentials, token.as_ref())
            .await?;
        self.after_authorize(
            &env,
            outcome,
            input.label.trim().to_owned(),
            credentials.institution,
        )
    }

    /// Answers the questions of a waiting sign-in, one answer per question in the order asked.
    /// A wrong answer leaves the question open to answer again; any other refusal ends the
    /// sign-in.
    pub async fn answer_sign_in(
        &self,
        sign_in: &str,
        answers: Vec<Secret>,
    ) -> Result<SignInStep, DeskError> {
        let pending = self
            .sign_ins
            .take(sign_in)
            .ok_or_else(|| DeskError::SignInExpired)?;
        if answers.len() != pending.prompts.len() || answers.iter().any(Secret::is_empty) {
            let asked = pending.prompts.len();
            self.sign_ins.keep(sign_in, pending);
            return Err(DeskError::Invalid(format!(
                "answer every question ({asked} asked)"
            )));
        }
        let env = self.known_env(&pending.environment)?;
        let responses: Vec<SecurityResponse> = pending
            .prompts
            .iter()
            .zip(answers)
            .map(|(prompt, answer)| SecurityResponse {
                prompt: prompt.clone(),
                answer,
            })
            .collect();
        let token = self.fresh_authorize_token(&env).await?;
        match env
            .client
            .answer_challenge(&pending.request_id, &responses, token.as_ref())
            .await
        {
            Ok(outcome) => self.after_authorize(&env, outcome, pending.label, pending.institution),
            Err(e) if e.code() == Some(&FlinksCode::InvalidSecurityResponse) => {
                // Flinks keeps the question open after a wrong answer: so does the desk.
                self.sign_ins.keep(sign_in, pending);
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Forgets a sign-in waiting on questions (the person closed the dialog).
    pub fn cancel_sign_in(&self, sign_in: &str) -> bool {
        self.sign_ins.take(sign_in).is_some()
    }

    fn after_authorize(
        &self,
        env: &Env,
        outcome: AuthorizeOutcome,
        label: String,
        institution: String,
    ) -> Result<SignInStep, DeskError> {
        match outcome {
            AuthorizeOutcome::Authorized(a) => {
                let institution = a.institution.unwrap_or(institution);
                let customer = self.add_login(
                    &env.row.key,
                    &label,
                    "Signed-in customer",
                    &a.login.id,
                    &institution,
                )?;
                Ok(SignInStep::Added { customer })
            }
            AuthorizeOutcome::Challenge {
                request_id,
                challenges,
            } => {
                if challenges.is_empty() {
                    return Err(DeskError::Invalid(
                        "the bank asked for more before signing in, but sent no question: sign in through Flinks Connect instead".into(),
                    ));
                }
                let prompts: Vec<String> = challenges.into_iter().map(|c| c.prompt).collect();
                let sign_in = self.sign_ins.put(PendingSignIn {
                    environment: env.row.key.clone(),
                    label,
                    institution,
                    request_id,
                    prompts: prompts.clone(),
                    asked: Instant::now(),
                });
                Ok(SignInStep::Questions {
                    sign_in,
                    questions: prompts,
                })
            }
        }
    }

    /// Adds the customer a sign-in ended with, unless this bank login is a customer already.
    /// An empty `label` becomes "`default_label` …abcd".
    pub(super) fn add_login(
        &self,
        environment: &str,
        label: &str,
        default_label: &str,
        login_id: &LoginId,
        institution: &str,
    ) -> Result<CustomerView, DeskError> {
        let last4 = login_id.last4().to_owned();
        let label = match label.trim() {
            "" => format!("{default_label} …{last4}"),
            l => l.to_owned(),
        };
        let env = self.known_env(environment)?;
        // Signing the same bank login in twice gives the same loginId: one customer is enough.
        let existing = self
            .customers
            .read()
            .expect("customers lock")
            .iter()
            .filter(|c| c.env_key == env.row.key && c.last4 == last4)
            .find(|c| {
                self.login_of(c)
                    .is_ok_and(|l| l.expose() == login_id.expose())
            })
            .map(|c| c.label.clone());
        if let Some(existing) = existing {
            return Err(DeskError::DuplicateLogin { existing });
        }
        let customer = self.add_customer(environment, &label, login_id.clone())?;
        if !institution.is_empty() {
            let db_id = self.customer(&customer.id)?.db_id;
            self.store.set_customer_institution(db_id, institution)?;
            self.load_customers()?;
        }
        self.customers()
            .into_iter()
            .find(|c| c.id == customer.id)
            .ok_or_else(|| DeskError::Invalid("the customer was not saved".into()))
    }
}
