//! The policy screen's use cases: the policies (saved here, and the ones the desk ships), a
//! version opened as its JDM JSON and its decision tables, a new version saved only when the
//! policy is valid (an invalid cell refused with its node, row and column, nothing stored),
//! every version kept by its hash, two versions compared row by row, and JDM files in and out.

use desk_policy::policy::Policy;

use super::Desk;
use crate::policy_view::{self, PolicyDiff, PolicyDocumentView, PolicySummary, PolicyVersionView};
use crate::shipped_policies::shipped;
use crate::DeskError;

/// The note of a shipped policy kept as a version when it is first edited, so the edit can be
/// compared with what came with the desk.
const AS_SHIPPED: &str = "As shipped with Flinks Desk";
const IMPORTED: &str = "Imported from a JDM file";

fn shipped_document(name: &str) -> Option<&'static str> {
    shipped()
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.document)
}

fn policy_name(name: &str) -> Result<&str, DeskError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DeskError::Invalid("the policy needs a name".into()));
    }
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(DeskError::Invalid(
            "a policy's name is one line of at most 100 characters".into(),
        ));
    }
    Ok(name)
}

impl Desk {
    /// The saved policies with their latest version, and the shipped ones (saved or not),
    /// alphabetically.
    pub fn policies(&self) -> Result<Vec<PolicySummary>, DeskError> {
        let mut names = self.store.policy_names()?;
        for p in shipped() {
            if !names.iter().any(|n| n == p.name) {
                names.push(p.name.to_owned());
            }
        }
        names.sort_by_key(|n| n.to_lowercase());
        names
            .into_iter()
            .map(|name| {
                let versions = self.store.policy_versions(&name)?;
                Ok(PolicySummary {
                    shipped: shipped_document(&name).is_some(),
                    versions: versions.len(),
                    latest: versions.first().map(|v| PolicyVersionView::of(v, false)),
                    name,
                })
            })
            .collect()
    }

    /// A policy's version `sha256`, or its latest (the shipped document when it was never saved
    /// here): the JDM JSON and its decision tables.
    pub fn open_policy(
        &self,
        name: &str,
        sha256: Option<&str>,
    ) -> Result<PolicyDocumentView, DeskError> {
        let name = policy_name(name)?;
        let (document, version) = match sha256 {
            Some(sha) => {
                let v = self.version(name, sha)?;
                (v.document.clone(), Some(PolicyVersionView::of(&v, false)))
            }
            None => match self.store.policy_versions(name)?.into_iter().next() {
                Some(v) => (v.document.clone(), Some(PolicyVersionView::of(&v, false))),
                None => (
                    shipped_document(name)
                        .ok_or_else(|| unknown_policy(name))?
                        .to_owned(),
                    None,
                ),
            },
        };
        let policy = Policy::from_json(document.as_bytes())?;
        Ok(PolicyDocumentView {
            name: name.to_owned(),
            sha256: policy.sha256().to_owned(),
            short_sha: policy_view::short(policy.sha256()),
            version,
            shipped: shipped_document(name).is_some(),
            json: policy.to_json(),
            tables: policy_view::tables(policy.document()),
        })
    }

    /// Keeps `document` (JDM JSON) as a version of the policy `name`, after checking it: an
    /// invalid one is refused with where (node, row, column) and why, and nothing is stored.
    /// The same document saved again is the same version (`already_saved`). The first edit of a
    /// shipped policy also keeps the shipped document, as the version before it.
    pub fn save_policy(
        &self,
        name: &str,
        document: &[u8],
        note: &str,
    ) -> Result<PolicyVersionView, DeskError> {
        let name = policy_name(name)?;
        let policy = Policy::from_json(document)?;
        if self.store.policy_versions(name)?.is_empty() {
            if let Some(original) = shipped_document(name) {
                let original = Policy::from_json(original.as_bytes())?;
                if original.sha256() != policy.sha256() {
                    self.store.save_policy_version(
                        name,
                        original.sha256(),
                        &original.to_json(),
                        AS_SHIPPED,
                    )?;
                }
            }
        }
        let existed = self.store.policy_version(name, policy.sha256())?.is_some();
        let version = self.store.save_policy_version(
            name,
            policy.sha256(),
            &policy.to_json(),
            note.trim(),
        )?;
        if !existed {
            self.audit("policy.saved", &format!("{name} {}", &version.sha256[..12]));
        }
        Ok(PolicyVersionView::of(&version, existed))
    }

    /// Every saved version of a policy, newest first.
    pub fn policy_versions(&self, name: &str) -> Result<Vec<PolicyVersionView>, DeskError> {
        let name = policy_name(name)?;
        Ok(self
            .store
            .policy_versions(name)?
            .iter()
            .map(|v| PolicyVersionView::of(v, false))
            .collect())
    }

    /// Two saved versions compared row by row, per decision table: rows added, removed, and
    /// changed (rows matched by `_id`), with each changed cell's column and both values.
    pub fn diff_versions(
        &self,
        name: &str,
        sha_before: &str,
        sha_after: &str,
    ) -> Result<PolicyDiff, DeskError> {
        let name = policy_name(name)?;
        let (before, after) = (
            self.version(name, sha_before)?,
            self.version(name, sha_after)?,
        );
        let old = Policy::from_json(before.document.as_bytes())?;
        let new = Policy::from_json(after.document.as_bytes())?;
        Ok(policy_view::diff(
            name,
            PolicyVersionView::of(&before, false),
            old.document(),
            PolicyVersionView::of(&after, false),
            new.document(),
        ))
    }

    /// A JDM file (as GoRules' editor saves it) kept as a version of the policy `name`: the
    /// same checks as a save.
    pub fn import_policy(&self, name: &str, bytes: &[u8]) -> Result<PolicyVersionView, DeskError> {
        self.save_policy(name, bytes, IMPORTED)
    }

    /// A saved version as a JDM file, the JSON GoRules' editor writes (a shipped policy's own
    /// document too, saved here or not).
    pub fn export_policy(&self, name: &str, sha256: &str) -> Result<String, DeskError> {
        let name = policy_name(name)?;
        if let Some(original) = shipped_document(name) {
            let original = Policy::from_json(original.as_bytes())?;
            if original.sha256() == sha256.trim() {
                return Ok(original.to_json());
            }
        }
        let version = self.version(name, sha256)?;
        Ok(Policy::from_json(version.document.as_bytes())?.to_json())
    }

    /// The file name an export suggests: the policy's name and the version's short hash.
    pub fn policy_file_name(name: &str, sha256: &str) -> String {
        let stem: String = name
            .trim()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let stem = stem.trim_matches('-');
        let stem = if stem.is_empty() { "policy" } else { stem };
        format!("{stem}-{}.json", policy_view::short(sha256))
    }

    fn version(&self, name: &str, sha256: &str) -> Result<crate::store::PolicyVersion, DeskError> {
        self.store
            .policy_version(name, sha256.trim())?
            .ok_or_else(|| {
                DeskError::Invalid(format!(
                    "the policy {name:?} has no saved version {}",
                    policy_view::short(sha256)
                ))
            })
    }
}

fn unknown_policy(name: &str) -> DeskError {
    DeskError::Invalid(format!("there is no policy named {name:?}"))
}
