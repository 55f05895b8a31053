//! Reading a policy's output: `decision` and `reasons` (see the conventions in [`super`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::PolicyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Pass,
    Refer,
    Decline,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pass => "pass",
            Decision::Refer => "refer",
            Decision::Decline => "decline",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Decision {
    type Err = ();

    /// `pass`, `refer` or `decline`, in any case, around any spaces.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pass" => Ok(Decision::Pass),
            "refer" => Ok(Decision::Refer),
            "decline" => Ok(Decision::Decline),
            _ => Err(()),
        }
    }
}

/// Why the policy decided as it did, one rule at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule's short name, stable across versions (`nsf_90_days`).
    pub rule: String,
    /// The input field the rule looked at (an attribute name, or a figure the policy computed).
    pub attribute: String,
    /// Its value: what the row wrote as `value`, else the input's value at `attribute`.
    pub value: Value,
    /// A sentence the applicant could be told.
    pub text: String,
    /// What this reason alone would decide, when the policy says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Decision>,
}

pub(crate) fn decision(output: &Value) -> Result<Decision, PolicyError> {
    let found = output.get("decision").unwrap_or(&Value::Null);
    found
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PolicyError::NoDecision {
            found: found.to_string(),
        })
}

pub(crate) fn reasons(output: &Value, input: &Value) -> Result<Vec<Reason>, PolicyError> {
    let list = match output.get("reasons") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(PolicyError::Reason {
                index: 0,
                message: format!("reasons is {other}, not a list"),
            })
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| reason(i + 1, item, input))
        .collect()
}

fn reason(index: usize, item: &Value, input: &Value) -> Result<Reason, PolicyError> {
    let bad = |message: String| PolicyError::Reason { index, message };
    let text = |key: &str| match item.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        other => Err(bad(format!(
            "its {key} should be text, and is {}",
            other.unwrap_or(&Value::Null)
        ))),
    };
    let attribute = text("attribute")?;
    let value = match item.get("value") {
        Some(v) if !v.is_null() => v.clone(),
        _ => at_path(input, &attribute).cloned().unwrap_or(Value::Null),
    };
    let outcome = match item.get("outcome") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad(format!("its outcome {v} is not pass, refer or decline")))?,
        ),
    };
    Ok(Reason {
        rule: text("rule")?,
        attribute,
        value,
        text: text("text")?,
        outcome,
    })
}

/// The value at a dotted path; a key that itself holds dots is tried whole first.
fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = value.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(value, |v, key| v.get(key))
}
