// Two runs side by side: the run on screen against one picked in the history, value by value,
// with the series they share drawn together in the charts panel.

import { $ } from '../dom.js';
import { call, showError } from '../ipc.js';
import { formatNumber, formatTime, formatValue } from '../format.js';
import { renderCharts } from '../charts.js';

let hooks = { openRunId: () => null, onOpen() {}, onClose() {} };

/**
 * openRunId(): the run on screen, the comparison's left side (null when none).
 * onOpen, onClose: the comparison takes the run's table's place, then gives it back.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('close-compare').addEventListener('click', () => {
    close();
    hooks.onClose();
  });
}

export function isOpen() {
  return !$('compare-table').hidden;
}

export function close() {
  $('compare-bar').hidden = true;
  $('compare-table').hidden = true;
}

export async function compareWith(otherId) {
  const openId = hooks.openRunId();
  if (openId === null || openId === otherId) {
    showError({ code: 'compare.pick', message: 'Open a run first, then compare it with another one.', hint: 'Click a run in the history to open it.' });
    return;
  }
  let c;
  try {
    c = await call('compare_runs', { left: openId, right: otherId });
  } catch (err) {
    showError(err);
    return;
  }
  const describe = (r) => `${r.customerLabel} · ${r.package} · ${formatTime(r.finishedAt)}`;
  $('compare-title').textContent = `Comparing ${describe(c.left)} with ${describe(c.right)}`;
  $('compare-left-head').textContent = c.left.customerLabel;
  $('compare-right-head').textContent = c.right.customerLabel;
  $('compare-rows').replaceChildren(...c.rows.map(line));
  hooks.onOpen();
  // The two runs' shared series, drawn together.
  renderCharts(c.charts ?? []);
  $('compare-bar').hidden = false;
  $('compare-table').hidden = false;
}

function line(r) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'compare-row';
  tr.dataset.name = r.name;
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = r.label;
  // A run that lacks the attribute shows a dash, not an empty cell that reads as zero.
  const cell = (raw, number) => {
    const td = document.createElement('td');
    td.className = 'num';
    td.textContent = raw === null ? '—' : formatValue({ unit: r.unit, number, raw });
    return td;
  };
  const diff = document.createElement('td');
  diff.className = 'num';
  diff.dataset.testid = `diff-${r.name}`;
  diff.textContent = r.difference === null ? '' : `${r.difference > 0 ? '+' : ''}${formatNumber(r.unit, r.difference)}`;
  tr.append(name, cell(r.left, r.leftNumber), cell(r.right, r.rightNumber), diff);
  return tr;
}
