//! Which input fields a policy reads, found with zen-expression's own dependency analysis (the
//! one GoRules' editor uses), so the desk can refuse a policy naming an attribute the package
//! does not have before it decides anything.

use zen_expression::intellisense::{IntelliSense, ReadDependency};

use super::error::Location;
use super::model::{Document, NodeKind};
use super::validate::{expression_row, input_column, output_column, Graph};

/// One read of an input field: its dotted path and where the policy reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRef {
    pub path: String,
    pub at: Location,
}

/// What a policy reads of its input: the fields, and whether some cell reads it whole
/// (`$root`, `$nodes`, `$` outside a unary cell), so that no list of fields is complete.
pub(crate) struct Reads {
    pub refs: Vec<AttributeRef>,
    pub whole_input: bool,
}

pub(crate) fn attribute_refs(doc: &Document, graph: &Graph) -> Reads {
    let mut sense = IntelliSense::new();
    let mut refs = Vec::new();
    let mut produced = Vec::new();
    let mut whole_input = false;
    let mut read = |at: &Location, source: &str, unary: bool, refs: &mut Vec<AttributeRef>| {
        let reads = match unary {
            true => sense.reads_unary(source),
            false => sense.reads(source),
        };
        whole_input |= reads_whole(&reads, unary);
        let mut paths = Vec::new();
        flatten(&reads, &mut paths);
        refs.extend(paths.into_iter().map(|path| AttributeRef {
            path,
            at: at.clone(),
        }));
    };
    for (node, kind) in doc.nodes.iter().zip(&graph.kinds) {
        let at = Location::node(node.reference());
        match kind {
            NodeKind::DecisionTable(table) => {
                if let Some(field) = &table.transform.input_field {
                    read(&at, field, false, &mut refs);
                }
                produced.extend(table.transform.output_path.clone());
                for column in &table.inputs {
                    if let Some(field) = &column.field {
                        read(
                            &at.clone().with_column(input_column(column)),
                            field,
                            false,
                            &mut refs,
                        );
                    }
                }
                for column in &table.outputs {
                    produced.push(column.write_path().0.to_owned());
                }
                for (i, rule) in table.rules.iter().enumerate() {
                    let row = Location::row(at.node.clone(), i, rule.id.clone());
                    for column in &table.inputs {
                        if let Some(cell) = rule.cell(&column.id) {
                            let at = row.clone().with_column(input_column(column));
                            read(&at, cell, column.field.is_some(), &mut refs);
                        }
                    }
                    for column in &table.outputs {
                        if let Some(cell) = rule.cell(&column.id) {
                            let at = row.clone().with_column(output_column(column));
                            read(&at, cell, false, &mut refs);
                        }
                    }
                }
            }
            NodeKind::Expression(node) => {
                if let Some(field) = &node.transform.input_field {
                    read(&at, field, false, &mut refs);
                }
                produced.extend(node.transform.output_path.clone());
                for (i, row) in node.expressions.iter().enumerate() {
                    produced.push(row.key.clone());
                    read(&expression_row(&at, i, row), &row.value, false, &mut refs);
                }
            }
            NodeKind::Input | NodeKind::Output => {}
        }
    }
    // What a node writes is read by the nodes after it, not asked of the package.
    refs.retain(|r| {
        !produced
            .iter()
            .any(|p| !p.is_empty() && overlaps(&r.path, p))
    });
    Reads { refs, whole_input }
}

/// A read of `$root` or `$nodes`, or of `$` where it is not the cell's own value.
fn reads_whole(reads: &[ReadDependency], unary: bool) -> bool {
    reads.iter().any(|read| match read {
        ReadDependency::Direct {
            via_index: true, ..
        } => false,
        ReadDependency::Direct { path, .. } | ReadDependency::Unresolved { path, .. } => {
            path_whole(path, unary)
        }
        ReadDependency::Iteration {
            collection, reads, ..
        } => path_whole(collection, unary) || reads_whole(reads, unary),
    })
}

fn path_whole(path: &[std::rc::Rc<str>], unary: bool) -> bool {
    match path.first().map(|p| &**p) {
        Some("$root" | "$nodes") => true,
        Some(p) if p.starts_with('$') => !unary,
        // An empty path is the whole of whatever was read: in a unary cell, the cell's value.
        None => !unary,
        Some(_) => false,
    }
}

/// One path is the other or lies inside it (`a.b` and `a`, `a` and `a.b`).
fn overlaps(a: &str, b: &str) -> bool {
    let inside = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    inside(a, b) || inside(b, a)
}

fn flatten(reads: &[ReadDependency], out: &mut Vec<String>) {
    for read in reads {
        match read {
            // Through an index or `#`: an element of a collection already read.
            ReadDependency::Direct {
                via_index: true, ..
            } => {}
            ReadDependency::Direct { path, .. } | ReadDependency::Unresolved { path, .. } => {
                push(path, out)
            }
            ReadDependency::Iteration {
                collection, reads, ..
            } => {
                push(collection, out);
                flatten(reads, out);
            }
        }
    }
}

fn push(path: &[std::rc::Rc<str>], out: &mut Vec<String>) {
    // `$`, `$root`, `$nodes`: the cell's own value, the context, other nodes; not attributes.
    if path.is_empty() || path[0].starts_with('$') {
        return;
    }
    let joined = path.iter().map(|p| &**p).collect::<Vec<_>>().join(".");
    if !out.contains(&joined) {
        out.push(joined);
    }
}
