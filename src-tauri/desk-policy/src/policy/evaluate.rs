//! The graph walk, as zen-engine 2.1 does it: each node's input is the merge of its
//! predecessors' outputs, a decision table writes its output cells at their fields (dotted
//! paths nest), `collect` gives the array of every matching row's output, an expression node
//! writes its keys in order (each visible to the next as `$.key`), and GoRules' node settings
//! (input field, loop, output path, pass-through) apply around both.
//!
//! One deliberate difference: an output cell or expression that fails to evaluate is an error
//! naming the cell. zen skips such a row as if it had not matched, which in a credit policy
//! would turn a decline rule silently off.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zen_expression::variable::Variable;
use zen_expression::{Isolate, OpcodeCache};

use super::compiled;
use super::error::{Location, NodeRef, PolicyError};
use super::model::{DecisionTable, Document, ExpressionNode, HitPolicy, NodeKind, Rule, Transform};
use super::validate::{expression_row, output_column, Graph};

/// What each decision table and expression node did, for the decision record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub nodes: Vec<NodeTrace>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeTrace {
    pub id: String,
    pub name: String,
    /// The JDM `type`.
    pub kind: String,
    /// A decision table's matching rows, in the order they matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowMatch>,
    /// An expression node's results by key.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub values: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowMatch {
    /// 1-based, as the editor numbers rows.
    pub row: usize,
    /// The row's `_id`.
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// In a node that loops over a list, the element (0-based) the row matched for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<usize>,
    /// The value of each input column's field when the row was tested.
    pub seen: Map<String, Value>,
    /// What the row wrote.
    pub output: Value,
}

impl Trace {
    /// The rows of the node named `name` that matched (1-based).
    pub fn matched_rows(&self, name: &str) -> Vec<usize> {
        self.nodes
            .iter()
            .filter(|n| n.name == name)
            .flat_map(|n| n.rows.iter().map(|r| r.row))
            .collect()
    }
}

pub(crate) struct Walk<'p> {
    pub doc: &'p Document,
    pub graph: &'p Graph,
    pub cache: &'p Arc<OpcodeCache>,
    /// Each decision table's cells by position, compiled (indexed like `doc.nodes`).
    pub tables: &'p [Option<compiled::Table>],
    /// Off for what-if, which keeps no record: no matched rows' values copied out.
    pub traced: bool,
}

impl Walk<'_> {
    pub fn run(&self, input: &Value) -> Result<(Value, Trace), PolicyError> {
        let (result, trace) = self.walk(input)?;
        Ok((result.to_value(), trace))
    }

    /// The graph's output left as zen's value, so a caller reads only the keys it needs.
    pub fn walk(&self, input: &Value) -> Result<(Variable, Trace), PolicyError> {
        let n = self.doc.nodes.len();
        let mut data: Vec<Option<Variable>> = vec![None; n];
        // `$nodes` in an expression: every node evaluated so far, by name (zen's default).
        let nodes_view = Variable::empty_object();
        let mut trace = Trace::default();
        for &i in &self.graph.order {
            let node = &self.doc.nodes[i];
            let node_input = match i == self.graph.input {
                true => Variable::from(input),
                false => self.incoming(i, &data),
            };
            let mut node_trace = NodeTrace {
                id: node.id.clone(),
                name: node.name.clone(),
                kind: node.kind.clone(),
                rows: Vec::new(),
                values: Map::new(),
            };
            let at = node.reference();
            // A copy per node, as zen builds it: an output holding `$nodes` keeps what it saw.
            let view = nodes_view.depth_clone(1);
            let output = match &self.graph.kinds[i] {
                NodeKind::Input | NodeKind::Output => node_input,
                NodeKind::DecisionTable(table) => {
                    let compiled = self.tables[i]
                        .as_ref()
                        .expect("every decision table is compiled");
                    self.transform(&at, &table.transform, node_input, &view, |x, el| {
                        let table = (table, compiled);
                        self.table(&at, table, x, el, &view, &mut node_trace)
                    })?
                }
                NodeKind::Expression(node) => {
                    self.transform(&at, &node.transform, node_input, &view, |x, _| {
                        self.expressions(&at, node, x, &view, &mut node_trace)
                    })?
                }
            };
            if self.traced
                && matches!(
                    self.graph.kinds[i],
                    NodeKind::DecisionTable(_) | NodeKind::Expression(_)
                )
            {
                trace.nodes.push(node_trace);
            }
            if let Some(view) = nodes_view.as_object() {
                view.borrow_mut()
                    .insert(Variable::key(&node.name), output.clone());
            }
            data[i] = Some(output);
        }
        let mut result = Variable::empty_object();
        for &o in &self.graph.outputs {
            if let Some(out) = &data[o] {
                result.merge(out);
            }
        }
        Ok((result, trace))
    }

    fn incoming(&self, node: usize, data: &[Option<Variable>]) -> Variable {
        let mut parents = self.graph.incoming[node]
            .iter()
            .filter_map(|&p| data[p].as_ref());
        let Some(first) = parents.next() else {
            return Variable::empty_object();
        };
        let head = match first {
            Variable::Object(_) | Variable::Array(_) => first.clone(),
            _ => Variable::empty_object(),
        };
        parents.fold(head, |mut acc, next| acc.merge_clone(next))
    }

    fn isolate(&self, input: Variable, nodes_view: &Variable) -> Isolate {
        let mut isolate = Isolate::with_environment(input).with_cache(Some(self.cache.clone()));
        isolate.set_local(Variable::nodes_key(), nodes_view.clone());
        isolate
    }

    fn transform(
        &self,
        at: &NodeRef,
        transform: &Transform,
        node_input: Variable,
        nodes_view: &Variable,
        mut handle: impl FnMut(Variable, Option<usize>) -> Result<Variable, PolicyError>,
    ) -> Result<Variable, PolicyError> {
        let failed = |expression: &str, message: String| PolicyError::Evaluation {
            at: Box::new(Location::node(at.clone())),
            expression: expression.to_owned(),
            message,
        };
        let input = match &transform.input_field {
            None => node_input.clone(),
            Some(field) => self
                .isolate(node_input.clone(), nodes_view)
                .run_standard(field)
                .map_err(|e| failed(field, e.to_string()))?,
        };
        let mut output = if transform.loop_mode {
            let Some(items) = input.as_array() else {
                let field = transform.input_field.as_deref().unwrap_or("");
                return Err(failed(
                    field,
                    "the node loops over a list, and this is not one".into(),
                ));
            };
            let items = items.borrow().clone();
            let mut outputs = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let mut out = handle(item.clone(), Some(i))?;
                if transform.pass_through {
                    out = item.clone().merge_clone(&out);
                }
                outputs.push(out);
            }
            Variable::from_array(outputs)
        } else {
            handle(input, None)?
        };
        if let Some(path) = &transform.output_path {
            let wrapped = Variable::empty_object();
            wrapped.dot_insert(path, output);
            output = wrapped;
        }
        if transform.pass_through {
            output = node_input.clone().merge_clone(&output);
        }
        Ok(output)
    }

    fn table(
        &self,
        at: &NodeRef,
        (table, compiled): (&DecisionTable, &compiled::Table),
        input: Variable,
        element: Option<usize>,
        nodes_view: &Variable,
        trace: &mut NodeTrace,
    ) -> Result<Variable, PolicyError> {
        let mut isolate = self.isolate(input, nodes_view);
        // A first hit with `[]` columns keeps scanning: those columns gather every match.
        let gathering =
            table.hit_policy == HitPolicy::First && table.outputs.iter().any(|o| o.write_path().1);
        let mut outputs = Vec::new();
        let mut gathered: Vec<Vec<Variable>> = vec![Vec::new(); table.outputs.len()];
        let mut fields = Fields::new(table);
        for (i, (rule, row)) in table.rules.iter().zip(&compiled.rows).enumerate() {
            if !row_matches(table, row, &mut fields, &mut isolate) {
                continue;
            }
            let scalars = outputs.is_empty() || table.hit_policy == HitPolicy::Collect;
            let cells = (rule, row);
            let (output, collected) =
                self.row_output(at, table, i, cells, &mut isolate, scalars, gathering)?;
            let shown = self.traced.then(|| output.deep_clone());
            for (column, value) in collected {
                if let Some(shown) = &shown {
                    shown.dot_insert(table.outputs[column].write_path().0, value.clone());
                }
                gathered[column].push(value);
            }
            if let Some(shown) = shown {
                trace.rows.push(RowMatch {
                    row: i + 1,
                    id: rule.id.clone(),
                    description: rule.description.clone(),
                    element,
                    seen: seen(table, &mut isolate),
                    output: shown.to_value(),
                });
            }
            outputs.push(output);
            if table.hit_policy == HitPolicy::First && !gathering {
                break;
            }
        }
        if table.hit_policy == HitPolicy::Collect {
            return Ok(Variable::from_array(outputs));
        }
        let Some(first) = outputs.into_iter().next() else {
            return Ok(Variable::Null);
        };
        for (column, values) in table.outputs.iter().zip(gathered) {
            let (path, collect) = column.write_path();
            if gathering && collect && !path.is_empty() {
                first.dot_insert(path, Variable::from_array(values));
            }
        }
        Ok(first)
    }

    /// A matching row's output cells at their paths; with `gathering`, the `[]` columns apart
    /// (by column index), and the others only when `scalars`.
    #[allow(clippy::too_many_arguments)]
    fn row_output(
        &self,
        at: &NodeRef,
        table: &DecisionTable,
        index: usize,
        (rule, row): (&Rule, &compiled::Row),
        isolate: &mut Isolate,
        scalars: bool,
        gathering: bool,
    ) -> Result<(Variable, Vec<(usize, Variable)>), PolicyError> {
        let output = Variable::empty_object();
        let mut collected = Vec::new();
        for ((c, column), code) in table.outputs.iter().enumerate().zip(&row.outputs) {
            let (path, collect) = column.write_path();
            let apart = gathering && collect;
            let Some(code) = code else {
                continue;
            };
            if path.is_empty() || !(apart || scalars) {
                continue;
            }
            let value = isolate
                .run_compiled(code)
                .map_err(|e| PolicyError::Evaluation {
                    at: Box::new(
                        Location::row(at.clone(), index, rule.id.clone())
                            .with_column(output_column(column)),
                    ),
                    expression: rule.cell(&column.id).unwrap_or_default().to_owned(),
                    message: e.to_string(),
                })?
                .deep_clone();
            match apart {
                true => collected.push((c, value)),
                false => {
                    output.dot_insert(path, value);
                }
            }
        }
        Ok((output, collected))
    }

    fn expressions(
        &self,
        at: &NodeRef,
        node: &ExpressionNode,
        input: Variable,
        nodes_view: &Variable,
        trace: &mut NodeTrace,
    ) -> Result<Variable, PolicyError> {
        let result = Variable::empty_object();
        let mut isolate = self.isolate(input, nodes_view);
        for (i, row) in node.expressions.iter().enumerate() {
            if row.key.is_empty() || row.value.is_empty() {
                continue;
            }
            let mut value =
                isolate
                    .run_standard(&row.value)
                    .map_err(|e| PolicyError::Evaluation {
                        at: Box::new(expression_row(&Location::node(at.clone()), i, row)),
                        expression: row.value.clone(),
                        message: e.to_string(),
                    })?;
            if row.value.contains('$') {
                value = value.deep_clone();
            }
            if self.traced {
                trace.values.insert(row.key.clone(), value.to_value());
            }
            isolate.insert_dollar(&row.key, value.clone());
            result.dot_insert(&row.key, value);
        }
        Ok(result)
    }
}

/// zen's `row_matches`: an absent or empty cell passes; a cell whose column has a field is a
/// unary test of that field's value (`$`); one without is a boolean expression. A cell that
/// fails to evaluate (`> 2` on null) does not match.
fn row_matches(
    table: &DecisionTable,
    row: &compiled::Row,
    fields: &mut Fields,
    isolate: &mut Isolate,
) -> bool {
    table
        .inputs
        .iter()
        .zip(&row.inputs)
        .enumerate()
        .all(|(c, (column, code))| {
            let Some(code) = code else {
                return true;
            };
            match &column.field {
                None => isolate
                    .run_compiled(code)
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                Some(field) => match fields.value(c, field, isolate) {
                    Some(value) => {
                        isolate.set_local(Variable::dollar_key(), value);
                        isolate.run_unary_compiled(code).unwrap_or(false)
                    }
                    None => false,
                },
            }
        })
}

/// Each input column's field value, evaluated the first time a row needs it and kept for the
/// table's other rows (zen keeps them too, but finds them again by hashing the field's text).
struct Fields(Vec<Option<Option<Variable>>>);

impl Fields {
    fn new(table: &DecisionTable) -> Self {
        Fields(vec![None; table.inputs.len()])
    }

    /// `None` when the field's expression fails: the cell does not match, as in zen.
    fn value(&mut self, column: usize, field: &str, isolate: &mut Isolate) -> Option<Variable> {
        self.0[column]
            .get_or_insert_with(|| {
                isolate.set_reference(field).ok()?;
                isolate.get_reference(field)
            })
            .clone()
    }
}

fn seen(table: &DecisionTable, isolate: &mut Isolate) -> Map<String, Value> {
    let mut seen = Map::new();
    for field in table.inputs.iter().filter_map(|c| c.field.as_deref()) {
        let value = match isolate.set_reference(field) {
            Ok(()) => isolate.get_reference(field).map(|v| v.to_value()),
            Err(_) => None,
        };
        seen.insert(field.to_owned(), value.unwrap_or(Value::Null));
    }
    seen
}
