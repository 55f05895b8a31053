//! The policy version: the SHA-256 of the canonical JSON. The same policy loaded twice, or saved
//! with other spacing and key order, is the same version; a changed cell is another.

use desk_policy::policy::Policy;
use serde_json::{json, Value};

const HAND_WRITTEN: &str = include_str!("data/hand_written.json");

fn hash_of(text: &str) -> String {
    Policy::from_json(text.as_bytes())
        .unwrap()
        .sha256()
        .to_owned()
}

#[test]
fn the_same_file_loaded_twice_has_the_same_hash() {
    let first = hash_of(HAND_WRITTEN);
    assert_eq!(first, hash_of(HAND_WRITTEN));
    assert_eq!(first.len(), 64);
    assert!(first
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[test]
fn spacing_and_key_order_do_not_change_it() {
    let value: Value = serde_json::from_str(HAND_WRITTEN).unwrap();
    let compact = serde_json::to_string(&value).unwrap();
    // Every object's keys reversed.
    fn reversed(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reversed(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }
    let shuffled = serde_json::to_string_pretty(&reversed(&value)).unwrap();
    assert_ne!(compact, shuffled);
    assert_eq!(hash_of(&compact), hash_of(HAND_WRITTEN));
    assert_eq!(hash_of(&shuffled), hash_of(HAND_WRITTEN));
}

#[test]
fn what_the_desk_writes_reads_back_as_the_same_policy() {
    let policy = Policy::from_json(HAND_WRITTEN.as_bytes()).unwrap();
    let written = policy.to_json();
    let again = Policy::from_json(written.as_bytes()).unwrap();
    assert_eq!(again.sha256(), policy.sha256());
    assert_eq!(again.document(), policy.document());
    // Every field of the editor's file survives, those the desk does not read included
    // (contentType, the edges' type, the input node's schema, positions as written).
    let original: Value = serde_json::from_str(HAND_WRITTEN).unwrap();
    let written: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(written, original);
}

#[test]
fn a_changed_cell_changes_it() {
    let mut value: Value = serde_json::from_str(HAND_WRITTEN).unwrap();
    value["nodes"][1]["content"]["rules"][0]["in-score"] = json!("> 3");
    assert_ne!(hash_of(&value.to_string()), hash_of(HAND_WRITTEN));
}

#[test]
fn a_moved_node_changes_it_too() {
    // The version is the whole document the decision record can show again, layout included.
    let mut value: Value = serde_json::from_str(HAND_WRITTEN).unwrap();
    value["nodes"][1]["position"]["x"] = json!(341);
    assert_ne!(hash_of(&value.to_string()), hash_of(HAND_WRITTEN));
}

#[test]
fn a_policy_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Policy>();
}
