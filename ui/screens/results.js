// One run's results: the summary line, the headlines, the table (filter, sort), the charts, the
// transactions behind a value (explain), Export CSV and Copy RequestId.

import { $, linkButton, showView, tableRow } from '../dom.js';
import { call, showError, clearError } from '../ipc.js';
import { formatAmount, formatDuration, formatValue, plural } from '../format.js';
import { customerById, packageTitle } from '../session.js';
import { renderCharts, clearCharts } from '../charts.js';

// The run on screen (null while a run goes or before the first).
let result = null;
// What was on screen when a run started, to bring back if it fails.
let beforeRun = null;
let sort = { key: null, dir: 1 };

let hooks = { closeComparison() {}, isComparing: () => false, onShown() {} };

/**
 * closeComparison: a run is shown, so a comparison on screen goes.
 * isComparing: a comparison holds the charts panel, and a run's charts arriving late stay out.
 * onShown(result): a completed run is on screen (null while a run goes): its decision follows.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('view-results').addEventListener('click', () => showView('results'));
  $('export').addEventListener('click', exportCsv);
  $('export-pdf').addEventListener('click', () => exportReport('pdf'));
  $('export-xlsx').addEventListener('click', () => exportReport('xlsx'));
  $('copy-request-id').addEventListener('click', copyRequestId);
  $('filter').addEventListener('input', () => result && renderTable());
  for (const button of document.querySelectorAll('th button[data-sort]')) {
    button.addEventListener('click', () => {
      const key = button.dataset.sort;
      sort = { key, dir: sort.key === key ? -sort.dir : 1 };
      if (result) renderTable();
    });
  }
}

/** The id of the run on screen, or null. */
export function openRunId() {
  return result ? result.runId : null;
}

/** Shows a run and moves the focus to it. */
export function show(r) {
  render(r);
  $('results').focus();
}

/** Opens a run of the history or of a portfolio. */
export async function open(runId) {
  clearError();
  try {
    show(await call('open_run', { runId }));
  } catch (err) {
    showError(err);
  }
}

// While a run goes, the previous run's numbers leave the screen: read beside a new customer's
// name, they would be taken for that customer's.
export function showRunning(packageSlug, customerId) {
  const customer = customerById(customerId);
  beforeRun = result;
  showView('results');
  hooks.closeComparison();
  result = null;
  hooks.onShown(null);
  setExportsDisabled(true);
  $('copy-request-id').disabled = true;
  $('export-status').textContent = '';
  $('table').hidden = true;
  $('headlines').hidden = true;
  $('charts-panel').hidden = true;
  $('filter').disabled = true;
  $('summary').textContent = `Running ${packageTitle(packageSlug)} for ${customer ? customer.label : 'the customer'}…`;
}

/** A run failed or was cancelled: the last results come back, marked as such by their own summary line. */
export function runFailed() {
  if (beforeRun) render(beforeRun);
  else $('summary').textContent = 'Pick a customer and a package, then press Run.';
}

/** A comparison ended: the run's own table and charts come back. */
export function backFromComparison() {
  if (!result) return;
  $('table').hidden = false;
  loadCharts(result.runId);
}

/** A comparison takes the table's place. */
export function hideTable() {
  $('table').hidden = true;
}

function render(r) {
  showView('results');
  hooks.closeComparison();
  result = r;
  setExportsDisabled(false);
  $('copy-request-id').disabled = false;
  $('export-status').textContent = '';
  $('summary').textContent = `${r.customerLabel} · ${r.package} · ${r.environment} · `
    + `${plural(r.rows.length, 'attribute')} from ${plural(r.accounts, 'account')} and `
    + `${plural(r.transactions, 'transaction')} · RequestId ${r.requestId} · `
    + `${formatDuration(r.durationMs)}`;
  $('filter').disabled = false;
  $('table').hidden = false;
  renderHeadlines(r.summary ?? []);
  renderTable();
  loadCharts(r.runId);
  hooks.onShown(r);
}

/** The few values an underwriter reads first for the package, with why each matters. */
function renderHeadlines(items) {
  const list = $('headlines');
  list.replaceChildren(...items.map((item) => {
    const card = document.createElement('li');
    card.dataset.testid = `headline-${item.name}`;
    const label = document.createElement('span');
    label.className = 'headline-label';
    label.textContent = item.label;
    const value = document.createElement('span');
    value.className = 'headline-value';
    if (item.number !== null && item.number < 0) value.classList.add('negative');
    value.textContent = formatValue(item);
    const why = document.createElement('span');
    why.className = 'headline-why';
    why.textContent = item.why;
    card.append(label, value, why);
    return card;
  }));
  list.hidden = items.length === 0;
}

function sortedRows() {
  const rows = [...result.rows];
  const { key, dir } = sort;
  if (!key) return rows;
  // Text values sort below every number.
  const value = (r) => (key === 'value' ? (r.number ?? Number.NEGATIVE_INFINITY) : String(r[key]).toLowerCase());
  return rows.sort((a, b) => (value(a) < value(b) ? -dir : value(a) > value(b) ? dir : 0));
}

function renderTable() {
  const needle = $('filter').value.trim().toLowerCase();
  const shown = sortedRows().filter((r) => !needle
    || `${r.label} ${r.name} ${r.category}`.toLowerCase().includes(needle));
  $('rows').replaceChildren(...shown.map(tableLine));
  for (const button of document.querySelectorAll('th button[data-sort]')) {
    const th = button.parentElement;
    th.setAttribute('aria-sort', button.dataset.sort === sort.key
      ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  }
}

function tableLine(r) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'attr-row';
  tr.dataset.name = r.name;
  const name = document.createElement('th');
  name.scope = 'row';
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = r.label;
  const code = document.createElement('code');
  code.textContent = r.name;
  name.append(label, code);
  const value = document.createElement('td');
  value.className = r.number === null ? 'text' : 'num';
  if (r.number !== null && r.number < 0) value.classList.add('negative');
  value.dataset.testid = `value-${r.name}`;
  value.textContent = formatValue(r);
  const category = document.createElement('td');
  category.textContent = r.category;
  const definition = document.createElement('td');
  definition.className = 'definition';
  const clamp = document.createElement('div');
  clamp.className = 'clamp';
  clamp.textContent = r.definition;
  clamp.title = r.definition;
  definition.append(clamp);
  const behind = document.createElement('td');
  if (r.transactions > 0) {
    behind.append(linkButton({
      testid: `explain-${r.name}`,
      text: plural(r.transactions, 'transaction'),
      label: `Show the ${plural(r.transactions, 'transaction')} behind ${r.label}`,
      onClick: () => explain(r),
    }));
  }
  tr.append(name, value, category, definition, behind);
  return tr;
}

async function loadCharts(runId) {
  clearCharts();
  let charts;
  try {
    charts = await call('charts', { runId });
  } catch (err) {
    showError(err);
    return;
  }
  // A newer result may have replaced this one while the charts were drawn.
  // Or a comparison now shows its own charts.
  if (!result || result.runId !== runId || hooks.isComparing()) return;
  renderCharts(charts);
}

async function explain(row) {
  let e;
  try {
    e = await call('explain', { runId: result.runId, name: row.name });
  } catch (err) {
    showError(err);
    return;
  }
  $('explain-title').textContent = `${e.label}: ${formatValue(row)}`;
  // A count has no total worth adding up.
  $('explain-summary').textContent = e.unit === 'count'
    ? `${plural(e.transactions.length, 'transaction')}.`
    : `${plural(e.transactions.length, 'transaction')}, adding up to ${formatAmount(e.gross)} (net ${formatAmount(e.net)}).`;
  $('explain-rows').replaceChildren(...e.transactions.map((t) => tableRow('explain-row', [
    [t.date, ''], [t.description ?? '', ''], [formatAmount(t.debit), 'num'],
    [formatAmount(t.credit), 'num'], [formatAmount(t.balance), 'num'],
  ])));
  $('explain').showModal();
}

function setExportsDisabled(disabled) {
  for (const id of ['export', 'export-pdf', 'export-xlsx']) $(id).disabled = disabled;
  if (disabled) $('export-menu').open = false;
}

// The credit file: what the run holds with its latest decision, as a PDF or a workbook.
async function exportReport(kind) {
  if (!result) return;
  $('export-menu').open = false;
  const status = $('export-status');
  status.textContent = kind === 'pdf' ? 'Making the PDF report…' : 'Making the Excel workbook…';
  try {
    const saved = await call('export_report', { runId: result.runId, kind });
    status.textContent = saved ? `Saved the credit file to ${saved.paths[0]}` : 'Export cancelled.';
  } catch (err) {
    status.textContent = '';
    showError(err);
  }
}

async function exportCsv() {
  if (!result) return;
  $('export-menu').open = false;
  const status = $('export-status');
  status.textContent = 'Exporting…';
  try {
    const saved = await call('export_csv', { runId: result.runId, bom: $('bom').checked });
    status.textContent = saved ? `Saved ${plural(saved.rows, 'row')} to ${saved.path}` : 'Export cancelled.';
  } catch (err) {
    status.textContent = '';
    showError(err);
  }
}

// The RequestId names the call at Flinks (their support asks for it); the loginId is never
// offered: it would leave the keyring for the clipboard.
async function copyRequestId() {
  if (!result) return;
  const id = result.requestId;
  try {
    await navigator.clipboard.writeText(id);
  } catch {
    // WebKitGTK may refuse the async clipboard; a selection copied during the click still works.
    const field = document.createElement('textarea');
    field.value = id;
    document.body.append(field);
    field.select();
    const copied = document.execCommand('copy');
    field.remove();
    if (!copied) {
      $('export-status').textContent = `The clipboard refused; the RequestId is ${id}.`;
      return;
    }
  }
  $('export-status').textContent = `RequestId ${id} copied.`;
}
