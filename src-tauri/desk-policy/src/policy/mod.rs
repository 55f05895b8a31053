//! GoRules JDM decision graphs: parse, validate with positions, evaluate.
//!
//! A policy is a JDM file as GoRules' free editor saves it, so a policy written there runs in
//! the desk and a desk policy opens there. The desk evaluates input, output, decision table
//! (hit policies `first` and `collect`) and expression nodes, with GoRules' own expression
//! language (`zen-expression`); the graph walk is ours and mirrors zen-engine 2.1 (see
//! `evaluate`), because zen-engine brings a JavaScript engine for function nodes we refuse.
//!
//! # The desk's conventions, kept inside the JDM
//!
//! The input is one object: the run's attributes by name (`count_nsf_90_days`…), plus the
//! affordability figures under `affordability`. The output must have:
//! - `decision`: `"pass"`, `"refer"` or `"decline"`; a policy whose output has no valid decision
//!   is an error, never a pass.
//! - `reasons` (optional): a list of `{rule, attribute, text, outcome?, value?}`. `value` left
//!   out is taken from the input at `attribute`.
//!
//! The shipped policies get there the same way, visible in the editor: a `collect` table writes
//! one reason per matching row under the output path `reasons`, each with its `outcome`, and a
//! final expression node computes `decision` as decline if any reason declines, else refer if
//! any refers, else pass.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};
use zen_expression::OpcodeCache;

mod compiled;
mod error;
mod evaluate;
mod model;
mod outcome;
mod refs;
mod validate;

pub use error::{ColumnRef, Location, NodeRef, PolicyError, RowRef, Side};
pub use evaluate::{NodeTrace, RowMatch, Trace};
pub use model::{
    DecisionTable, Document, Edge, ExpressionNode, ExpressionRow, HitPolicy, InputColumn, Node,
    NodeKind, OutputColumn, Position, Rule, Transform,
};
pub use outcome::{Decision, Reason};
pub use refs::AttributeRef;

/// A checked policy: valid JDM, one input, an output, no cycle, every cell compiled.
#[derive(Debug, Clone)]
pub struct Policy {
    document: Document,
    graph: validate::Graph,
    cache: Arc<OpcodeCache>,
    tables: Vec<Option<compiled::Table>>,
    refs: Vec<AttributeRef>,
    whole_input: bool,
    sha256: String,
}

/// One evaluation, everything the decision record keeps besides the input and the policy hash.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    /// The policy's output object as it came out of the graph.
    pub output: Value,
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    pub trace: Trace,
}

impl Policy {
    /// Reads a JDM file. Not JSON, not JDM, a node the desk does not run, a cell that does not
    /// parse: an error naming where, and no policy.
    pub fn from_json(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let message = e.to_string();
            let place = format!(" at line {line} column {column}");
            PolicyError::NotJson {
                message: message.strip_suffix(&place).unwrap_or(&message).to_owned(),
                line,
                column,
            }
        })?;
        Policy::from_document(Document::from_value(value)?)
    }

    pub fn from_document(document: Document) -> Result<Policy, PolicyError> {
        let graph = validate::check(&document)?;
        let cache = validate::compile(&document, &graph)?;
        let tables = compiled::tables(&graph, &cache);
        let refs::Reads { refs, whole_input } = refs::attribute_refs(&document, &graph);
        let sha256 = hex(&Sha256::digest(canonical_json(&document)));
        Ok(Policy {
            document,
            graph,
            cache,
            tables,
            refs,
            whole_input,
            sha256,
        })
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The document as GoRules' editor writes it (pretty, two-space indent).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.document).expect("a document serializes")
    }

    /// The policy's version: SHA-256 (hex) of its canonical JSON, the whole document with every
    /// object's keys sorted and no spaces. So the same policy saved with other spacing or key
    /// order is the same version, and any change, a cell or a node moved in the editor, is not.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Every input field the policy reads, with where; fields an earlier node writes are left out.
    pub fn attribute_refs(&self) -> &[AttributeRef] {
        &self.refs
    }

    /// The input fields the policy reads (attribute names, `affordability.gds`…).
    pub fn attributes_used(&self) -> BTreeSet<String> {
        self.refs.iter().map(|r| r.path.clone()).collect()
    }

    /// The top-level input keys an evaluation can depend on — the fields read, plus `decision`
    /// and `reasons` (an input key of that name would pass through to the output) — or `None`
    /// when some cell reads the input whole (`$root`, `$nodes`), so every key matters.
    ///
    /// Evaluating the input cut down to these keys decides the same as the whole input; only a
    /// reason naming a field no cell reads finds no value there (see [`Reason::value`]). What-if
    /// uses it to decode ten fields of a stored snapshot instead of hundreds.
    pub fn input_keys(&self) -> Option<BTreeSet<String>> {
        if self.whole_input {
            return None;
        }
        let mut keys: BTreeSet<String> = ["decision", "reasons"].map(String::from).into();
        for r in &self.refs {
            // A key that itself holds dots is read whole first (see `outcome::at_path`).
            keys.insert(r.path.clone());
            if let Some((top, _)) = r.path.split_once('.') {
                keys.insert(top.to_owned());
            }
        }
        Some(keys)
    }

    /// Refuses a policy that reads a field `known` does not know, naming the first such cell.
    pub fn check_attributes(&self, known: impl Fn(&str) -> bool) -> Result<(), PolicyError> {
        match self.refs.iter().find(|r| !known(&r.path)) {
            Some(r) => Err(PolicyError::UnknownAttribute {
                at: Box::new(r.at.clone()),
                attribute: r.path.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Runs the graph over `input` and reads `decision` and `reasons` from its output.
    pub fn evaluate(&self, input: &Value) -> Result<Evaluation, PolicyError> {
        let (output, trace) = self.run(input)?;
        Ok(Evaluation {
            decision: outcome::decision(&output)?,
            reasons: outcome::reasons(&output, input)?,
            output,
            trace,
        })
    }
}

impl Policy {
    /// Runs the graph over `input`: its output and trace, with no decision read from them (what
    /// GoRules' simulator shows).
    pub fn run(&self, input: &Value) -> Result<(Value, Trace), PolicyError> {
        let walk = evaluate::Walk {
            doc: &self.document,
            graph: &self.graph,
            cache: &self.cache,
            tables: &self.tables,
            traced: true,
        };
        walk.run(input)
    }

    /// The decision and reasons alone, as [`Policy::evaluate`] gives them, without the trace or
    /// the rest of the output: what what-if needs of each past file, at a fraction of the cost.
    pub fn decide(&self, input: &Value) -> Result<(Decision, Vec<Reason>), PolicyError> {
        let walk = evaluate::Walk {
            doc: &self.document,
            graph: &self.graph,
            cache: &self.cache,
            tables: &self.tables,
            traced: false,
        };
        let (output, _) = walk.walk(input)?;
        // Only the two keys read; a pass-through policy's output also holds the whole input.
        let mut read = serde_json::Map::new();
        for key in ["decision", "reasons"] {
            if let Some(v) = output.dot(key) {
                read.insert(key.to_owned(), v.to_value());
            }
        }
        let read = Value::Object(read);
        Ok((outcome::decision(&read)?, outcome::reasons(&read, input)?))
    }
}

fn canonical_json(document: &Document) -> Vec<u8> {
    fn sorted(value: Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let value = serde_json::to_value(document).expect("a document serializes");
    serde_json::to_vec(&sorted(value)).expect("JSON serializes")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
// What-if reads the store on one thread and decides on another, sharing one policy.
const _: () = {
    const fn sync<T: Send + Sync>() {}
    sync::<Policy>();
};
