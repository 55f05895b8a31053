// The request log: every call the desk made, per environment or all, with each environment's
// totals (requests, failures, billable calls, billable this month: Flinks invoices by month).

import { $, showView, tableRow } from '../dom.js';
import { call, showError } from '../ipc.js';
import { count, formatDuration, formatTime, plural } from '../format.js';
import { session } from '../session.js';

export function start() {
  // The log is read when shown, never in the background: it changes with every call.
  $('view-log').addEventListener('click', () => {
    showView('log');
    load();
  });
  $('log-env').addEventListener('change', load);
  $('log-filter').addEventListener('input', filter);
}

async function load() {
  const select = $('log-env');
  const chosen = select.value;
  select.replaceChildren(new Option('All environments', ''),
    ...session.environments.map((e) => new Option(e.name, e.key)));
  select.value = session.environments.some((e) => e.key === chosen) ? chosen : '';
  let entries;
  let totals;
  try {
    [entries, totals] = await Promise.all([
      call('request_log', { environment: select.value || null }), call('ledger_totals'),
    ]);
  } catch (err) {
    showError(err);
    return;
  }
  $('totals-rows').replaceChildren(...totals.map((t) => {
    const tr = tableRow('totals-row', [
      [`${t.environmentName}${t.production ? ' (production)' : ''}`, ''], [count(t.requests), 'num'],
      [count(t.failed), 'num'], [count(t.billable), 'num'], [count(t.billableThisMonth), 'num'],
    ]);
    tr.dataset.environment = t.environment;
    return tr;
  }));
  const billable = entries.filter((e) => e.billable).length;
  const where = select.value ? ` to ${select.selectedOptions[0].textContent}` : '';
  $('log-summary').textContent = `${plural(entries.length, 'request')}${where} (latest first), ${count(billable)} billable.`;
  $('log-rows').replaceChildren(...entries.map((e) => tableRow('log-row', [
    [formatTime(e.at), ''], [e.environmentName, ''], [e.endpoint, ''], [e.status ?? 'no answer', 'num'],
    [e.flinksCode ?? '', ''], [formatDuration(e.durationMs), 'num'], [e.billable ? 'yes' : 'no', ''],
  ])));
  filter();
}

// Narrows the lines shown to those whose endpoint, status or FlinksCode contain every word typed.
function filter() {
  const words = $('log-filter').value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const tr of $('log-rows').rows) {
    const text = [2, 3, 4].map((i) => tr.cells[i].textContent).join(' ').toLowerCase();
    tr.hidden = !words.every((w) => text.includes(w));
    if (!tr.hidden) shown += 1;
  }
  $('log-rows').dataset.shown = String(shown);
}
