//! What the policy screen reads: the policies with their latest version, a version, a policy's
//! decision tables as rows of cells, and the row-by-row difference between two versions. Data
//! only, like `view`; built from desk-policy's checked document, never from the page's JSON.

use std::collections::{BTreeMap, HashMap};

/// Where an error is in a policy (node, row, column), as the page receives it.
pub use desk_policy::policy::Location;
use desk_policy::policy::{DecisionTable, Document, HitPolicy, Node, NodeKind, PolicyError};
use serde::Serialize;
use serde_json::Value;

use crate::store::PolicyVersion;

/// A policy in the list: its name, whether the desk ships it, and its latest saved version
/// (none for a shipped policy never saved here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    pub name: String,
    pub shipped: bool,
    pub versions: usize,
    pub latest: Option<PolicyVersionView>,
}

/// One saved version: its hash (SHA-256 of the canonical JSON), when, and the note it was saved
/// with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersionView {
    pub id: i64,
    pub name: String,
    pub sha256: String,
    /// The first 12 characters of the hash, as lists show it.
    pub short_sha: String,
    pub note: String,
    pub saved_at: String,
    /// Saving found this very document already kept: no new version was made.
    pub already_saved: bool,
}

impl PolicyVersionView {
    pub fn of(version: &PolicyVersion, already_saved: bool) -> Self {
        PolicyVersionView {
            id: version.id,
            name: version.policy.clone(),
            sha256: version.sha256.clone(),
            short_sha: short(&version.sha256),
            note: version.note.clone(),
            saved_at: version.saved_at.clone(),
            already_saved,
        }
    }
}

pub fn short(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// A policy opened: its JDM JSON (what the page edits and sends back) and its decision tables.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDocumentView {
    pub name: String,
    pub sha256: String,
    pub short_sha: String,
    /// The saved version shown; none when it is the shipped policy, not saved here yet.
    pub version: Option<PolicyVersionView>,
    pub shipped: bool,
    /// The JDM JSON as GoRules' editor writes it.
    pub json: String,
    pub tables: Vec<DecisionTableView>,
}

/// A decision table node as a grid: input columns, then output columns, one row per rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTableView {
    pub node_id: String,
    pub name: String,
    /// `first` or `collect`.
    pub hit_policy: String,
    pub inputs: Vec<ColumnView>,
    pub outputs: Vec<ColumnView>,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnView {
    pub id: String,
    pub name: String,
    /// An input's field (the value its cells test) or an output's path.
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    /// 1-based, as the editor and the errors number rows.
    pub index: usize,
    /// `_id`: the editor's stable row id.
    pub id: Option<String>,
    pub description: Option<String>,
    /// One per column, inputs then outputs, in the columns' order (empty: no cell).
    pub cells: Vec<String>,
}

/// Two versions of a policy, row by row, per decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDiff {
    pub name: String,
    pub from: PolicyVersionView,
    pub to: PolicyVersionView,
    pub tables: Vec<TableDiff>,
    /// Other nodes (expressions, input, output) added, removed or changed, by name.
    pub other_nodes: Vec<NodeChange>,
    /// Nothing differs in what the policy decides (at most a node moved in the editor).
    pub same_rules: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeChange {
    pub node_id: String,
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
}

/// One decision table's differences (a table only in one version: all its rows added or
/// removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableDiff {
    pub node_id: String,
    pub name: String,
    /// The table's name before, when it was renamed.
    pub renamed_from: Option<String>,
    /// `[before, after]` when the hit policy changed.
    pub hit_policy: Option<[String; 2]>,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    pub added: Vec<RowView>,
    pub removed: Vec<RowView>,
    pub changed: Vec<RowChange>,
}

impl TableDiff {
    pub fn is_empty(&self) -> bool {
        self.hit_policy.is_none()
            && self.renamed_from.is_none()
            && self.columns_added.is_empty()
            && self.columns_removed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }
}

/// A row in both versions (same `_id`) whose cells differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowChange {
    pub id: Option<String>,
    /// 1-based positions in each version.
    pub index_before: usize,
    pub index_after: usize,
    pub description: Option<String>,
    pub cells: Vec<CellChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CellChange {
    pub column_id: String,
    /// The column's name (`Description` for the row's description).
    pub column: String,
    pub field: Option<String>,
    pub before: String,
    pub after: String,
}

/// Where a policy error is, when it is in a node (and maybe a row and column): what the page
/// needs to mark the cell.
pub fn error_location(error: &PolicyError) -> Option<&Location> {
    match error {
        PolicyError::Content { at, .. }
        | PolicyError::HitPolicy { at, .. }
        | PolicyError::UnsupportedNode { at }
        | PolicyError::Cell { at, .. }
        | PolicyError::UnknownAttribute { at, .. }
        | PolicyError::Evaluation { at, .. } => Some(at),
        _ => None,
    }
}

/// The document's decision tables, in node order. The document is a checked policy's, so each
/// table parses.
pub fn tables(document: &Document) -> Vec<DecisionTableView> {
    document
        .nodes
        .iter()
        .filter_map(|node| match NodeKind::parse(node) {
            Ok(NodeKind::DecisionTable(table)) => Some(table_view(&node.id, &node.name, &table)),
            _ => None,
        })
        .collect()
}

fn table_view(node_id: &str, name: &str, table: &DecisionTable) -> DecisionTableView {
    let inputs: Vec<ColumnView> = table
        .inputs
        .iter()
        .map(|c| ColumnView {
            id: c.id.clone(),
            name: c.name.clone(),
            field: c.field.clone(),
        })
        .collect();
    let outputs: Vec<ColumnView> = table
        .outputs
        .iter()
        .map(|c| ColumnView {
            id: c.id.clone(),
            name: c.name.clone(),
            field: Some(c.field.clone()).filter(|f| !f.is_empty()),
        })
        .collect();
    let rows = table
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| RowView {
            index: i + 1,
            id: rule.id.clone(),
            description: rule.description.clone(),
            cells: inputs
                .iter()
                .chain(&outputs)
                .map(|c| rule.cell(&c.id).unwrap_or_default().to_owned())
                .collect(),
        })
        .collect();
    DecisionTableView {
        node_id: node_id.to_owned(),
        name: name.to_owned(),
        hit_policy: hit_policy_name(table.hit_policy).to_owned(),
        inputs,
        outputs,
        rows,
    }
}

fn hit_policy_name(policy: HitPolicy) -> &'static str {
    match policy {
        HitPolicy::First => "first",
        HitPolicy::Collect => "collect",
    }
}

/// The decision tables and other nodes of `before` and `after`, compared; rows matched by `_id`
/// (a row without one, by its position).
pub fn diff(
    name: &str,
    from: PolicyVersionView,
    before: &Document,
    to: PolicyVersionView,
    after: &Document,
) -> PolicyDiff {
    let (old_tables, new_tables) = (tables(before), tables(after));
    let mut result = Vec::new();
    for new in &new_tables {
        let old = old_tables.iter().find(|t| t.node_id == new.node_id);
        let table = match old {
            Some(old) => table_diff(old, new),
            None => TableDiff {
                added: new.rows.clone(),
                ..empty_diff(new)
            },
        };
        if !table.is_empty() {
            result.push(table);
        }
    }
    for old in &old_tables {
        if !new_tables.iter().any(|t| t.node_id == old.node_id) {
            result.push(TableDiff {
                removed: old.rows.clone(),
                ..empty_diff(old)
            });
        }
    }
    let other_nodes = other_node_changes(before, after);
    PolicyDiff {
        name: name.to_owned(),
        from,
        to,
        same_rules: result.is_empty() && other_nodes.is_empty(),
        tables: result,
        other_nodes,
    }
}

fn empty_diff(table: &DecisionTableView) -> TableDiff {
    TableDiff {
        node_id: table.node_id.clone(),
        name: table.name.clone(),
        renamed_from: None,
        hit_policy: None,
        columns_added: Vec::new(),
        columns_removed: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    }
}

fn columns(table: &DecisionTableView) -> impl Iterator<Item = &ColumnView> {
    table.inputs.iter().chain(&table.outputs)
}

fn column_label(c: &ColumnView) -> String {
    match &c.field {
        Some(field) if field != &c.name && !c.name.is_empty() => format!("{} ({field})", c.name),
        Some(field) if c.name.is_empty() => field.clone(),
        _ => c.name.clone(),
    }
}

/// A row's key: its `_id`, or its position when it has none.
fn row_key(row: &RowView) -> String {
    row.id.clone().unwrap_or_else(|| format!("#{}", row.index))
}

/// The row's cells by column id.
fn cells_by_column(table: &DecisionTableView, row: &RowView) -> HashMap<String, String> {
    columns(table)
        .zip(&row.cells)
        .map(|(c, v)| (c.id.clone(), v.clone()))
        .collect()
}

fn table_diff(old: &DecisionTableView, new: &DecisionTableView) -> TableDiff {
    let mut diff = empty_diff(new);
    if old.name != new.name {
        diff.renamed_from = Some(old.name.clone());
    }
    if old.hit_policy != new.hit_policy {
        diff.hit_policy = Some([old.hit_policy.clone(), new.hit_policy.clone()]);
    }
    diff.columns_added = columns(new)
        .filter(|c| !columns(old).any(|o| o.id == c.id))
        .map(column_label)
        .collect();
    diff.columns_removed = columns(old)
        .filter(|c| !columns(new).any(|n| n.id == c.id))
        .map(column_label)
        .collect();
    let old_rows: BTreeMap<String, &RowView> = old.rows.iter().map(|r| (row_key(r), r)).collect();
    let new_keys: Vec<String> = new.rows.iter().map(row_key).collect();
    for (row, key) in new.rows.iter().zip(&new_keys) {
        let Some(before) = old_rows.get(key) else {
            diff.added.push(row.clone());
            continue;
        };
        let (was, is) = (cells_by_column(old, before), cells_by_column(new, row));
        let mut cells = Vec::new();
        if before.description != row.description {
            cells.push(CellChange {
                column_id: "_description".into(),
                column: "Description".into(),
                field: None,
                before: before.description.clone().unwrap_or_default(),
                after: row.description.clone().unwrap_or_default(),
            });
        }
        for column in columns(new) {
            // A column only in the new version is reported once, as a column added.
            let Some(old_cell) = was.get(&column.id) else {
                continue;
            };
            let new_cell = &is[&column.id];
            if old_cell != new_cell {
                cells.push(CellChange {
                    column_id: column.id.clone(),
                    column: column.name.clone(),
                    field: column.field.clone(),
                    before: old_cell.clone(),
                    after: new_cell.clone(),
                });
            }
        }
        if !cells.is_empty() {
            diff.changed.push(RowChange {
                id: row.id.clone(),
                index_before: before.index,
                index_after: row.index,
                description: row.description.clone().or(before.description.clone()),
                cells,
            });
        }
    }
    diff.removed = old
        .rows
        .iter()
        .filter(|r| !new_keys.contains(&row_key(r)))
        .cloned()
        .collect();
    diff
}

/// The nodes that are not decision tables, compared by their type, name, content and edges
/// into them (where a node is drawn does not count); and the decision tables' settings and
/// edges, their rows being compared in `tables`.
fn other_node_changes(before: &Document, after: &Document) -> Vec<NodeChange> {
    let is_table = |node: &Node| node.kind == "decisionTableNode";
    let incoming = |doc: &Document, id: &str| {
        let mut sources: Vec<String> = doc
            .edges
            .iter()
            .filter(|e| e.target_id == id)
            .map(|e| format!("{}:{:?}", e.source_id, e.source_handle))
            .collect();
        sources.sort();
        sources
    };
    let mut changes = Vec::new();
    for node in &after.nodes {
        let change = match before.nodes.iter().find(|n| n.id == node.id) {
            None if is_table(node) => continue,
            None => "added",
            Some(old)
                if old.kind != node.kind
                    || (!is_table(node) && old.name != node.name)
                    || settings(old) != settings(node)
                    || strip_position(&old.extra) != strip_position(&node.extra)
                    || incoming(before, &old.id) != incoming(after, &node.id) =>
            {
                "changed"
            }
            Some(_) => continue,
        };
        changes.push(NodeChange {
            node_id: node.id.clone(),
            name: node.name.clone(),
            change: change.into(),
        });
    }
    for node in before.nodes.iter().filter(|n| !is_table(n)) {
        if !after.nodes.iter().any(|n| n.id == node.id) {
            changes.push(NodeChange {
                node_id: node.id.clone(),
                name: node.name.clone(),
                change: "removed".into(),
            });
        }
    }
    changes
}

/// A node's content, less a decision table's rows, columns and hit policy.
fn settings(node: &Node) -> Value {
    match &node.content {
        Value::Object(map) if node.kind == "decisionTableNode" => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "rules" | "inputs" | "outputs" | "hitPolicy")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn strip_position(extra: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    extra
        .iter()
        .filter(|(k, _)| k.as_str() != "position")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
