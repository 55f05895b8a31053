//! A JDM file written by hand, as GoRules' editor saves it (positions, uuids, node settings),
//! evaluated to the outputs worked out here from its rows: a `first` table with the unary cells
//! `> 2`, `[1..5]` and `"A", "B"`, a `collect` table with `$ < 0.4` and a column without a field,
//! two tables merged into an expression node that reads `$` for its own earlier keys.

use desk_policy::policy::{Decision, Policy};
use serde_json::{json, Value};

const HAND_WRITTEN: &str = include_str!("data/hand_written.json");

fn policy() -> Policy {
    Policy::from_json(HAND_WRITTEN.as_bytes()).expect("the hand-written file is valid")
}

fn reason(rule: &str, attribute: &str, outcome: &str, text: &str) -> Value {
    json!({ "rule": rule, "attribute": attribute, "outcome": outcome, "text": text })
}

#[test]
fn first_hit_takes_the_first_matching_row_and_collect_takes_every_one() {
    let evaluation = policy()
        .evaluate(&json!({ "score": 3, "grade": "B", "utilization": 0.2 }))
        .unwrap();
    // Tier: row 1 (3 > 2 and "B" is one of "A", "B"); row 2 would match too, but first hit stops.
    // Reasons: only row 1 (0.2 < 0.4); 3 > 4 is false and 0.2 is not >= 0.9.
    assert_eq!(
        evaluation.output,
        json!({
            "tier": "gold",
            "decision": "pass",
            "reasons": [reason("low_utilization", "utilization", "pass", "You use little of your credit.")],
            "counts": { "reasons": 1, "double": 2 },
            "limit": 5000
        })
    );
    assert_eq!(evaluation.decision, Decision::Pass);
    assert_eq!(evaluation.trace.matched_rows("Tier"), vec![1]);
    assert_eq!(evaluation.trace.matched_rows("Reasons"), vec![1]);
    // The reason's value: the row left it empty, so it is the input's at its attribute.
    assert_eq!(evaluation.reasons.len(), 1);
    assert_eq!(evaluation.reasons[0].value, json!(0.2));
    assert_eq!(evaluation.reasons[0].outcome, Some(Decision::Pass));
}

#[test]
fn a_range_cell_and_several_collected_rows() {
    let evaluation = policy()
        .evaluate(&json!({ "score": 4.5, "grade": "C", "utilization": 0.95 }))
        .unwrap();
    // Tier: "C" fails row 1; 4.5 is in [1..5], so row 2, whose limit is score * 200.
    // Reasons: rows 2 (4.5 > 4) and 3 (0.95 >= 0.9), in row order.
    assert_eq!(evaluation.output["tier"], json!("silver"));
    assert_eq!(evaluation.output["limit"], json!(900));
    assert_eq!(
        evaluation.output["counts"],
        json!({ "reasons": 2, "double": 4 })
    );
    assert_eq!(evaluation.decision, Decision::Refer);
    assert_eq!(evaluation.trace.matched_rows("Tier"), vec![2]);
    assert_eq!(evaluation.trace.matched_rows("Reasons"), vec![2, 3]);
    let rules: Vec<_> = evaluation.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["high_score", "maxed_out"]);
    // Row 2 wrote its own value (score * 10); row 3 left it to the input.
    assert_eq!(evaluation.reasons[0].value, json!(45));
    assert_eq!(evaluation.reasons[1].value, json!(0.95));
}

#[test]
fn a_catch_all_row_and_a_cell_that_cannot_compare_null() {
    let evaluation = policy()
        .evaluate(&json!({ "score": 7, "grade": "C", "utilization": null }))
        .unwrap();
    // Tier: 7 is outside [1..5]: the empty row 3. Reasons: `$ < 0.4` and `>= 0.9` on null do
    // not match (zen: an error in an input cell is no match); `score > 4` does.
    assert_eq!(evaluation.output["tier"], json!("none"));
    assert_eq!(evaluation.output["limit"], json!(0));
    assert_eq!(evaluation.decision, Decision::Decline);
    assert_eq!(evaluation.trace.matched_rows("Tier"), vec![3]);
    assert_eq!(evaluation.trace.matched_rows("Reasons"), vec![2]);
    assert_eq!(evaluation.reasons[0].value, json!(70));
}

#[test]
fn the_trace_keeps_the_rows_ids_and_the_values_they_saw() {
    let evaluation = policy()
        .evaluate(&json!({ "score": 3, "grade": "B", "utilization": 0.2 }))
        .unwrap();
    let tier = &evaluation
        .trace
        .nodes
        .iter()
        .find(|n| n.name == "Tier")
        .unwrap();
    assert_eq!(tier.kind, "decisionTableNode");
    assert_eq!(tier.rows.len(), 1);
    let row = &tier.rows[0];
    assert_eq!((row.row, row.id.as_deref()), (1, Some("tier-gold")));
    assert_eq!(row.description.as_deref(), Some("strong score, good grade"));
    assert_eq!(
        row.seen,
        json!({ "score": 3, "grade": "B" })
            .as_object()
            .unwrap()
            .clone()
    );
    assert_eq!(
        row.output,
        json!({ "tier": "gold", "offer": { "limit": 5000 } })
    );
    let summary = &evaluation
        .trace
        .nodes
        .iter()
        .find(|n| n.name == "Summary")
        .unwrap();
    assert_eq!(summary.values["counts.double"], json!(2));
    // The trace is what the decision record stores: it survives JSON.
    let stored = serde_json::to_value(&evaluation).unwrap();
    let back: desk_policy::policy::Evaluation = serde_json::from_value(stored).unwrap();
    assert_eq!(back, evaluation);
}

#[test]
fn the_attributes_used_are_the_input_fields_not_what_nodes_write() {
    let used: Vec<String> = policy().attributes_used().into_iter().collect();
    // `tier`, `offer.limit` and `reasons` are written by the tables, so not asked of the input.
    assert_eq!(used, ["grade", "score", "utilization"]);
    assert!(policy()
        .check_attributes(|a| ["grade", "score", "utilization"].contains(&a))
        .is_ok());
}

#[test]
fn a_first_hit_table_with_collect_columns_gathers_them_from_every_match() {
    let doc = json!({
        "nodes": [
            { "id": "in", "name": "in", "type": "inputNode", "position": { "x": 0, "y": 0 } },
            { "id": "t", "name": "Tags", "type": "decisionTableNode", "position": { "x": 200, "y": 0 },
              "content": {
                "hitPolicy": "first",
                "inputs": [{ "id": "a", "name": "Amount", "field": "amount" }],
                "outputs": [
                    { "id": "o1", "name": "Band", "field": "band" },
                    { "id": "o2", "name": "Tags", "field": "tags[]" }
                ],
                "rules": [
                    { "_id": "r1", "a": "> 100", "o1": "\"high\"", "o2": "\"big\"" },
                    { "_id": "r2", "a": "> 10", "o1": "\"mid\"", "o2": "\"medium\"" },
                    { "_id": "r3", "a": "", "o1": "\"low\"", "o2": "\"any\"" }
                ],
                "passThrough": false
              } },
            { "id": "x", "name": "Decide", "type": "expressionNode", "position": { "x": 400, "y": 0 },
              "content": { "expressions": [
                  { "id": "x1", "key": "decision", "value": "band == \"high\" ? \"refer\" : \"pass\"" },
                  { "id": "x2", "key": "tags", "value": "tags" }
              ], "passThrough": false } },
            { "id": "out", "name": "out", "type": "outputNode", "position": { "x": 600, "y": 0 } }
        ],
        "edges": [
            { "id": "e1", "sourceId": "in", "targetId": "t" },
            { "id": "e2", "sourceId": "t", "targetId": "x" },
            { "id": "e3", "sourceId": "x", "targetId": "out" }
        ]
    });
    let policy = Policy::from_json(doc.to_string().as_bytes()).unwrap();
    let evaluation = policy.evaluate(&json!({ "amount": 500 })).unwrap();
    assert_eq!(
        evaluation.output,
        json!({ "decision": "refer", "tags": ["big", "medium", "any"] })
    );
    assert_eq!(evaluation.trace.matched_rows("Tags"), vec![1, 2, 3]);
}

#[test]
fn an_output_without_a_valid_decision_is_an_error() {
    let mut doc: Value = serde_json::from_str(HAND_WRITTEN).unwrap();
    doc["nodes"][3]["content"]["expressions"][1]["value"] = json!("\"approve\"");
    let policy = Policy::from_json(doc.to_string().as_bytes()).unwrap();
    let err = policy
        .evaluate(&json!({ "score": 3, "grade": "B", "utilization": 0.2 }))
        .unwrap_err();
    assert_eq!(err.to_string(), "the policy's output has no decision of pass, refer or decline (its decision is \"approve\")");
}

/// GoRules' node settings, and the merge of two parents. The expected output is what
/// zen-engine 2.1.6 itself gave for this file and input (run once, outside the workspace).
#[test]
fn node_settings_and_merging_as_zen_engine_does_them() {
    let policy = Policy::from_json(include_bytes!("data/node_settings.json")).unwrap();
    let input = json!({
        "order": { "lines": [
            { "amount": 150, "kind": "sale" },
            { "amount": 5, "kind": "nsf" },
            { "amount": 20, "kind": "sale" }
        ] },
        "side": "input"
    });
    let (output, trace) = policy.run(&input).unwrap();
    assert_eq!(
        output,
        json!({
            // Lines: loops over order.lines (input field), each line merged with its row's
            // output (pass-through), the list written under `lines` (output path).
            "lines": [
                { "amount": 150, "band": "big", "calc": { "doubled": 300 }, "kind": "sale" },
                { "amount": 5, "band": "fee", "kind": "nsf" },
                { "amount": 20, "band": "small", "calc": { "doubled": 20 }, "kind": "sale" }
            ],
            "order": input["order"],
            // Left and Right both write `side`: the edge written first (Left's) wins; the
            // objects under `shared` merge.
            "shared": { "x": 1, "y": 2 },
            "side": "left",
            // Sum: `$nodes.Left` reads another node's output, `$.bigs` an earlier key.
            "summary": { "bigs": 1, "decision": "refer", "left": "left", "merged": "left", "total": 175 }
        })
    );
    let lines = trace.nodes.iter().find(|n| n.name == "Lines").unwrap();
    let matched: Vec<_> = lines.rows.iter().map(|r| (r.element, r.row)).collect();
    assert_eq!(matched, [(Some(0), 1), (Some(1), 2), (Some(2), 3)]);
}
