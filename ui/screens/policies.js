// Policies: the Policies… dialog. The list (saved and shipped policies), one policy's decision
// tables as editable grids (cells, rows, hit policy), Save (the core checks every cell and names
// the one it refuses, which is marked here), the versions with their hashes and a row-by-row
// comparison, and GoRules JDM files in and out.
//
// The page edits the JDM document itself (the core's JSON, parsed), so what is saved is exactly
// what was shown; the core's table view gives the columns.

import { $, linkButton } from '../dom.js';
import { call, errorText } from '../ipc.js';
import { formatTime, plural } from '../format.js';

let open = null; // { view, doc, dirty }
let versions = [];

export function start() {
  $('open-policies').addEventListener('click', show);
  $('policy-save-form').addEventListener('submit', save);
  $('policy-export').addEventListener('click', exportJdm);
  $('policy-import-form').addEventListener('submit', importJdm);
  $('policy-import-file').addEventListener('change', () => {
    const file = $('policy-import-file').files[0];
    const name = $('policy-import-name');
    if (file && (!name.value || name.dataset.auto === 'yes')) {
      name.value = file.name.replace(/\.json$/i, '');
      name.dataset.auto = 'yes';
    }
  });
  $('policy-import-name').addEventListener('input', () => { $('policy-import-name').dataset.auto = 'no'; });
  $('policy-diff-close').addEventListener('click', () => { $('policy-diff').hidden = true; });
}

async function show() {
  $('policies-dialog').showModal();
  try {
    await loadList();
  } catch (err) {
    $('policy-list-error').textContent = errorText(err);
  }
}

async function loadList() {
  const list = await call('policies');
  $('policy-list-error').textContent = '';
  $('policy-list').replaceChildren(...list.map((p) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'policy-item';
    button.dataset.testid = `policy-${p.name}`;
    button.dataset.name = p.name;
    if (open?.view.name === p.name) button.setAttribute('aria-current', 'true');
    const name = document.createElement('span');
    name.className = 'what';
    name.textContent = p.name;
    const about = document.createElement('span');
    about.className = 'when';
    about.textContent = p.latest
      ? `${plural(p.versions, 'version')} · latest ${p.latest.shortSha}${p.shipped ? ' · shipped' : ''}`
      : 'shipped with Flinks Desk, not edited';
    button.append(name, about);
    button.addEventListener('click', () => openPolicy(p.name).catch(showListError));
    li.append(button);
    return li;
  }));
}

function showListError(err) {
  $('policy-list-error').textContent = errorText(err);
}

/** Opens a policy's version `sha` (its latest without one) in the editor. */
async function openPolicy(name, sha = null) {
  const view = await call('open_policy', { name, sha256: sha });
  open = { view, doc: JSON.parse(view.json), dirty: false };
  for (const item of document.querySelectorAll('.policy-item')) {
    item.toggleAttribute('aria-current', item.dataset.name === name);
  }
  $('policy-empty').hidden = true;
  $('policy-editor').hidden = false;
  $('policy-name').textContent = view.name;
  $('policy-save-error').textContent = '';
  $('policy-save-status').textContent = '';
  $('policy-export-status').textContent = '';
  $('policy-diff').hidden = true;
  renderVersionLine();
  renderTables();
  await loadVersions();
}

function renderVersionLine() {
  const { view, dirty } = open;
  const which = view.version
    ? `Version ${view.shortSha}, saved ${formatTime(view.version.savedAt)}${view.version.note ? ` — ${view.version.note}` : ''}`
    : `As shipped (${view.shortSha}), not saved here yet`;
  $('policy-version').textContent = dirty ? `${which} · unsaved changes` : which;
  $('policy-version').dataset.sha = view.sha256;
}

function markDirty() {
  if (!open.dirty) {
    open.dirty = true;
    renderVersionLine();
  }
}

function nodeOf(table) {
  return open.doc.nodes.find((n) => n.id === table.nodeId);
}

function renderTables() {
  const sections = open.view.tables.map(renderTable);
  if (sections.length === 0) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = 'This policy has no decision table to edit here (open it in GoRules\' editor).';
    sections.push(p);
  }
  $('policy-tables').replaceChildren(...sections);
}

function renderTable(table) {
  const node = nodeOf(table);
  const section = document.createElement('section');
  section.className = 'policy-table';
  section.dataset.testid = 'policy-table';
  section.dataset.node = table.nodeId;
  const head = document.createElement('div');
  head.className = 'policy-table-head';
  const h = document.createElement('h4');
  h.textContent = table.name || 'Decision table';
  const hit = document.createElement('label');
  hit.className = 'inline';
  hit.textContent = 'Hit policy ';
  const select = document.createElement('select');
  select.dataset.testid = 'hit-policy';
  select.setAttribute('aria-label', `Hit policy of ${table.name}`);
  select.append(new Option('first — the first matching row', 'first'), new Option('collect — every matching row', 'collect'));
  select.value = node.content.hitPolicy ?? 'first';
  select.addEventListener('change', () => { node.content.hitPolicy = select.value; markDirty(); });
  hit.append(select);
  const add = document.createElement('button');
  add.type = 'button';
  add.className = 'ghost';
  add.dataset.testid = 'policy-add-row';
  add.textContent = 'Add row';
  add.addEventListener('click', () => addRow(table, section));
  head.append(h, hit, add);

  const wrap = document.createElement('div');
  wrap.className = 'policy-grid-wrap';
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', `Rows of ${table.name}`);
  const grid = document.createElement('table');
  grid.className = 'policy-grid';
  const caption = document.createElement('caption');
  caption.className = 'visually-hidden';
  caption.textContent = `${table.name}: inputs, then outputs, one row per rule`;
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  tr.append(th('#'), th('Description'));
  for (const c of table.inputs) tr.append(columnHead(c, 'in'));
  for (const c of table.outputs) tr.append(columnHead(c, 'out'));
  tr.append(th(''));
  thead.append(tr);
  const tbody = document.createElement('tbody');
  grid.append(caption, thead, tbody);
  wrap.append(grid);
  section.append(head, wrap);
  renderRows(table, tbody);
  return section;
}

function th(text) {
  const cell = document.createElement('th');
  cell.scope = 'col';
  cell.textContent = text;
  return cell;
}

function columnHead(column, side) {
  const cell = document.createElement('th');
  cell.scope = 'col';
  cell.className = `col-${side}`;
  const tag = document.createElement('span');
  tag.className = 'side';
  tag.textContent = side === 'in' ? 'Input' : 'Output';
  const name = document.createElement('span');
  name.className = 'col-name';
  name.textContent = column.name || column.field || '(no name)';
  cell.append(tag, name);
  if (column.field && column.field !== column.name) {
    const field = document.createElement('code');
    field.textContent = column.field;
    cell.append(field);
  }
  return cell;
}

function renderRows(table, tbody) {
  const node = nodeOf(table);
  const rules = node.content.rules;
  const columns = [...table.inputs, ...table.outputs];
  tbody.replaceChildren(...rules.map((rule, i) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'policy-row';
    tr.dataset.row = String(i + 1);
    const n = document.createElement('th');
    n.scope = 'row';
    n.textContent = String(i + 1);
    tr.append(n);
    tr.append(cellInput({
      rule, key: '_description', row: i + 1, label: `Row ${i + 1}, description`, testid: 'policy-description',
    }));
    for (const c of columns) {
      tr.append(cellInput({
        rule, key: c.id, row: i + 1, label: `Row ${i + 1}, ${c.name || c.field}`, testid: 'policy-cell', node: table.nodeId,
      }));
    }
    const del = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.dataset.testid = 'policy-delete-row';
    button.textContent = 'Delete';
    button.setAttribute('aria-label', `Delete row ${i + 1}`);
    button.addEventListener('click', () => {
      rules.splice(i, 1);
      markDirty();
      renderRows(table, tbody);
      const next = tbody.querySelector(`tr[data-row="${Math.min(i + 1, rules.length)}"] input`);
      next?.focus();
    });
    del.append(button);
    tr.append(del);
    return tr;
  }));
}

function cellInput({ rule, key, row, label, testid, node }) {
  const td = document.createElement('td');
  const input = document.createElement('input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.value = rule[key] ?? '';
  input.dataset.testid = testid;
  input.dataset.row = String(row);
  input.dataset.column = key;
  if (node) input.dataset.node = node;
  input.setAttribute('aria-label', label);
  const size = () => { input.size = Math.min(Math.max(input.value.length + 1, 6), 40); };
  size();
  input.addEventListener('input', () => {
    rule[key] = input.value;
    input.removeAttribute('aria-invalid');
    size();
    markDirty();
  });
  td.append(input);
  return td;
}

function newRowId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function addRow(table, section) {
  const rule = { _id: newRowId(), _description: '' };
  for (const c of [...table.inputs, ...table.outputs]) rule[c.id] = '';
  const rules = nodeOf(table).content.rules;
  rules.push(rule);
  markDirty();
  const tbody = section.querySelector('tbody');
  renderRows(table, tbody);
  tbody.querySelector(`tr[data-row="${rules.length}"] input[data-testid="policy-cell"]`)?.focus();
}

async function save(event) {
  event.preventDefault();
  if (!open) return;
  clearMarks();
  $('policy-save-error').textContent = '';
  $('policy-save-status').textContent = 'Checking and saving…';
  const note = $('policy-note').value;
  try {
    const saved = await call('save_policy', {
      name: open.view.name, document: JSON.stringify(open.doc, null, 2), note,
    });
    $('policy-note').value = '';
    await openPolicy(saved.name, saved.sha256);
    $('policy-save-status').textContent = saved.alreadySaved
      ? `No change: this is version ${saved.shortSha}, already saved.`
      : `Saved as version ${saved.shortSha}.`;
    await loadList();
  } catch (err) {
    $('policy-save-status').textContent = '';
    $('policy-save-error').textContent = errorText(err);
    markError(err.at);
  }
}

function clearMarks() {
  for (const el of document.querySelectorAll('#policy-tables [aria-invalid="true"], #policy-tables .invalid')) {
    el.removeAttribute('aria-invalid');
    el.classList.remove('invalid');
  }
}

/** Marks and focuses where the core says the policy is wrong: the cell, else the row or table. */
function markError(at) {
  if (!at) return;
  const section = document.querySelector(`#policy-tables [data-node="${CSS.escape(at.node.id)}"]`);
  if (!section) return;
  const row = at.row && section.querySelector(`tr[data-row="${at.row.index}"]`);
  const cell = row && at.column && row.querySelector(`input[data-column="${CSS.escape(at.column.id)}"]`);
  const target = cell ?? row ?? section;
  if (cell) cell.setAttribute('aria-invalid', 'true');
  target.classList.add('invalid');
  target.setAttribute('aria-invalid', 'true');
  (cell ?? row?.querySelector('input') ?? section.querySelector('select'))?.focus();
  target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

async function loadVersions() {
  versions = await call('policy_versions', { name: open.view.name });
  $('policy-versions-empty').hidden = versions.length > 0;
  $('policy-versions').replaceChildren(...versions.map((v) => {
    const li = document.createElement('li');
    li.dataset.testid = 'policy-version-item';
    li.dataset.sha = v.sha256;
    const current = v.sha256 === open.view.sha256;
    if (current) li.classList.add('current');
    const hash = document.createElement('code');
    hash.textContent = v.shortSha;
    hash.title = v.sha256;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = formatTime(v.savedAt);
    const note = document.createElement('span');
    note.className = 'version-note';
    note.textContent = v.note || '(no note)';
    li.append(hash, ' ', when, current ? ' (open)' : '', note);
    if (!current) {
      const actions = document.createElement('span');
      actions.className = 'version-actions';
      actions.append(
        linkButton({
          testid: 'policy-version-open',
          text: 'Open',
          label: `Open version ${v.shortSha}`,
          onClick: () => openPolicy(open.view.name, v.sha256).catch(showSaveError),
        }),
        ' ',
        linkButton({
          testid: 'policy-compare',
          text: 'Compare with current',
          label: `Compare version ${v.shortSha} with the open version`,
          onClick: () => compare(v).catch(showSaveError),
        }),
      );
      li.append(actions);
    }
    return li;
  }));
}

function showSaveError(err) {
  $('policy-save-error').textContent = errorText(err);
}

async function compare(version) {
  const current = versions.find((v) => v.sha256 === open.view.sha256);
  if (!current) {
    $('policy-save-error').textContent = 'Save the open policy first: only saved versions can be compared.';
    return;
  }
  const [before, after] = version.id < current.id ? [version, current] : [current, version];
  const diff = await call('diff_policy_versions', {
    name: open.view.name, before: before.sha256, after: after.sha256,
  });
  renderDiff(diff);
}

function renderDiff(diff) {
  const out = [];
  const title = document.createElement('p');
  title.className = 'diff-title';
  title.textContent = `${diff.from.shortSha} (${formatTime(diff.from.savedAt)}) → ${diff.to.shortSha} (${formatTime(diff.to.savedAt)})`;
  out.push(title);
  if (diff.sameRules) out.push(para('The same rules: at most a node moved in the editor.'));
  for (const t of diff.tables) {
    const h = document.createElement('h4');
    h.textContent = t.name;
    out.push(h);
    const list = document.createElement('ul');
    list.className = 'diff-list';
    if (t.renamedFrom) list.append(item(`Renamed from ${t.renamedFrom}`));
    if (t.hitPolicy) list.append(item(`Hit policy: ${t.hitPolicy[0]} → ${t.hitPolicy[1]}`));
    for (const c of t.columnsAdded) list.append(item(`Column added: ${c}`));
    for (const c of t.columnsRemoved) list.append(item(`Column removed: ${c}`));
    for (const r of t.changed) {
      const li = item(`Row ${r.indexAfter}${r.indexBefore !== r.indexAfter ? ` (was ${r.indexBefore})` : ''}${r.description ? ` — ${r.description}` : ''} changed:`);
      li.dataset.testid = 'diff-changed-row';
      const cells = document.createElement('ul');
      for (const c of r.cells) {
        const cell = document.createElement('li');
        cell.dataset.testid = 'diff-cell';
        const name = document.createElement('span');
        name.textContent = `${c.column}: `;
        cell.append(name, code(c.before || '(empty)', 'before'), ' → ', code(c.after || '(empty)', 'after'));
        cells.append(cell);
      }
      li.append(cells);
      list.append(li);
    }
    for (const r of t.added) {
      const li = item(`Row ${r.index} added${r.description ? ` — ${r.description}` : ''}`);
      li.dataset.testid = 'diff-added-row';
      list.append(li);
    }
    for (const r of t.removed) {
      const li = item(`Row ${r.index} removed${r.description ? ` — ${r.description}` : ''}`);
      li.dataset.testid = 'diff-removed-row';
      list.append(li);
    }
    out.push(list);
  }
  if (diff.otherNodes.length) {
    const list = document.createElement('ul');
    list.className = 'diff-list';
    for (const n of diff.otherNodes) list.append(item(`Node ${n.name}: ${n.change}`));
    out.push(para('Other nodes:'), list);
  }
  $('policy-diff-body').replaceChildren(...out);
  $('policy-diff').hidden = false;
  $('policy-diff').scrollIntoView({ block: 'nearest' });
  $('policy-diff-close').focus();
}

function para(text) {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

function item(text) {
  const li = document.createElement('li');
  li.append(text);
  return li;
}

function code(text, className) {
  const c = document.createElement('code');
  c.className = className;
  c.textContent = text;
  return c;
}

async function exportJdm() {
  if (!open) return;
  $('policy-export-status').textContent = 'Exporting…';
  try {
    const path = await call('export_policy', { name: open.view.name, sha256: open.view.sha256 });
    $('policy-export-status').textContent = path == null ? 'Export cancelled.'
      : `Version ${open.view.shortSha} written to ${path}${open.dirty ? ' (without the unsaved changes)' : ''}.`;
  } catch (err) {
    $('policy-export-status').textContent = errorText(err);
  }
}

async function importJdm(event) {
  event.preventDefault();
  const file = $('policy-import-file').files[0];
  const name = $('policy-import-name').value.trim();
  $('policy-import-error').textContent = '';
  if (!file) {
    $('policy-import-error').textContent = 'Choose a JDM file (.json) first.';
    return;
  }
  try {
    const saved = await call('import_policy', { name, text: await file.text() });
    $('policy-import-form').reset();
    $('policy-import-name').dataset.auto = 'yes';
    await loadList();
    await openPolicy(saved.name, saved.sha256);
    $('policy-save-status').textContent = saved.alreadySaved
      ? `Imported: the same as version ${saved.shortSha}, already saved.`
      : `Imported as version ${saved.shortSha}.`;
  } catch (err) {
    $('policy-import-error').textContent = errorText(err);
  }
}
