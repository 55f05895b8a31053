// The run form: the packages, the custom pick of attributes, the Run and Cancel buttons, and the
// stages of a run in progress. What a run returns is shown by the results screen (results.js).

import { $ } from '../dom.js';
import { call, channel, showError, clearError } from '../ipc.js';
import { formatDuration, plural } from '../format.js';
import { session, chosenCustomerId, chosenPackage, confirmProduction } from '../session.js';

const STAGES = [
  ['authorize', 'Open a session (Authorize)'],
  ['accounts', 'Get the accounts (GetAccountsDetail)'],
  ['attributes', 'Compute the attributes'],
];

// The run in progress: null when none, -1 until the desk names it (Cancel needs its id).
let runId = null;

// The custom request's choices for one environment, and the names ticked among them.
const custom = { choices: [], env: null, picked: new Set() };

let hooks = {
  isPortfolioRunning: () => false,
  onStart() {},
  onDone() {},
  onFail() {},
  afterRun() {},
};

/**
 * isPortfolioRunning: whether a portfolio holds the desk (no single run meanwhile).
 * onStart(packageSlug, customerId), onDone(result), onFail(): a run began, ended with a result,
 * or failed or was cancelled. afterRun: either way, once the form is free again.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('run-form').addEventListener('submit', run);
  $('cancel').addEventListener('click', cancel);
  $('packages').addEventListener('change', refresh);
  $('custom-filter').addEventListener('input', renderCustomChoices);
}

export function showPackages(packages) {
  session.packageTitles = Object.fromEntries(packages.map((p) => [p.slug, p.title]));
  const fieldset = $('packages');
  for (const p of packages) {
    const label = document.createElement('label');
    label.className = p.available ? 'choice' : 'choice unavailable';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'package';
    input.value = p.slug;
    input.disabled = !p.available;
    input.dataset.testid = `package-${p.slug}`;
    input.checked = p.slug === 'credit-risk';
    label.append(input, ` ${p.title}`);
    if (!p.available) {
      const note = document.createElement('span');
      note.className = 'soon';
      note.textContent = 'coming soon';
      label.append(' ', note);
    }
    fieldset.append(label);
  }
  refresh();
}

/** Enables what can be pressed now, and shows the custom picker when its package is chosen. */
export function refresh() {
  const chosen = chosenPackage();
  const isCustom = chosen === 'custom';
  $('custom-picker').hidden = !isCustom;
  if (isCustom) loadCustomChoices();
  const n = custom.picked.size;
  $('custom-count').textContent = n === 0 ? 'None picked.' : `${plural(n, 'attribute')} picked.`;
  const busy = runId !== null || hooks.isPortfolioRunning();
  $('run').disabled = busy || !chosenCustomerId() || !chosen || (isCustom && n === 0);
  // A portfolio runs a package; a custom pick is for one customer at a time.
  $('portfolio-open').disabled = busy || !chosen || isCustom;
}

async function loadCustomChoices() {
  if (custom.env === session.env) return;
  try {
    custom.choices = await call('attribute_choices', { environment: session.env });
    custom.env = session.env;
    custom.picked = new Set();
    renderCustomChoices();
  } catch (err) {
    showError(err);
  }
}

function renderCustomChoices() {
  const needle = $('custom-filter').value.trim().toLowerCase();
  // A few hundred boxes are enough to scroll through; the filter finds the rest.
  const shown = custom.choices.filter((c) => !needle
    || `${c.label} ${c.name} ${c.category}`.toLowerCase().includes(needle)).slice(0, 200);
  $('custom-list').replaceChildren(...shown.map((c) => {
    const label = document.createElement('label');
    label.className = 'check';
    label.title = c.name;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = c.name;
    box.checked = custom.picked.has(c.name);
    box.dataset.testid = `custom-${c.name}`;
    box.addEventListener('change', () => {
      if (box.checked) custom.picked.add(c.name); else custom.picked.delete(c.name);
      refresh();
    });
    const category = document.createElement('span');
    category.className = 'muted';
    category.textContent = ` · ${c.category}`;
    label.append(box, ` ${c.label}`, category);
    return label;
  }));
}

function setStage(key, status) {
  const item = document.querySelector(`#stages li[data-stage="${key}"]`);
  if (!item) return;
  item.dataset.status = status;
  item.querySelector('.mark').textContent = { done: '✓', active: '…', failed: '✕', todo: '' }[status];
}

function startProgress() {
  $('stages').replaceChildren(...STAGES.map(([key, text]) => {
    const li = document.createElement('li');
    li.dataset.stage = key;
    li.dataset.status = 'todo';
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.setAttribute('aria-hidden', 'true');
    li.append(mark, text);
    return li;
  }));
  $('progress-detail').textContent = '';
  $('progress').hidden = false;
}

function onEvent(event) {
  const detail = $('progress-detail');
  switch (event.kind) {
    case 'started':
      runId = event.runId;
      break;
    case 'authorizing':
    case 'reauthorizing':
      setStage('authorize', 'active');
      detail.textContent = event.kind === 'reauthorizing'
        ? 'The Flinks session expired; opening a new one.'
        : 'Opening a session with the stored loginId…';
      break;
    case 'requestingAccounts':
      setStage('authorize', 'done');
      setStage('accounts', 'active');
      detail.textContent = `Session ${event.requestId} opened. Requesting the accounts…`;
      break;
    case 'waiting':
      detail.textContent = `Flinks is still processing the accounts (check ${event.attempt}, `
        + `${formatDuration(event.elapsedMs)} so far). Next check in ${formatDuration(event.nextPollMs)}.`;
      break;
    case 'fetchingAttributes':
      setStage('accounts', 'done');
      setStage('attributes', 'active');
      detail.textContent = `${plural(event.accounts, 'account')}, ${plural(event.transactions, 'transaction')} received. Computing attributes…`;
      break;
    case 'retrying':
      detail.textContent = `${event.what} failed for a moment; trying again in ${formatDuration(event.delayMs)} (attempt ${event.attempt + 1}).`;
      break;
    default:
      break;
  }
}

async function run(event) {
  event.preventDefault();
  const customerId = chosenCustomerId();
  const chosen = chosenPackage();
  if (!customerId || !chosen) return;
  if (!(await confirmProduction())) return;
  clearError();
  startProgress();
  runId = -1;
  $('run').disabled = true;
  $('cancel').hidden = false;
  hooks.onStart(chosen, customerId);
  const onEventChannel = channel(onEvent);
  try {
    const result = chosen === 'custom'
      ? await call('run_custom', { customerId, names: [...custom.picked], onEvent: onEventChannel })
      : await call('run_package', { customerId, package: chosen, onEvent: onEventChannel });
    setStage('attributes', 'done');
    $('progress-detail').textContent = `Done in ${formatDuration(result.durationMs)}.`;
    hooks.onDone(result);
  } catch (err) {
    for (const li of document.querySelectorAll('#stages li[data-status="active"]')) setStage(li.dataset.stage, 'failed');
    hooks.onFail();
    if (err && err.code === 'cancelled') {
      $('progress-detail').textContent = 'Run cancelled. Nothing was changed.';
    } else {
      showError(err);
    }
  } finally {
    runId = null;
    $('cancel').hidden = true;
    refresh();
    hooks.afterRun();
  }
}

async function cancel() {
  // Until the desk has named the run there is nothing to cancel yet.
  if (runId === null || runId < 0) return;
  $('progress-detail').textContent = 'Cancelling…';
  try {
    await call('cancel_run', { runId });
  } catch (err) {
    showError(err);
  }
}
