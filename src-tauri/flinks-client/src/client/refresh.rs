//! What the nightly refresh of a saved login needs (flinks-api.md §1, §2.7): whether it runs
//! (`/SetScheduledRefresh`), and the answers to the bank's security questions it may meet
//! (`/GetMFAQuestions`, `/AnswerMFAQuestions`). None needs a session: each names its loginId.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::authorize::SecurityResponse;
use super::transport::{enc, excerpt, ReadReply};
use super::FlinksClient;
use crate::error::FlinksError;
use crate::secret::LoginId;
use crate::Result;

/// SetScheduledRefresh's answer: plain text on success (flinks-api.md §2.7,
/// `"{loginId} has now been activated for automatic refresh"`), Flinks' JSON on an error.
enum RefreshReply {
    Done,
    Error(Value),
}

impl ReadReply for RefreshReply {
    fn read(status: StatusCode, bytes: &[u8], secrets: &[&str]) -> Result<Self> {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        if status != StatusCode::OK {
            return FlinksClient::read_body(status, bytes, secrets).map(RefreshReply::Error);
        }
        // "deactivated" says it too. Anything else is not Flinks' answer (a proxy's page).
        if text.contains("activated for automatic refresh") {
            return Ok(RefreshReply::Done);
        }
        Err(FlinksError::Decode {
            status: status.as_u16(),
            reason: "the reply does not say the refresh was set".into(),
            excerpt: excerpt(bytes, secrets),
            truncated: false,
        })
    }

    fn flinks_code(&self) -> Option<&str> {
        match self {
            RefreshReply::Done => None,
            RefreshReply::Error(body) => body.flinks_code(),
        }
    }
}

#[derive(Deserialize)]
struct QuestionsBody {
    #[serde(rename = "questions", default)]
    questions: Vec<QuestionItem>,
}

#[derive(Deserialize)]
struct QuestionItem {
    #[serde(rename = "question")]
    question: String,
}

impl FlinksClient {
    /// `/SetScheduledRefresh`: whether Flinks refreshes the login's data every night. Its reply
    /// names the loginId, so only success or the error comes back.
    pub async fn set_scheduled_refresh(&self, login_id: &LoginId, activated: bool) -> Result<()> {
        let body = json!({ "LoginId": login_id.expose(), "IsActivated": activated });
        let secrets = self.secrets_of(login_id);
        let (status, reply) = self
            .call::<RefreshReply>(
                "SetScheduledRefresh",
                Method::PATCH,
                "BankingServices/SetScheduledRefresh",
                &self.api_key_header(),
                Some(body),
                &secrets,
            )
            .await?;
        match reply {
            RefreshReply::Done => Ok(()),
            RefreshReply::Error(body) => Err(Self::api_error(status, &body, &secrets)),
        }
    }

    /// `/GetMFAQuestions/{loginId}`: the security questions the bank asks this login, whose
    /// answers [`Self::answer_mfa_questions`] gives ahead of a refresh.
    pub async fn mfa_questions(&self, login_id: &LoginId) -> Result<Vec<String>> {
        let path = format!("BankingServices/GetMFAQuestions/{}", enc(login_id.expose()));
        let secrets = self.secrets_of(login_id);
        let (status, body) = self
            .call_ok(
                "GetMFAQuestions",
                Method::GET,
                &path,
                &self.api_key_header(),
                &secrets,
            )
            .await?;
        let body: QuestionsBody = Self::decode(status, body, &secrets)?;
        Ok(body.questions.into_iter().map(|q| q.question).collect())
    }

    /// `/AnswerMFAQuestions`: answers to the login's security questions, for Flinks to give the
    /// bank when a refresh meets them. A wrong one is `INVALID_SECURITY_RESPONSE`.
    pub async fn answer_mfa_questions(
        &self,
        login_id: &LoginId,
        answers: &[SecurityResponse],
    ) -> Result<()> {
        let questions: Vec<Value> = answers
            .iter()
            .map(|a| json!({ "Question": a.prompt, "Answer": a.answer.expose() }))
            .collect();
        let body = json!({ "LoginId": login_id.expose(), "Questions": questions });
        let mut secrets = self.secrets_of(login_id);
        secrets.extend(answers.iter().map(|a| a.answer.expose()));
        let (status, body) = self
            .call::<Value>(
                "AnswerMFAQuestions",
                Method::PATCH,
                "BankingServices/AnswerMFAQuestions",
                &self.api_key_header(),
                Some(body),
                &secrets,
            )
            .await?;
        if status != StatusCode::OK {
            return Err(Self::api_error(status, &body, &secrets));
        }
        Ok(())
    }
}
