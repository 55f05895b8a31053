//! What can be wrong with a policy, and where: every error names the node (name and id) and,
//! for a decision table, the row (1-based, with its `_id`) and the column, so the underwriter can
//! find the cell in GoRules' editor.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    pub id: String,
    pub name: String,
    /// The JDM `type`.
    pub kind: String,
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node \"{}\" ({}, id {})", self.name, self.kind, self.id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Input,
    Output,
    /// An expression node's row: its key and value.
    Expression,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    pub side: Side,
    pub id: String,
    pub name: String,
    /// The column's field (an expression node: the key).
    pub field: Option<String>,
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.side {
            Side::Input => "input column",
            Side::Output => "output column",
            Side::Expression => "expression",
        };
        write!(f, "{side} \"{}\"", self.name)?;
        match &self.field {
            Some(field) if field != &self.name => write!(f, " (field {field})"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowRef {
    /// 1-based, as the editor numbers rows.
    pub index: usize,
    /// The row's `_id`.
    pub id: Option<String>,
}

/// A node, and within it maybe a row and a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub node: NodeRef,
    pub row: Option<RowRef>,
    pub column: Option<ColumnRef>,
}

impl Location {
    pub fn node(node: NodeRef) -> Self {
        Location {
            node,
            row: None,
            column: None,
        }
    }

    /// `index` is 0-based here and shown 1-based.
    pub fn row(node: NodeRef, index: usize, id: Option<String>) -> Self {
        Location {
            node,
            row: Some(RowRef {
                index: index + 1,
                id,
            }),
            column: None,
        }
    }

    pub fn with_column(mut self, column: ColumnRef) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.node)?;
        if let Some(row) = &self.row {
            write!(f, ", row {}", row.index)?;
            if let Some(id) = &row.id {
                write!(f, " (_id {id})")?;
            }
        }
        if let Some(column) = &self.column {
            write!(f, ", {column}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PolicyError {
    #[error("the policy is not JSON: {message} (line {line}, column {column})")]
    NotJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("the policy is not a JDM decision graph: {message}")]
    NotJdm { message: String },
    #[error("{at}: {message}")]
    Content { at: Box<Location>, message: String },
    #[error("{at}: the hit policy \"{found}\" is not one the desk evaluates (first or collect)")]
    HitPolicy { at: Box<Location>, found: String },
    #[error(
        "{at}: the desk evaluates input, output, decision table and expression nodes, not this type"
    )]
    UnsupportedNode { at: Box<Location> },
    #[error("two nodes have the id {id}")]
    DuplicateNode { id: String },
    #[error("the policy has {count} input nodes; it needs exactly one")]
    InputNodes { count: usize },
    #[error("the policy has no output node")]
    NoOutputNode,
    #[error("edge {edge} goes to or from node id {missing}, which the policy does not have")]
    DanglingEdge { edge: String, missing: String },
    #[error("the edges go round in a cycle through {}", names(.nodes))]
    Cycle { nodes: Vec<NodeRef> },
    #[error("{at}: \"{cell}\" does not parse: {message}")]
    Cell {
        at: Box<Location>,
        cell: String,
        message: String,
    },
    #[error("{at}: \"{attribute}\" is not an attribute of this package")]
    UnknownAttribute {
        at: Box<Location>,
        attribute: String,
    },
    #[error("{at}: evaluating \"{expression}\" failed: {message}")]
    Evaluation {
        at: Box<Location>,
        expression: String,
        message: String,
    },
    #[error(
        "the policy's output has no decision of pass, refer or decline (its decision is {found})"
    )]
    NoDecision { found: String },
    #[error("reason {index} of the policy's output: {message}")]
    Reason { index: usize, message: String },
}

fn names(nodes: &[NodeRef]) -> String {
    nodes
        .iter()
        .map(|n| format!("\"{}\"", n.name))
        .collect::<Vec<_>>()
        .join(" → ")
}
