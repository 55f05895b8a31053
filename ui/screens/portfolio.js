// A portfolio: the chosen package for many customers, a few at a time, one row per customer with
// its progress, and one CSV with a row per customer.

import { $, ask, linkButton, showView } from '../dom.js';
import { call, channel, errorText, showError, clearError } from '../ipc.js';
import { count, formatDuration, plural } from '../format.js';
import { session, customersHere, chosenPackage, packageTitle } from '../session.js';

const WORDS = {
  queued: 'queued',
  authorizing: 'opening a session',
  reauthorizing: 'opening a new session',
  requestingAccounts: 'requesting the accounts',
  waiting: 'Flinks is processing',
  fetchingAttributes: 'computing attributes',
  retrying: 'retrying',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const FINAL = ['completed', 'failed', 'cancelled'];

let portfolio = { running: false, entries: [], package: null };

let hooks = { onOpenRun() {}, onBusyChange() {}, refreshHistory() {} };

/**
 * onOpenRun(runId): a customer's results were asked for.
 * onBusyChange: a portfolio started or ended (single runs wait meanwhile).
 * refreshHistory: the portfolio's runs are in the history.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('portfolio-open').addEventListener('click', open);
  $('portfolio-form').addEventListener('submit', run);
  $('portfolio-all').addEventListener('change', () => {
    for (const box of $('portfolio-customers').querySelectorAll('input')) box.checked = $('portfolio-all').checked;
  });
  $('portfolio-export').addEventListener('click', exportCsv);
  $('portfolio-reports').addEventListener('click', exportReports);
  $('portfolio-cancel').addEventListener('click', () => call('cancel_portfolio').catch(showError));
  $('view-portfolio').addEventListener('click', () => showView('portfolio'));
}

export function isRunning() {
  return portfolio.running;
}

function open() {
  const chosen = chosenPackage();
  if (!chosen) return;
  $('portfolio-customers').replaceChildren(...customersHere().map((c) => {
    const label = document.createElement('label');
    label.className = 'check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = c.id;
    input.name = 'customer';
    input.dataset.testid = `portfolio-customer-${c.id}`;
    label.append(input, ` ${c.label} · …${c.loginLast4}`);
    return label;
  }));
  $('portfolio-all').checked = false;
  $('portfolio-package').textContent = `Package: ${packageTitle(chosen)}, for each customer you tick.`;
  $('portfolio-form').querySelector('.form-error').textContent = '';
  $('portfolio-dialog').showModal();
}

function render() {
  const p = portfolio;
  $('portfolio-rows').replaceChildren(...p.entries.map(row));
  const done = p.entries.filter((e) => FINAL.includes(e.status));
  const ok = p.entries.filter((e) => e.status === 'completed').length;
  const failed = p.entries.filter((e) => e.status === 'failed').length;
  $('portfolio-summary').textContent = `${packageTitle(p.package)}: `
    + `${done.length} of ${plural(p.entries.length, 'customer')} done · ${ok} completed`
    + (failed ? ` · ${failed} failed` : '')
    + (p.durationMs !== undefined ? ` · ${formatDuration(p.durationMs)}` : '');
  $('portfolio-export').disabled = p.running || ok === 0;
  $('portfolio-reports').disabled = p.running || ok === 0;
  $('portfolio-cancel').hidden = !p.running;
}

function row(e) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'portfolio-row';
  tr.dataset.customerId = e.customerId;
  tr.dataset.status = e.status;
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = e.label;
  const status = document.createElement('td');
  status.textContent = WORDS[e.status] ?? e.status;
  status.className = `status ${e.status}`;
  const values = document.createElement('td');
  values.className = 'num';
  values.textContent = e.values ? count(e.values) : '';
  const details = document.createElement('td');
  if (e.runId) {
    details.append(linkButton({
      testid: `portfolio-open-${e.customerId}`, text: 'Open the results', onClick: () => hooks.onOpenRun(e.runId),
    }));
  } else if (e.error) {
    details.textContent = errorText(e.error);
  } else if (e.detail) {
    details.textContent = e.detail;
  }
  tr.append(name, status, values, details);
  return tr;
}

// Progress events name their customer; the last one carries the customer's whole entry.
function onEvent(event) {
  const entry = portfolio.entries.find((e) => e.customerId === (event.customerId ?? event.entry?.customerId));
  if (!entry) return;
  if (event.kind === 'finished') {
    Object.assign(entry, event.entry);
  } else if (event.event.kind !== 'started') {
    entry.status = event.event.kind;
    entry.detail = event.event.kind === 'waiting' ? `check ${event.event.attempt}` : '';
  }
  render();
}

async function run(event) {
  event.preventDefault();
  const form = $('portfolio-form');
  const ids = [...form.querySelectorAll('input[name="customer"]:checked')].map((i) => i.value);
  const concurrency = Number(form.elements.concurrency.value) || 4;
  const chosen = chosenPackage();
  if (ids.length === 0) {
    form.querySelector('.form-error').textContent = 'Tick at least one customer.';
    return;
  }
  $('portfolio-dialog').close();
  // The desk runs a portfolio that touches production only with its exact cost confirmed.
  let confirmed = null;
  try {
    const cost = await call('portfolio_cost', { customerIds: ids, package: chosen });
    if (cost.customers > 0) {
      $('portfolio-cost').textContent =
        `${plural(cost.customers, 'customer')} on production: ${count(cost.calls)} billable calls to Flinks.`;
      if (!(await ask('portfolio-prod-confirm'))) return;
      confirmed = cost;
    }
  } catch (err) {
    showError(err);
    return;
  }
  clearError();
  const byId = Object.fromEntries(session.customers.map((c) => [c.id, c]));
  portfolio = {
    running: true,
    package: chosen,
    entries: ids.map((id) => ({ customerId: id, label: byId[id]?.label ?? id, status: 'queued', values: 0 })),
  };
  // The Portfolio view's button appears with the first portfolio and stays.
  $('view-portfolio').hidden = false;
  showView('portfolio');
  render();
  hooks.onBusyChange();
  try {
    const result = await call('run_portfolio', {
      customerIds: ids, package: chosen, concurrency, confirmed, onEvent: channel(onEvent),
    });
    portfolio.entries = result.entries;
    portfolio.durationMs = result.durationMs;
  } catch (err) {
    showError(err);
  } finally {
    portfolio.running = false;
    render();
    hooks.onBusyChange();
    hooks.refreshHistory();
  }
}

// A PDF credit file per completed customer and one workbook, into a folder the person picks.
async function exportReports() {
  const p = portfolio;
  const runIds = p.entries.filter((e) => e.runId).map((e) => e.runId);
  const status = $('portfolio-export-status');
  status.textContent = `Making ${plural(runIds.length, 'credit file')}…`;
  try {
    const saved = await call('export_portfolio_reports', { runIds, package: p.package });
    status.textContent = saved
      ? `Saved ${plural(runIds.length, 'PDF')} and a workbook (${plural(saved.paths.length, 'file')}) to ${folderOf(saved.paths[0])}`
      : 'Export cancelled.';
  } catch (err) {
    status.textContent = '';
    showError(err);
  }
}

function folderOf(path) {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : path;
}

async function exportCsv() {
  const p = portfolio;
  const runIds = p.entries.filter((e) => e.runId).map((e) => e.runId);
  const status = $('portfolio-export-status');
  status.textContent = 'Exporting…';
  try {
    const saved = await call('export_portfolio_csv', { runIds, package: p.package, bom: $('bom').checked });
    status.textContent = saved ? `Saved ${plural(saved.rows, 'customer')} to ${saved.path}` : 'Export cancelled.';
  } catch (err) {
    status.textContent = '';
    showError(err);
  }
}
