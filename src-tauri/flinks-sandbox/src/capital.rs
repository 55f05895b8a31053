//! Flinks Capital's documented test logins and security questions (flinks-api.md §5.1).
//!
//! Live Authorize (`MostRecentCached: false`) signs in with a username and password. The
//! documented test users behave as documented; the synthetic customers (personas) sign in too,
//! with the same password and no security question. `Greatday` and `greatday_nomfa` show the
//! salaried customer's data under loginIds of their own, derived from the seed and the username
//! like the personas' ids, so each is the same on every machine.

/// The password of every Flinks Capital test login (case-insensitive).
pub const PASSWORD: &str = "Everyday";

/// What a documented test login does at live Authorize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// A 203 with one security question, then 200.
    Mfa,
    /// 200 right after username and password.
    NoMfa,
    /// 401 `DISABLED_LOGIN`.
    Disabled,
    /// 401 `RETRY_LATER`.
    Unavailable,
    /// 200, then GetAccountsDetail answers `202 OPERATION_PENDING` for a few polls.
    Pending,
    /// 200, then GetAccountsDetail answers `202 OPERATION_DISPATCHED` (a sync call past 210 s,
    /// flinks-api.md §6) for a few polls.
    Dispatched,
}

impl Behaviour {
    /// Whether the login signs in (and so has accounts).
    pub fn signs_in(self) -> bool {
        !matches!(self, Behaviour::Disabled | Behaviour::Unavailable)
    }
}

#[derive(Debug)]
pub struct TestLogin {
    pub username: &'static str,
    pub behaviour: Behaviour,
}

/// The persona whose accounts the test logins that sign in show.
pub const TEST_LOGIN_DATA_OF: &str = "salaried_biweekly";

pub const TEST_LOGINS: [TestLogin; 6] = [
    TestLogin {
        username: "Greatday",
        behaviour: Behaviour::Mfa,
    },
    TestLogin {
        username: "greatday_nomfa",
        behaviour: Behaviour::NoMfa,
    },
    TestLogin {
        username: "test_disabled_account",
        behaviour: Behaviour::Disabled,
    },
    TestLogin {
        username: "test_service_unavailable",
        behaviour: Behaviour::Unavailable,
    },
    TestLogin {
        username: "test_pending",
        behaviour: Behaviour::Pending,
    },
    TestLogin {
        username: "test_dispatched",
        behaviour: Behaviour::Dispatched,
    },
];

/// A test login by username, in any case.
pub fn test_login(username: &str) -> Option<&'static TestLogin> {
    TEST_LOGINS
        .iter()
        .find(|t| t.username.eq_ignore_ascii_case(username.trim()))
}

/// A security question in English and French, and its answer (case-insensitive).
#[derive(Debug)]
pub struct Question {
    pub en: &'static str,
    pub fr: &'static str,
    pub answer: &'static str,
}

pub const QUESTIONS: [Question; 3] = [
    Question {
        en: "What city were you born in?",
        fr: "Où êtes-vous né?",
        answer: "Montreal",
    },
    Question {
        en: "What is the best country on earth?",
        fr: "Quel est le meilleur pays du monde?",
        answer: "Canada",
    },
    Question {
        en: "What shape do people like most?",
        fr: "Quelle forme les gens aiment-ils le plus?",
        answer: "Triangle",
    },
];

/// The answer to a prompt, in English or French, as asked.
pub fn answer_to(prompt: &str) -> Option<&'static str> {
    QUESTIONS
        .iter()
        .find(|q| q.en == prompt || q.fr == prompt)
        .map(|q| q.answer)
}

impl Question {
    pub fn prompt(&self, french: bool) -> &'static str {
        if french {
            self.fr
        } else {
            self.en
        }
    }

    pub fn accepts(&self, answer: &str) -> bool {
        self.answer.eq_ignore_ascii_case(answer.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_logins_match_in_any_case() {
        assert_eq!(test_login("GREATDAY").unwrap().behaviour, Behaviour::Mfa);
        assert_eq!(
            test_login(" Greatday_NoMfa ").unwrap().behaviour,
            Behaviour::NoMfa
        );
        assert!(test_login("greatday2").is_none());
        assert_eq!(
            test_login("TEST_Dispatched").unwrap().behaviour,
            Behaviour::Dispatched
        );
        assert!(Behaviour::Pending.signs_in() && !Behaviour::Disabled.signs_in());
    }

    #[test]
    fn french_prompts_are_french_and_answers_ignore_case() {
        for q in &QUESTIONS {
            assert!(["Où", "Quel", "Quelle"]
                .iter()
                .any(|w| q.prompt(true).contains(w)));
            assert!(q.accepts(&q.answer.to_uppercase()));
            assert!(!q.accepts("Toronto"));
        }
    }
}
