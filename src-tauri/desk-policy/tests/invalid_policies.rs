//! A policy that is not JSON, not JDM, or not runnable is refused with an error that says where:
//! the node (name and id), the row (1-based and its `_id`) and the column.

use desk_policy::policy::{Policy, PolicyError, Side};
use serde_json::{json, Value};

const HAND_WRITTEN: &str = include_str!("data/hand_written.json");

fn document() -> Value {
    serde_json::from_str(HAND_WRITTEN).unwrap()
}

fn load(doc: &Value) -> Result<Policy, PolicyError> {
    Policy::from_json(doc.to_string().as_bytes())
}

const TIER: usize = 1;
const REASONS: usize = 2;
const SUMMARY: usize = 3;

#[test]
fn a_cell_that_does_not_parse_names_node_row_and_column() {
    let mut doc = document();
    doc["nodes"][REASONS]["content"]["rules"][2]["in-util"] = json!(">= 0.9 and and");
    let err = load(&doc).unwrap_err();
    let PolicyError::Cell { at, cell, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(cell, ">= 0.9 and and");
    assert_eq!(at.node.name, "Reasons");
    assert_eq!(at.node.id, "c3e7f2a5-9d4b-4b1f-b6a2-8d0f3e5c7b03");
    let row = at.row.as_ref().unwrap();
    assert_eq!((row.index, row.id.as_deref()), (3, Some("maxed")));
    let column = at.column.as_ref().unwrap();
    assert_eq!(
        (column.side, column.name.as_str()),
        (Side::Input, "Utilization")
    );
    assert!(
        err.to_string().starts_with(
            "node \"Reasons\" (decisionTableNode, id c3e7f2a5-9d4b-4b1f-b6a2-8d0f3e5c7b03), \
             row 3 (_id maxed), input column \"Utilization\" (field utilization): \
             \">= 0.9 and and\" does not parse: "
        ),
        "{err}"
    );
}

#[test]
fn an_output_cell_and_an_expression_are_checked_too() {
    let mut doc = document();
    doc["nodes"][TIER]["content"]["rules"][1]["out-limit"] = json!("score * (200");
    let err = load(&doc).unwrap_err();
    let PolicyError::Cell { at, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.row.as_ref().unwrap().index, 2);
    let column = at.column.as_ref().unwrap();
    assert_eq!((column.side, column.name.as_str()), (Side::Output, "Limit"));

    let mut doc = document();
    doc["nodes"][SUMMARY]["content"]["expressions"][3]["value"] = json!("len(reasons");
    let err = load(&doc).unwrap_err();
    let PolicyError::Cell { at, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.node.name, "Summary");
    assert_eq!(at.row.as_ref().unwrap().index, 4);
    assert_eq!(at.column.as_ref().unwrap().name, "counts.reasons");
}

#[test]
fn a_policy_without_an_input_node_or_with_two() {
    let mut doc = document();
    doc["nodes"].as_array_mut().unwrap().remove(0);
    doc["edges"].as_array_mut().unwrap().drain(..2);
    assert_eq!(
        load(&doc).unwrap_err(),
        PolicyError::InputNodes { count: 0 }
    );

    let mut doc = document();
    let mut second = doc["nodes"][0].clone();
    second["id"] = json!("another-input");
    doc["nodes"].as_array_mut().unwrap().push(second);
    assert_eq!(
        load(&doc).unwrap_err(),
        PolicyError::InputNodes { count: 2 }
    );
}

#[test]
fn a_policy_without_an_output_node() {
    let mut doc = document();
    doc["nodes"].as_array_mut().unwrap().pop();
    doc["edges"].as_array_mut().unwrap().pop();
    assert_eq!(load(&doc).unwrap_err(), PolicyError::NoOutputNode);
}

#[test]
fn a_cycle_is_named_by_its_nodes() {
    let mut doc = document();
    // Summary back into Tier: Tier → Summary → Tier.
    doc["edges"].as_array_mut().unwrap().push(json!({
        "id": "edge-back", "type": "edge",
        "sourceId": "d4f8a3b6-0e5c-4c2a-87b3-9e1a4f6d8c04",
        "targetId": "b2d6e1f4-8c3a-4a0e-a5f1-7c9e2d4b6a02"
    }));
    let err = load(&doc).unwrap_err();
    let PolicyError::Cycle { nodes } = &err else {
        panic!("{err:?}")
    };
    let names: Vec<_> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Tier", "Summary", "Tier"]);
    assert_eq!(
        err.to_string(),
        "the edges go round in a cycle through \"Tier\" → \"Summary\" → \"Tier\""
    );
}

#[test]
fn an_edge_to_a_node_that_is_not_there() {
    let mut doc = document();
    doc["edges"][4]["targetId"] = json!("nowhere");
    assert_eq!(
        load(&doc).unwrap_err(),
        PolicyError::DanglingEdge {
            edge: "edge-5".into(),
            missing: "nowhere".into()
        }
    );
}

#[test]
fn an_unknown_hit_policy_names_the_table() {
    let mut doc = document();
    doc["nodes"][TIER]["content"]["hitPolicy"] = json!("unique");
    let err = load(&doc).unwrap_err();
    let PolicyError::HitPolicy { at, found } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((at.node.name.as_str(), found.as_str()), ("Tier", "unique"));
    assert_eq!(
        err.to_string(),
        "node \"Tier\" (decisionTableNode, id b2d6e1f4-8c3a-4a0e-a5f1-7c9e2d4b6a02): \
         the hit policy \"unique\" is not one the desk evaluates (first or collect)"
    );
}

#[test]
fn a_node_type_the_desk_does_not_run() {
    let mut doc = document();
    doc["nodes"][SUMMARY]["type"] = json!("functionNode");
    doc["nodes"][SUMMARY]["content"] = json!({ "source": "export const handler = () => ({})" });
    let err = load(&doc).unwrap_err();
    let PolicyError::UnsupportedNode { at } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.node.kind, "functionNode");
}

#[test]
fn a_cell_that_is_not_text_names_its_row() {
    let mut doc = document();
    doc["nodes"][TIER]["content"]["rules"][0]["out-limit"] = json!(5000);
    let err = load(&doc).unwrap_err();
    let PolicyError::Content { at, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.row.as_ref().unwrap().id.as_deref(), Some("tier-gold"));
    assert!(message.contains("out-limit"), "{message}");
}

#[test]
fn not_json_says_where_it_stops() {
    let err = Policy::from_json(b"{\n  \"nodes\": [\n    {\"id\": }\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the policy is not JSON: expected value (line 3, column 12)"
    );
}

#[test]
fn json_that_is_not_jdm() {
    let err = Policy::from_json(br#"{"rules": []}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the policy is not a JDM decision graph: it has no list of nodes"
    );
    let err =
        Policy::from_json(br#"{"nodes": [{"id": "a", "name": "a"}], "edges": []}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the policy is not a JDM decision graph: node 1 (id a): missing field `type`"
    );
}

#[test]
fn an_attribute_the_package_does_not_have_names_the_column() {
    let policy = load(&document()).unwrap();
    let err = policy
        .check_attributes(|a| a == "score" || a == "grade")
        .unwrap_err();
    let PolicyError::UnknownAttribute { at, attribute } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(attribute, "utilization");
    assert_eq!(at.node.name, "Reasons");
    assert_eq!(at.column.as_ref().unwrap().name, "Utilization");
}

#[test]
fn an_output_cell_that_fails_at_run_time_is_an_error_not_a_skipped_row() {
    let mut doc = document();
    // Parses, but `upper` of a number fails when the row matches.
    doc["nodes"][TIER]["content"]["rules"][0]["out-tier"] = json!("upper(score)");
    let policy = load(&doc).unwrap();
    let err = policy
        .evaluate(&json!({ "score": 3, "grade": "A", "utilization": 0.5 }))
        .unwrap_err();
    let PolicyError::Evaluation { at, expression, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(expression, "upper(score)");
    assert_eq!(at.row.as_ref().unwrap().index, 1);
    assert_eq!(at.column.as_ref().unwrap().name, "Tier");
}
