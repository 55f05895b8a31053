//! Structural checks and compilation: one input node, an output, edges between nodes that
//! exist, no cycle, every cell and expression parsed by zen-expression. What passes is a
//! [`Graph`], the order the evaluator walks, and an opcode cache so no cell is parsed twice.

use std::collections::HashMap;
use std::sync::Arc;

use zen_expression::{Isolate, OpcodeCache};

use super::error::{ColumnRef, Location, PolicyError, Side};
use super::model::{DecisionTable, Document, ExpressionNode, InputColumn, NodeKind, OutputColumn};

/// The checked shape of a document, by node index.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    pub kinds: Vec<NodeKind>,
    pub input: usize,
    /// The nodes evaluated, in topological order: the input node's connected part of the graph
    /// (zen visits successors and their unresolved predecessors, so the same part).
    pub order: Vec<usize>,
    /// Each node's predecessors in the order zen merges their outputs: petgraph lists incoming
    /// edges newest first and later ones win, so the edge written first in the file wins.
    pub incoming: Vec<Vec<usize>>,
    pub outputs: Vec<usize>,
}

pub(crate) fn check(doc: &Document) -> Result<Graph, PolicyError> {
    let kinds = doc
        .nodes
        .iter()
        .map(NodeKind::parse)
        .collect::<Result<Vec<_>, _>>()?;

    let mut index = HashMap::new();
    for (i, node) in doc.nodes.iter().enumerate() {
        if index.insert(node.id.as_str(), i).is_some() {
            return Err(PolicyError::DuplicateNode {
                id: node.id.clone(),
            });
        }
    }
    let inputs: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds[i] == NodeKind::Input)
        .collect();
    let [input] = inputs[..] else {
        return Err(PolicyError::InputNodes {
            count: inputs.len(),
        });
    };
    let outputs: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds[i] == NodeKind::Output)
        .collect();
    if outputs.is_empty() {
        return Err(PolicyError::NoOutputNode);
    }

    let n = doc.nodes.len();
    let mut successors = vec![Vec::new(); n];
    let mut incoming = vec![Vec::new(); n];
    for edge in &doc.edges {
        let end = |id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| PolicyError::DanglingEdge {
                    edge: edge.id.clone(),
                    missing: id.to_owned(),
                })
        };
        let (from, to) = (end(&edge.source_id)?, end(&edge.target_id)?);
        successors[from].push(to);
        incoming[to].push(from);
    }
    for list in &mut incoming {
        list.reverse();
    }
    if let Some(cycle) = find_cycle(&successors) {
        return Err(PolicyError::Cycle {
            nodes: cycle
                .into_iter()
                .map(|i| doc.nodes[i].reference())
                .collect(),
        });
    }
    let order = topological_component(input, &successors, &incoming);
    Ok(Graph {
        kinds,
        input,
        order,
        incoming,
        outputs,
    })
}

/// A cycle as a path that ends where it starts, by depth-first search.
fn find_cycle(successors: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn visit(at: usize, succ: &[Vec<usize>], mark: &mut [Mark], path: &mut Vec<usize>) -> bool {
        mark[at] = Mark::OnPath;
        path.push(at);
        for &next in &succ[at] {
            let state = mark[next];
            match state {
                Mark::OnPath => {
                    let start = path.iter().position(|&p| p == next).unwrap_or(0);
                    path.drain(..start);
                    path.push(next);
                    return true;
                }
                Mark::New if visit(next, succ, mark, path) => return true,
                _ => {}
            }
        }
        path.pop();
        mark[at] = Mark::Done;
        false
    }
    let mut mark = vec![Mark::New; successors.len()];
    for start in 0..successors.len() {
        let mut path = Vec::new();
        if mark[start] == Mark::New && visit(start, successors, &mut mark, &mut path) {
            return Some(path);
        }
    }
    None
}

/// The nodes connected to `input` (either direction), sorted so each comes after its
/// predecessors; ties in file order.
fn topological_component(input: usize, succ: &[Vec<usize>], pred: &[Vec<usize>]) -> Vec<usize> {
    let mut connected = vec![false; succ.len()];
    let mut stack = vec![input];
    while let Some(at) = stack.pop() {
        if !std::mem::replace(&mut connected[at], true) {
            stack.extend(succ[at].iter().chain(&pred[at]).copied());
        }
    }
    let mut waiting: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..succ.len())
        .filter(|&i| connected[i] && waiting[i] == 0)
        .collect();
    let mut order = Vec::new();
    while !ready.is_empty() {
        let at = ready.remove(0);
        order.push(at);
        for &next in &succ[at] {
            waiting[next] -= 1;
            if waiting[next] == 0 {
                let slot = ready.partition_point(|&r| r < next);
                ready.insert(slot, next);
            }
        }
    }
    order
}

/// Compiles every cell, field and expression, as zen-engine does before it runs a graph:
/// input cells as unary tests when their column has a field, everything else as expressions.
pub(crate) fn compile(doc: &Document, graph: &Graph) -> Result<Arc<OpcodeCache>, PolicyError> {
    let mut compiler = Compiler {
        isolate: Isolate::new(),
        cache: OpcodeCache::new(),
    };
    for (node, kind) in doc.nodes.iter().zip(&graph.kinds) {
        let at = Location::node(node.reference());
        match kind {
            NodeKind::DecisionTable(table) => compiler.table(&at, table)?,
            NodeKind::Expression(expressions) => compiler.expressions(&at, expressions)?,
            NodeKind::Input | NodeKind::Output => {}
        }
    }
    Ok(Arc::new(compiler.cache))
}

struct Compiler {
    isolate: Isolate,
    cache: OpcodeCache,
}

pub(crate) fn input_column(column: &InputColumn) -> ColumnRef {
    ColumnRef {
        side: Side::Input,
        id: column.id.clone(),
        name: column.name.clone(),
        field: column.field.clone(),
    }
}

pub(crate) fn output_column(column: &OutputColumn) -> ColumnRef {
    ColumnRef {
        side: Side::Output,
        id: column.id.clone(),
        name: column.name.clone(),
        field: Some(column.field.clone()),
    }
}

impl Compiler {
    fn standard(&mut self, at: &Location, source: &str) -> Result<(), PolicyError> {
        if source.is_empty() || self.cache.standard.contains_key(source) {
            return Ok(());
        }
        let compiled = self
            .isolate
            .compile_standard(source)
            .map_err(|e| cell(at, source, &e))?;
        self.cache
            .standard
            .insert(Arc::from(source), compiled.bytecode().clone());
        Ok(())
    }

    fn unary(&mut self, at: &Location, source: &str) -> Result<(), PolicyError> {
        if source.is_empty() || self.cache.unary.contains_key(source) {
            return Ok(());
        }
        let compiled = self
            .isolate
            .compile_unary(source)
            .map_err(|e| cell(at, source, &e))?;
        self.cache
            .unary
            .insert(Arc::from(source), compiled.bytecode().clone());
        Ok(())
    }

    fn settings(&mut self, at: &Location, input_field: Option<&str>) -> Result<(), PolicyError> {
        match input_field {
            Some(field) => self.standard(at, field),
            None => Ok(()),
        }
    }

    fn table(&mut self, at: &Location, table: &DecisionTable) -> Result<(), PolicyError> {
        self.settings(at, table.transform.input_field.as_deref())?;
        for column in &table.inputs {
            if let Some(field) = &column.field {
                self.standard(&at.clone().with_column(input_column(column)), field)?;
            }
        }
        for (i, rule) in table.rules.iter().enumerate() {
            let row = Location::row(at.node.clone(), i, rule.id.clone());
            for column in &table.inputs {
                let Some(source) = rule.cell(&column.id) else {
                    continue;
                };
                let at = row.clone().with_column(input_column(column));
                match column.field {
                    Some(_) => self.unary(&at, source)?,
                    None => self.standard(&at, source)?,
                }
            }
            for column in &table.outputs {
                if let Some(source) = rule.cell(&column.id) {
                    self.standard(&row.clone().with_column(output_column(column)), source)?;
                }
            }
        }
        Ok(())
    }

    fn expressions(&mut self, at: &Location, node: &ExpressionNode) -> Result<(), PolicyError> {
        self.settings(at, node.transform.input_field.as_deref())?;
        for (i, row) in node.expressions.iter().enumerate() {
            if row.key.is_empty() {
                continue;
            }
            let at = expression_row(at, i, row);
            self.standard(&at, &row.value)?;
        }
        Ok(())
    }
}

pub(crate) fn expression_row(
    at: &Location,
    index: usize,
    row: &super::model::ExpressionRow,
) -> Location {
    Location::row(at.node.clone(), index, Some(row.id.clone())).with_column(ColumnRef {
        side: Side::Expression,
        id: row.id.clone(),
        name: row.key.clone(),
        field: Some(row.key.clone()),
    })
}

fn cell(at: &Location, source: &str, error: &zen_expression::IsolateError) -> PolicyError {
    PolicyError::Cell {
        at: Box::new(at.clone()),
        cell: source.to_owned(),
        message: error.to_string(),
    }
}
