//! The JDM document as GoRules' editor saves it, and the typed view of the nodes the desk runs.
//!
//! Two layers on purpose: [`Document`] keeps every field of the file (unknown ones in `extra`,
//! node content as raw JSON), so a GoRules file goes out as it came in; [`NodeKind`] is what
//! validation and evaluation read, parsed once with errors that name the node.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::error::{Location, NodeRef, PolicyError};

/// A JDM decision graph: `nodes` and the `edges` between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Whatever else the editor wrote (`contentType`, `settings`…), kept for the round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `inputNode`, `outputNode`, `decisionTableNode`, `expressionNode` (others are refused).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub content: Value,
    /// Where the editor draws the node; the desk never reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// JSON numbers as written, so `410` does not come back as `410.0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub x: Number,
    pub y: Number,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub id: String,
    pub source_id: String,
    pub target_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_handle: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Document {
    /// Reads a JSON value as JDM, naming the node or edge (1-based, with its id) that is not.
    pub fn from_value(value: Value) -> Result<Document, PolicyError> {
        let not_jdm = |message: String| PolicyError::NotJdm { message };
        let Value::Object(mut map) = value else {
            return Err(not_jdm("it is not an object with nodes and edges".into()));
        };
        let mut list = |key: &str| match map.remove(key) {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(not_jdm(format!("it has no list of {key}"))),
        };
        let (nodes, edges) = (list("nodes")?, list("edges")?);
        Ok(Document {
            nodes: items("node", nodes)?,
            edges: items("edge", edges)?,
            extra: map,
        })
    }
}

fn items<T: serde::de::DeserializeOwned>(
    what: &str,
    list: Vec<Value>,
) -> Result<Vec<T>, PolicyError> {
    list.into_iter()
        .enumerate()
        .map(|(i, item)| {
            let id = match item.get("id") {
                Some(Value::String(id)) => format!(" (id {id})"),
                _ => String::new(),
            };
            serde_json::from_value(item).map_err(|e| PolicyError::NotJdm {
                message: format!("{what} {}{id}: {e}", i + 1),
            })
        })
        .collect()
}

impl Node {
    pub fn reference(&self) -> NodeRef {
        NodeRef {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
        }
    }
}

/// What a node does, read from its `content`.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Input,
    Output,
    DecisionTable(DecisionTable),
    Expression(ExpressionNode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitPolicy {
    /// The first row whose input cells all pass gives the output.
    First,
    /// Every passing row gives an output: the table's output is their array.
    Collect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTable {
    pub hit_policy: HitPolicy,
    pub inputs: Vec<InputColumn>,
    pub outputs: Vec<OutputColumn>,
    pub rules: Vec<Rule>,
    pub transform: Transform,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InputColumn {
    pub id: String,
    pub name: String,
    /// The expression whose value a cell tests as `$`; none: each cell is a boolean expression.
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputColumn {
    pub id: String,
    pub name: String,
    /// A dotted path; a trailing `[]` gathers every matching row's value under a first hit.
    pub field: String,
}

impl OutputColumn {
    /// The path written to and whether the column collects (zen's `write_path`).
    pub fn write_path(&self) -> (&str, bool) {
        let field = self.field.trim();
        match field.strip_suffix("[]") {
            Some(base) => (base.trim_end(), true),
            None => (field, false),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `_id`: the editor's stable row id.
    pub id: Option<String>,
    pub description: Option<String>,
    /// Column id → cell source, trimmed (an empty input cell matches anything).
    pub cells: Vec<(String, String)>,
}

impl Rule {
    pub fn cell(&self, column_id: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(id, _)| id == column_id)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionNode {
    pub expressions: Vec<ExpressionRow>,
    pub transform: Transform,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionRow {
    pub id: String,
    pub key: String,
    pub value: String,
}

/// GoRules' node settings: read the node's input from `input_field`, run once per element
/// (`loop`), write the result under `output_path`, and merge it over the input (`pass_through`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transform {
    pub input_field: Option<String>,
    pub output_path: Option<String>,
    pub loop_mode: bool,
    pub pass_through: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTransform {
    #[serde(default)]
    input_field: Option<String>,
    #[serde(default)]
    output_path: Option<String>,
    #[serde(default)]
    execution_mode: Option<String>,
    #[serde(default)]
    pass_through: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTable {
    hit_policy: Option<String>,
    inputs: Vec<RawColumn>,
    outputs: Vec<RawColumn>,
    rules: Vec<Map<String, Value>>,
}

#[derive(Deserialize)]
struct RawColumn {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    field: Option<String>,
}

#[derive(Deserialize)]
struct RawExpressions {
    expressions: Vec<RawExpression>,
}

#[derive(Deserialize)]
struct RawExpression {
    #[serde(default)]
    id: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: String,
}

/// A blank string is no value, as zen reads these settings.
fn non_blank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl NodeKind {
    pub fn parse(node: &Node) -> Result<NodeKind, PolicyError> {
        let at = || Box::new(Location::node(node.reference()));
        let content = |message: String| PolicyError::Content { at: at(), message };
        match node.kind.as_str() {
            "inputNode" => Ok(NodeKind::Input),
            "outputNode" => Ok(NodeKind::Output),
            "decisionTableNode" => {
                let raw: RawTable = serde_json::from_value(node.content.clone())
                    .map_err(|e| content(format!("the decision table's content: {e}")))?;
                let hit_policy = match raw.hit_policy.as_deref().unwrap_or("first") {
                    "first" => HitPolicy::First,
                    "collect" => HitPolicy::Collect,
                    other => {
                        return Err(PolicyError::HitPolicy {
                            at: at(),
                            found: other.to_owned(),
                        })
                    }
                };
                let rules = raw
                    .rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, rule)| parse_rule(node, i, rule))
                    .collect::<Result<_, _>>()?;
                Ok(NodeKind::DecisionTable(DecisionTable {
                    hit_policy,
                    inputs: raw
                        .inputs
                        .into_iter()
                        .map(|c| InputColumn {
                            id: c.id,
                            name: c.name.unwrap_or_default(),
                            field: non_blank(c.field),
                        })
                        .collect(),
                    outputs: raw
                        .outputs
                        .into_iter()
                        .map(|c| OutputColumn {
                            id: c.id,
                            name: c.name.unwrap_or_default(),
                            field: c.field.unwrap_or_default(),
                        })
                        .collect(),
                    rules,
                    transform: parse_transform(node)?,
                }))
            }
            "expressionNode" => {
                let raw: RawExpressions = serde_json::from_value(node.content.clone())
                    .map_err(|e| content(format!("the expression node's content: {e}")))?;
                Ok(NodeKind::Expression(ExpressionNode {
                    expressions: raw
                        .expressions
                        .into_iter()
                        .map(|e| ExpressionRow {
                            id: e.id,
                            key: e.key.trim().to_owned(),
                            value: e.value.trim().to_owned(),
                        })
                        .collect(),
                    transform: parse_transform(node)?,
                }))
            }
            _ => Err(PolicyError::UnsupportedNode { at: at() }),
        }
    }
}

fn parse_transform(node: &Node) -> Result<Transform, PolicyError> {
    let raw: RawTransform =
        serde_json::from_value(node.content.clone()).map_err(|e| PolicyError::Content {
            at: Box::new(Location::node(node.reference())),
            message: format!("the node's settings: {e}"),
        })?;
    let loop_mode = match raw.execution_mode.as_deref().unwrap_or("single") {
        "single" => false,
        "loop" => true,
        other => {
            return Err(PolicyError::Content {
                at: Box::new(Location::node(node.reference())),
                message: format!("execution mode \"{other}\" is neither single nor loop"),
            })
        }
    };
    Ok(Transform {
        input_field: non_blank(raw.input_field),
        output_path: non_blank(raw.output_path),
        loop_mode,
        pass_through: raw.pass_through.unwrap_or(false),
    })
}

fn parse_rule(node: &Node, index: usize, rule: Map<String, Value>) -> Result<Rule, PolicyError> {
    let row_id = rule.get("_id").and_then(Value::as_str).map(str::to_owned);
    let mut parsed = Rule {
        id: row_id.clone(),
        description: None,
        cells: Vec::new(),
    };
    for (key, value) in rule {
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            Value::Null => String::new(),
            other => {
                return Err(PolicyError::Content {
                    at: Box::new(Location::row(node.reference(), index, row_id.clone())),
                    message: format!("the cell of column {key} is {other}, not text"),
                })
            }
        };
        match key.as_str() {
            "_id" => {}
            "_description" => parsed.description = Some(text).filter(|t| !t.is_empty()),
            _ => parsed.cells.push((key, text)),
        }
    }
    Ok(parsed)
}
