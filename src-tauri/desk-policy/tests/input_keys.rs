//! `Policy::input_keys` and `Policy::decide`, what-if's fast path: the input cut down to the
//! keys a policy reads decides exactly as the whole input does, untraced as traced, and a policy
//! that reads the input whole says so.

use chrono::NaiveDate;
use desk_policy::policy::Policy;
use flinks_sandbox::catalog::Package;
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::personas;
use serde_json::{json, Map, Value};

const PERSONAL_LOAN: &[u8] = include_bytes!("../policies/personal-loan.json");
const SMALL_BUSINESS: &[u8] = include_bytes!("../policies/small-business.json");

fn cut(input: &Value, keys: &std::collections::BTreeSet<String>) -> Value {
    Value::Object(
        input
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| keys.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Map<_, _>>(),
    )
}

#[test]
fn the_shipped_policies_decide_the_same_on_the_keys_they_read() {
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    for (document, package) in [
        (PERSONAL_LOAN, Package::Lending),
        (SMALL_BUSINESS, Package::BusinessAnalysis),
    ] {
        let policy = Policy::from_json(document).unwrap();
        let keys = policy
            .input_keys()
            .expect("the shipped policies read named fields");
        let mut fewer = 0;
        for persona in personas::cast(personas::DEFAULT_SEED, as_of) {
            let input = Value::Object(
                engine::package(package, &persona, as_of, &Scope::default())
                    .into_iter()
                    .map(|a| (a.name, a.value.to_json()))
                    .collect(),
            );
            let small = cut(&input, &keys);
            fewer +=
                usize::from(small.as_object().unwrap().len() < input.as_object().unwrap().len());
            let whole = policy.evaluate(&input).unwrap();
            let part = policy.evaluate(&small).unwrap();
            assert_eq!(whole.decision, part.decision, "{}", persona.username);
            assert_eq!(whole.reasons, part.reasons, "{}", persona.username);
            assert_eq!(whole.trace, part.trace, "{}", persona.username);
            // What-if's way (no trace, two keys of the output read) decides the same.
            let (decision, reasons) = policy.decide(&small).unwrap();
            assert_eq!((decision, &reasons), (whole.decision, &whole.reasons));
        }
        assert!(fewer > 0, "the cut input is smaller than the package");
    }
}

fn one_table(cell: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "content": {}},
            {"id": "t", "type": "decisionTableNode", "name": "t", "content": {
                "hitPolicy": "first",
                "inputs": [{"id": "c", "field": "score"}],
                "outputs": [{"id": "d", "field": "decision"}],
                "rules": [
                    {"_id": "r1", "c": cell, "d": "\"decline\""},
                    {"_id": "r2", "c": "", "d": "\"pass\""}
                ]}},
            {"id": "out", "type": "outputNode", "name": "out", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "t"},
            {"id": "e2", "sourceId": "t", "targetId": "out"}
        ]
    }))
    .unwrap()
}

#[test]
fn a_policy_reading_the_whole_input_has_no_key_list() {
    let named = Policy::from_json(&one_table("> 3")).unwrap();
    let keys: Vec<String> = named.input_keys().unwrap().into_iter().collect();
    assert_eq!(keys, ["decision", "reasons", "score"]);
    // `$` in a unary cell is the cell's own value: still only `score`.
    let own = Policy::from_json(&one_table("$ > 3")).unwrap();
    assert!(own.input_keys().is_some());
    // `$root.other` reads the input by another way in: nothing may be left out.
    let root = Policy::from_json(&one_table("$root.other > 3")).unwrap();
    assert_eq!(root.input_keys(), None);
    let input = json!({"score": 1, "other": 5});
    assert_eq!(root.evaluate(&input).unwrap().decision.as_str(), "decline");
}
