//! The policies the desk ships (`desk-policy/policies/*.json`), built into the binary so a fresh
//! install can decide without finding the files on disk.

use serde::Serialize;

/// A shipped policy: its name (the file's stem) and its JDM document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippedPolicy {
    pub name: &'static str,
    /// The JDM JSON, as in the file.
    pub document: &'static str,
}

const SHIPPED: &[ShippedPolicy] = &[
    ShippedPolicy {
        name: "personal-loan",
        document: include_str!("../../desk-policy/policies/personal-loan.json"),
    },
    ShippedPolicy {
        name: "small-business",
        document: include_str!("../../desk-policy/policies/small-business.json"),
    },
];

/// Every shipped policy, in a stable order.
pub fn shipped() -> &'static [ShippedPolicy] {
    SHIPPED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_policy_is_valid_jdm() {
        assert!(!shipped().is_empty());
        for p in shipped() {
            desk_policy::policy::Policy::from_json(p.document.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
    }
}
