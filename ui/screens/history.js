// The history: every run kept, latest first. A completed run opens, or is compared with the run
// on screen; any other shows why it did not complete.

import { $, linkButton } from '../dom.js';
import { call, showError } from '../ipc.js';
import { formatTime, plural } from '../format.js';
import { packageTitle } from '../session.js';

const STATUS_WORDS = {
  completed: 'completed', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted', running: 'running',
};

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
