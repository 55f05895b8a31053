// The history: every run kept, latest first, each decided run with the decision that stands. A
// completed run opens, or is compared with the run on screen; any other shows why it did not
// complete.

import { $, linkButton } from '../dom.js';
import { call, showError } from '../ipc.js';
import { formatTime, plural } from '../format.js';
import { packageTitle } from '../session.js';

const STATUS_WORDS = {
  completed: 'completed', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted', running: 'running',
};

const DECISION_WORDS = { pass: 'PASS', refer: 'REFER', decline: 'DECLINE' };

let hooks = { onOpen() {}, onCompare() {} };

/** onOpen(runId), onCompare(runId): a completed run was clicked, or its Compare link. */
export function start(options) {
  hooks = { ...hooks, ...options };
}

export async function refresh() {
  let runs;
  try {
    runs = await call('history');
  } catch (err) {
    showError(err);
    return;
  }
  $('history-empty').hidden = runs.length > 0;
  $('history').replaceChildren(...runs.map(item));
}

function item(r) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `history-item ${r.status}`;
  button.dataset.testid = 'history-item';
  button.dataset.runId = r.id;
  button.dataset.status = r.status;
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = `${r.customerLabel} · ${packageTitle(r.package)}`;
  const when = document.createElement('span');
  when.className = 'when';
  when.textContent = `${STATUS_WORDS[r.status] ?? r.status} · ${formatTime(r.startedAt)}`
    + (r.status === 'completed' ? ` · ${plural(r.values, 'value')}` : '');
  button.append(what, when);
  if (r.decision) button.append(decisionBadge(r.decision));
  if (r.status === 'completed') {
    button.addEventListener('click', () => hooks.onOpen(r.id));
  } else {
    button.disabled = true;
    if (r.errorMessage) button.title = r.errorMessage;
  }
  li.append(button);
  if (r.status === 'completed') {
    const compare = linkButton({
      testid: `compare-${r.id}`,
      text: 'Compare with the open run',
      className: 'link compare',
      onClick: () => hooks.onCompare(r.id),
    });
    compare.dataset.runId = r.id;
    li.append(compare);
  }
  return li;
}

/** The decision that stands, in words and colour, and whether it overrides the policy's. */
function decisionBadge(d) {
  const line = document.createElement('span');
  line.className = 'decision';
  line.dataset.testid = 'history-decision';
  line.dataset.decision = d.finalDecision;
  const badge = document.createElement('span');
  badge.className = `badge decision-${d.finalDecision}`;
  badge.textContent = DECISION_WORDS[d.finalDecision] ?? d.finalDecision;
  line.append(badge, ` ${d.policy}${d.overridden ? ' · overridden' : ''}`);
  return line;
}
