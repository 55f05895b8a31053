//! The policy screen's use cases through the desk and its real store: open a shipped policy,
//! edit a cell and save (every version kept, by hash), an invalid cell refused with its node,
//! row and column and nothing stored, two versions compared row by row, and JDM files exported
//! and imported.

mod common;

use std::path::Path;
use std::sync::Arc;

use desk_core::{Desk, DeskError, MemoryStore, Policy};
use desk_policy::policy::{PolicyError, Side};
use serde_json::{json, Value};

const NSF_COLUMN: &str = "d076a745-407d-5950-84ee-b40f25b7ea2f";
const FIRST_ROW: &str = "34576f23-76b1-5b3d-af3d-d00d23ac8260";

async fn start(dir: &Path) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), Arc::new(MemoryStore::default())).await
}

/// The policy's decision table named `table`, from its JDM JSON.
fn table_mut<'a>(doc: &'a mut Value, table: &str) -> &'a mut Value {
    doc["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["name"] == table)
        .map(|n| &mut n["content"])
        .unwrap_or_else(|| panic!("no table {table}"))
}

/// The opened policy with one cell of the Reasons table set.
fn with_cell(json_text: &str, row: usize, column: &str, cell: &str) -> Vec<u8> {
    let mut doc: Value = serde_json::from_str(json_text).unwrap();
    table_mut(&mut doc, "Reasons")["rules"][row][column] = json!(cell);
    serde_json::to_vec_pretty(&doc).unwrap()
}

#[tokio::test]
async fn a_shipped_policy_opens_edits_and_keeps_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;

    let listed = desk.policies().unwrap();
    let personal = listed
        .iter()
        .find(|p| p.name == "personal-loan")
        .expect("the shipped personal-loan policy is listed");
    assert!(personal.shipped && personal.latest.is_none() && personal.versions == 0);

    let opened = desk.open_policy("personal-loan", None).unwrap();
    assert!(opened.version.is_none(), "not saved here yet");
    let reasons = opened.tables.iter().find(|t| t.name == "Reasons").unwrap();
    assert_eq!(reasons.hit_policy, "collect");
    assert_eq!(
        reasons.inputs[0].field.as_deref(),
        Some("count_nsf_90_days")
    );
    assert_eq!(reasons.rows[0].id.as_deref(), Some(FIRST_ROW));
    assert_eq!(reasons.rows[0].index, 1);
    assert_eq!(reasons.rows[0].cells[0], ">= 2");
    assert_eq!(
        reasons.rows[0].cells.len(),
        reasons.inputs.len() + reasons.outputs.len()
    );

    // Saved as it is: one version, the shipped one.
    let first = desk
        .save_policy("personal-loan", opened.json.as_bytes(), "first")
        .unwrap();
    assert_eq!(first.sha256, opened.sha256);
    assert!(!first.already_saved);

    // A threshold moved, saved: a second version, another hash.
    let edited = with_cell(&opened.json, 0, NSF_COLUMN, ">= 3");
    let second = desk
        .save_policy("personal-loan", &edited, "three NSF returns")
        .unwrap();
    assert_ne!(second.sha256, first.sha256);
    assert_eq!(second.short_sha, &second.sha256[..12]);
    assert_eq!(second.note, "three NSF returns");

    // The same document again (other spacing) is the same version.
    let again: Value = serde_json::from_slice(&edited).unwrap();
    let same = desk
        .save_policy(
            "personal-loan",
            serde_json::to_string(&again).unwrap().as_bytes(),
            "",
        )
        .unwrap();
    assert!(same.already_saved);
    assert_eq!(same.sha256, second.sha256);

    let versions = desk.policy_versions("personal-loan").unwrap();
    let hashes: Vec<&str> = versions.iter().map(|v| v.sha256.as_str()).collect();
    assert_eq!(hashes, [second.sha256.as_str(), first.sha256.as_str()]);

    // Opened by hash, each version is as it was saved; opened without one, the latest.
    let old = desk
        .open_policy("personal-loan", Some(&first.sha256))
        .unwrap();
    assert_eq!(old.tables[0].rows[0].cells[0], ">= 2");
    let latest = desk.open_policy("personal-loan", None).unwrap();
    assert_eq!(latest.sha256, second.sha256);
    assert_eq!(latest.tables[0].rows[0].cells[0], ">= 3");
    let summary = desk
        .policies()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "personal-loan")
        .unwrap();
    assert_eq!(summary.versions, 2);
    assert_eq!(summary.latest.unwrap().sha256, second.sha256);
}

#[tokio::test]
async fn the_first_edit_of_a_shipped_policy_keeps_the_shipped_version_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let opened = desk.open_policy("personal-loan", None).unwrap();
    let edited = with_cell(&opened.json, 0, NSF_COLUMN, ">= 3");
    let saved = desk.save_policy("personal-loan", &edited, "").unwrap();
    let versions = desk.policy_versions("personal-loan").unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].sha256, saved.sha256);
    assert_eq!(versions[1].sha256, opened.sha256);
    assert_eq!(versions[1].note, "As shipped with Flinks Desk");
}

#[tokio::test]
async fn an_invalid_cell_is_refused_with_its_position_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let opened = desk.open_policy("personal-loan", None).unwrap();
    let broken = with_cell(&opened.json, 2, NSF_COLUMN, ">= (2");
    let error = desk
        .save_policy("personal-loan", &broken, "broken")
        .unwrap_err();
    assert_eq!(error.code().to_string(), "policy.invalid");
    let DeskError::Policy(PolicyError::Cell { at, cell, .. }) = &error else {
        panic!("not a cell error: {error:?}");
    };
    assert_eq!(cell, ">= (2");
    assert_eq!(at.node.name, "Reasons");
    let row = at.row.as_ref().unwrap();
    assert_eq!(row.index, 3);
    let column = at.column.as_ref().unwrap();
    assert_eq!(column.id, NSF_COLUMN);
    assert_eq!(column.side, Side::Input);
    assert_eq!(column.name, "NSF returns, 90 days");
    // The page reads where from the error to mark the cell.
    let DeskError::Policy(policy_error) = &error else {
        unreachable!()
    };
    assert_eq!(
        desk_core::policy_view::error_location(policy_error),
        Some(&**at)
    );
    let text = error.to_string();
    assert!(
        text.contains("\"Reasons\"")
            && text.contains("row 3")
            && text.contains("NSF returns, 90 days"),
        "{text}"
    );
    assert!(desk.policy_versions("personal-loan").unwrap().is_empty());
    assert!(desk.policies().unwrap().iter().all(|p| p.versions == 0));

    // A hit policy the desk does not evaluate is refused too, naming the table.
    let mut doc: Value = serde_json::from_str(&opened.json).unwrap();
    table_mut(&mut doc, "Reasons")["hitPolicy"] = json!("unique");
    let error = desk
        .save_policy("personal-loan", &serde_json::to_vec(&doc).unwrap(), "")
        .unwrap_err();
    assert!(
        matches!(&error, DeskError::Policy(PolicyError::HitPolicy { .. })),
        "{error:?}"
    );
    assert!(desk.policy_versions("personal-loan").unwrap().is_empty());
}

#[tokio::test]
async fn two_versions_compare_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let opened = desk.open_policy("personal-loan", None).unwrap();
    let before = desk
        .save_policy("personal-loan", opened.json.as_bytes(), "")
        .unwrap();

    // A cell changed, a row removed, a row added, the hit policy switched.
    let mut doc: Value = serde_json::from_str(&opened.json).unwrap();
    let table = table_mut(&mut doc, "Reasons");
    table["rules"][0][NSF_COLUMN] = json!(">= 3");
    let rules = table["rules"].as_array_mut().unwrap();
    let removed = rules.remove(1);
    let mut added = rules[0].clone();
    added["_id"] = json!("new-row");
    added["_description"] = json!("a new rule");
    rules.push(added);
    table["hitPolicy"] = json!("first");
    let after = desk
        .save_policy("personal-loan", &serde_json::to_vec(&doc).unwrap(), "")
        .unwrap();

    let diff = desk
        .diff_versions("personal-loan", &before.sha256, &after.sha256)
        .unwrap();
    assert!(!diff.same_rules);
    assert!(diff.other_nodes.is_empty(), "{:?}", diff.other_nodes);
    let [table] = &diff.tables[..] else {
        panic!("one table changed: {:?}", diff.tables);
    };
    assert_eq!(table.name, "Reasons");
    assert_eq!(
        table.hit_policy,
        Some(["collect".to_owned(), "first".to_owned()])
    );
    let [changed] = &table.changed[..] else {
        panic!("one row changed: {:?}", table.changed);
    };
    assert_eq!(changed.id.as_deref(), Some(FIRST_ROW));
    assert_eq!((changed.index_before, changed.index_after), (1, 1));
    let [cell] = &changed.cells[..] else {
        panic!("one cell: {:?}", changed.cells);
    };
    assert_eq!(cell.column, "NSF returns, 90 days");
    assert_eq!(cell.field.as_deref(), Some("count_nsf_90_days"));
    assert_eq!(
        (cell.before.as_str(), cell.after.as_str()),
        (">= 2", ">= 3")
    );
    let [gone] = &table.removed[..] else {
        panic!("one row removed: {:?}", table.removed);
    };
    assert_eq!(gone.id.as_deref(), removed["_id"].as_str());
    let [new] = &table.added[..] else {
        panic!("one row added: {:?}", table.added);
    };
    assert_eq!(new.id.as_deref(), Some("new-row"));
    assert_eq!(new.description.as_deref(), Some("a new rule"));

    // A version compared with itself: nothing.
    let same = desk
        .diff_versions("personal-loan", &after.sha256, &after.sha256)
        .unwrap();
    assert!(same.same_rules && same.tables.is_empty());

    // An expression changed is named, though it is no table.
    let mut doc: Value = serde_json::from_str(&opened.json).unwrap();
    doc["nodes"][1]["content"]["expressions"][0]["value"] = json!("1");
    let ratios = desk
        .save_policy("personal-loan", &serde_json::to_vec(&doc).unwrap(), "")
        .unwrap();
    let diff = desk
        .diff_versions("personal-loan", &before.sha256, &ratios.sha256)
        .unwrap();
    assert!(diff.tables.is_empty());
    assert_eq!(diff.other_nodes.len(), 1);
    assert_eq!(diff.other_nodes[0].name, "Ratios");
    assert_eq!(diff.other_nodes[0].change, "changed");

    let unknown = desk
        .diff_versions("personal-loan", &before.sha256, "0123456789ab")
        .unwrap_err();
    assert_eq!(unknown.code().to_string(), "input.invalid");
}

#[tokio::test]
async fn an_export_reads_back_as_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let opened = desk.open_policy("small-business", None).unwrap();
    let saved = desk
        .save_policy("small-business", opened.json.as_bytes(), "")
        .unwrap();
    let exported = desk.export_policy("small-business", &saved.sha256).unwrap();
    assert_eq!(exported, opened.json, "as GoRules' editor writes it");
    let policy = Policy::from_json(exported.as_bytes()).unwrap();
    assert_eq!(policy.sha256(), saved.sha256);
    // A shipped policy exports as it came, saved here or not.
    let shipped = desk.open_policy("personal-loan", None).unwrap();
    let file = desk
        .export_policy("personal-loan", &shipped.sha256)
        .unwrap();
    assert_eq!(
        Policy::from_json(file.as_bytes()).unwrap().sha256(),
        shipped.sha256
    );
    let value: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(value["contentType"], "application/vnd.gorules.decision");
    assert_eq!(
        Desk::policy_file_name("small-business", &saved.sha256),
        format!("small-business-{}.json", &saved.sha256[..12])
    );
    assert_eq!(
        Desk::policy_file_name(" Personal loan / v2 ", &saved.sha256),
        format!("personal-loan---v2-{}.json", &saved.sha256[..12])
    );
}

/// A policy typed by hand, the way someone would write a file for GoRules' editor: one table,
/// first hit, no `_id`s, no positions.
const HAND_WRITTEN: &str = r#"{
  "contentType": "application/vnd.gorules.decision",
  "nodes": [
    {"id": "request", "type": "inputNode", "name": "Request"},
    {"id": "rules", "type": "decisionTableNode", "name": "Thresholds",
     "content": {
       "hitPolicy": "first",
       "inputs": [{"id": "nsf", "name": "NSF", "field": "count_nsf_90_days"}],
       "outputs": [{"id": "decision", "name": "Decision", "field": "decision"}],
       "rules": [
         {"nsf": "> 0", "decision": "\"refer\""},
         {"nsf": "", "decision": "\"pass\""}
       ]
     }},
    {"id": "response", "type": "outputNode", "name": "Response"}
  ],
  "edges": [
    {"id": "e1", "sourceId": "request", "targetId": "rules"},
    {"id": "e2", "sourceId": "rules", "targetId": "response"}
  ]
}"#;

#[tokio::test]
async fn a_hand_written_file_imports_as_a_new_policy() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let imported = desk
        .import_policy("NSF only", HAND_WRITTEN.as_bytes())
        .unwrap();
    assert_eq!(imported.name, "NSF only");
    assert_eq!(imported.note, "Imported from a JDM file");
    let listed = desk.policies().unwrap();
    let mine = listed.iter().find(|p| p.name == "NSF only").unwrap();
    assert!(!mine.shipped);
    assert_eq!(mine.versions, 1);

    let opened = desk.open_policy("NSF only", None).unwrap();
    let [table] = &opened.tables[..] else {
        panic!("one table")
    };
    assert_eq!(table.hit_policy, "first");
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].id, None);
    assert_eq!(table.rows[0].cells, ["> 0", "\"refer\""]);
    assert_eq!(table.rows[1].cells, ["", "\"pass\""]);

    // A second import of the same file is the same version; an edited one, a new version
    // whose rows (no `_id`) are matched by position.
    let again = desk
        .import_policy("NSF only", HAND_WRITTEN.as_bytes())
        .unwrap();
    assert!(again.already_saved);
    let edited = HAND_WRITTEN.replace("\"> 0\"", "\"> 1\"");
    let second = desk.import_policy("NSF only", edited.as_bytes()).unwrap();
    let diff = desk
        .diff_versions("NSF only", &imported.sha256, &second.sha256)
        .unwrap();
    assert_eq!(diff.tables[0].changed[0].index_after, 1);
    assert_eq!(diff.tables[0].changed[0].cells[0].after, "> 1");

    // A file that is not JSON, or not JDM, is refused and stores nothing.
    let not_json = desk.import_policy("Broken", b"{\"nodes\": [").unwrap_err();
    assert_eq!(not_json.code().to_string(), "policy.invalid");
    let not_jdm = desk
        .import_policy("Broken", b"{\"rules\": []}")
        .unwrap_err();
    assert_eq!(not_jdm.code().to_string(), "policy.invalid");
    assert!(desk.policies().unwrap().iter().all(|p| p.name != "Broken"));
    // Nor is a policy without a name.
    let unnamed = desk
        .import_policy("  ", HAND_WRITTEN.as_bytes())
        .unwrap_err();
    assert_eq!(unnamed.code().to_string(), "input.invalid");
}

#[tokio::test]
async fn an_unknown_policy_or_version_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let e = desk.open_policy("no such policy", None).unwrap_err();
    assert!(e.to_string().contains("no such policy"), "{e}");
    let e = desk
        .open_policy("personal-loan", Some("deadbeef"))
        .unwrap_err();
    assert!(e.to_string().contains("deadbeef"), "{e}");
    let e = desk.export_policy("personal-loan", "deadbeef").unwrap_err();
    assert_eq!(e.code().to_string(), "input.invalid");
}
