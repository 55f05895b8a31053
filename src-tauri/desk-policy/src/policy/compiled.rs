//! Each decision table's cells resolved to their compiled code once, when the policy is read.
//!
//! zen looks a cell's code up by its source text on every evaluation (hashing it, then comparing
//! the text), and a row finds its cell by comparing column ids (UUIDs). Over thousands of past
//! files (what-if) that lookup cost as much as running the cells; here a row holds its cells'
//! code by column position instead.

use std::sync::Arc;

use zen_expression::compiler::Opcode;
use zen_expression::OpcodeCache;

use super::model::{DecisionTable, NodeKind};
use super::validate::Graph;

pub(crate) type Code = Arc<[Opcode]>;

/// A decision table's rows, cells by column position; `None` for an absent or empty cell
/// (an input that passes, an output left unwritten).
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// A unary test where the column has a field, a boolean expression where it has none.
    pub inputs: Vec<Option<Code>>,
    pub outputs: Vec<Option<Code>>,
}

/// One entry per node: the compiled table of each decision table node.
pub(crate) fn tables(graph: &Graph, cache: &OpcodeCache) -> Vec<Option<Table>> {
    graph
        .kinds
        .iter()
        .map(|kind| match kind {
            NodeKind::DecisionTable(table) => Some(table_of(table, cache)),
            _ => None,
        })
        .collect()
}

fn table_of(table: &DecisionTable, cache: &OpcodeCache) -> Table {
    // Every non-empty cell was compiled into `cache` when the policy was checked, or the
    // policy was refused: a missing one here would silently pass, so it is a bug to stop on.
    let standard = |source: &str| {
        let code = cache.standard.get(source).expect("every cell is compiled");
        Some(code.clone())
    };
    let unary = |source: &str| {
        let code = cache.unary.get(source).expect("every cell is compiled");
        Some(code.clone())
    };
    let rows = table
        .rules
        .iter()
        .map(|rule| Row {
            inputs: table
                .inputs
                .iter()
                .map(|column| {
                    let source = rule.cell(&column.id).filter(|c| !c.is_empty())?;
                    match column.field {
                        Some(_) => unary(source),
                        None => standard(source),
                    }
                })
                .collect(),
            outputs: table
                .outputs
                .iter()
                .map(|column| standard(rule.cell(&column.id).filter(|c| !c.is_empty())?))
                .collect(),
        })
        .collect();
    Table { rows }
}
