import {
  count, formatAmount, formatDuration, formatNumber, formatTime, formatValue, plural,
} from './format.js';
import { $, ask, formData, tableRow } from './dom.js';
import {
  call, channel, clearError, errorText, showError,
} from './ipc.js';

const STAGES = [
  ['authorize', 'Open a session (Authorize)'],
  ['accounts', 'Get the accounts (GetAccountsDetail)'],
  ['attributes', 'Compute the attributes'],
];

const state = {
  customers: [],
  environments: [],
  env: 'builtin',
  // Production environments confirmed for this session.
  confirmed: new Set(),
  packageTitles: {},
  result: null,
  runId: null,
  sort: { key: null, dir: 1 },
  portfolio: { running: false, entries: [], package: null },
  // The custom request's picks, by environment key → Set of attribute names.
  custom: { choices: [], env: null, picked: new Set() },
};

function currentEnv() {
  return state.environments.find((e) => e.key === state.env);
}

function renderEnvironments() {
  const select = $('env-select');
  select.replaceChildren(...state.environments.map((e) => new Option(
    `${e.name}${e.production ? ' (production)' : ''}`, e.key,
  )));
  select.value = state.env;
  const env = currentEnv();
  if (!env) return;
  $('environment').textContent = env.offline ? 'offline, on this computer'
    : `${env.apiBaseUrl} · customerId ${env.customerId}`;
  $('environment').dataset.kind = env.kind;
  $('environment').dataset.name = env.name;
  $('prod-banner').hidden = !env.production;
  document.body.classList.toggle('production', env.production);
  const list = $('env-list');
  list.replaceChildren(...state.environments.map((e) => {
    const li = document.createElement('li');
    li.dataset.testid = 'environment-item';
    const keys = e.offline ? 'built in, no keys needed'
      : `secret key ${e.hasSecretKey ? 'in keyring' : 'not set'}, x-api-key ${e.hasApiKey ? 'in keyring' : 'not set'}${e.authorizeTokens ? ', a new authorize token for every run' : ''}`;
    const text = document.createElement('span');
    const poll = e.offline ? '' : `; polls every ${e.pollIntervalSecs} s for at most ${e.pollMaxWaitMins} min`;
    text.textContent = `${e.name}${e.production ? ' — production' : ''}: ${e.apiBaseUrl} (${keys}${poll})`;
    const check = document.createElement('button');
    check.type = 'button';
    check.className = 'link';
    check.dataset.testid = `env-check-${e.key}`;
    check.textContent = 'Test connection';
    check.setAttribute('aria-label', `Test the connection to ${e.name}`);
    check.addEventListener('click', () => checkEnvironment(e));
    li.append(text, ' ', check);
    if (!e.offline) {
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'link';
      edit.dataset.testid = `env-edit-${e.key}`;
      edit.textContent = 'Edit…';
      edit.setAttribute('aria-label', `Edit ${e.name}`);
      edit.addEventListener('click', () => editEnvironment(e));
      li.append(' ', edit);
    }
    if (e.kind === 'private') {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link';
      remove.dataset.testid = `env-remove-${e.key}`;
      remove.textContent = 'Remove…';
      remove.setAttribute('aria-label', `Remove ${e.name}`);
      remove.addEventListener('click', () => removeEnvironment(e));
      li.append(' ', remove);
    }
    return li;
  }));
}

async function checkEnvironment(env) {
  const status = $('env-status');
  status.textContent = `Asking ${env.name}…`;
  try {
    status.textContent = await call('check_environment', { environment: env.key });
  } catch (err) {
    status.textContent = `${env.name}: ${errorText(err)}`;
  }
}

async function removeEnvironment(env) {
  $('env-remove-name').textContent = env.name;
  if (!(await ask('env-remove-confirm'))) return;
  try {
    await call('remove_environment', { environment: env.key });
    if (state.env === env.key) state.env = 'builtin';
    await loadEnvironments();
    await loadCustomers();
    refreshHistory();
    $('env-status').textContent = `${env.name} was removed.`;
  } catch (err) {
    $('env-status').textContent = errorText(err);
  }
}

async function loadEnvironments() {
  state.environments = await call('environments');
  if (!currentEnv()) state.env = 'builtin';
  renderEnvironments();
}

function renderCustomers() {
  const select = $('customer');
  const previous = select.value;
  select.replaceChildren();
  const placeholder = new Option('Choose a customer…', '');
  select.add(placeholder);
  for (const c of state.customers.filter((x) => x.environment === state.env)) {
    const option = new Option(`${c.label} · …${c.loginLast4}`, c.id);
    option.dataset.testid = `customer-${c.id}`;
    select.add(option);
  }
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}

async function loadCustomers() {
  state.customers = await call('list_customers');
  renderCustomers();
  updateRunButton();
}

// Fills the form with an environment to change it; its keys stay in the keyring unless retyped.
function editEnvironment(env) {
  const form = $('env-form');
  form.reset();
  form.dataset.editing = env.key;
  form.elements.name.value = env.name;
  form.elements.apiBaseUrl.value = env.apiBaseUrl;
  form.elements.customerId.value = env.customerId;
  form.elements.production.checked = env.production;
  form.elements.authorizeTokens.checked = env.authorizeTokens;
  form.elements.iframeUrl.value = env.iframeUrl ?? '';
  form.elements.pollIntervalSecs.value = env.pollIntervalSecs;
  form.elements.pollMaxWaitMins.value = env.pollMaxWaitMins;
  form.elements.secretKey.placeholder = env.hasSecretKey ? 'in your keyring' : '';
  form.elements.apiKey.placeholder = env.hasApiKey ? 'in your keyring' : '';
  form.querySelector('.form-error').textContent = '';
  $('env-form-title').textContent = `Edit ${env.name}`;
  $('env-save').textContent = 'Save changes';
  $('env-keep-keys').hidden = false;
  $('env-edit-cancel').hidden = false;
  form.elements.name.focus();
}

function stopEditingEnvironment() {
  const form = $('env-form');
  form.reset();
  delete form.dataset.editing;
  form.elements.secretKey.placeholder = '';
  form.elements.apiKey.placeholder = '';
  $('env-form-title').textContent = 'Add a Flinks instance';
  $('env-save').textContent = 'Add environment';
  $('env-keep-keys').hidden = true;
  $('env-edit-cancel').hidden = true;
}

async function saveEnvironment(event) {
  event.preventDefault();
  const form = $('env-form');
  const editing = form.dataset.editing;
  const data = formData(form);
  const input = {
    name: data.name ?? '',
    apiBaseUrl: data.apiBaseUrl ?? '',
    customerId: data.customerId ?? '',
    production: form.elements.production.checked,
    authorizeTokens: form.elements.authorizeTokens.checked,
    secretKey: data.secretKey || null,
    apiKey: data.apiKey || null,
    // Blank keeps Flinks' documented defaults (every 10 s, at most 30 min).
    iframeUrl: data.iframeUrl || null,
    pollIntervalSecs: data.pollIntervalSecs ? Number(data.pollIntervalSecs) : null,
    pollMaxWaitMins: data.pollMaxWaitMins ? Number(data.pollMaxWaitMins) : null,
  };
  const error = form.querySelector('.form-error');
  try {
    const env = editing
      ? await call('update_environment', { environment: editing, edit: input })
      : await call('add_environment', { input });
    stopEditingEnvironment();
    error.textContent = '';
    state.env = env.key;
    await loadEnvironments();
    await loadCustomers();
    $('env-status').textContent = editing ? `${env.name} was saved.` : `${env.name} was added.`;
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    // Keys typed into the form never stay in the page.
    form.elements.secretKey.value = '';
    form.elements.apiKey.value = '';
  }
}

async function saveCustomer(event) {
  event.preventDefault();
  const form = $('customer-form');
  const data = formData(form);
  const error = form.querySelector('.form-error');
  try {
    const customer = await call('add_customer', {
      environment: state.env, label: data.label ?? '', loginId: data.loginId ?? '',
    });
    form.reset();
    error.textContent = '';
    $('customer-dialog').close();
    await loadCustomers();
    $('customer').value = customer.id;
    updateRunButton();
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    form.elements.loginId.value = '';
  }
}

async function connectCustomer() {
  const form = $('customer-form');
  const status = $('connect-status');
  const error = form.querySelector('.form-error');
  const button = $('connect-customer');
  error.textContent = '';
  status.textContent = 'Flinks Connect is open in its own window. Sign in to the bank there.';
  button.disabled = true;
  try {
    const customer = await call('connect_customer', {
      environment: state.env, label: form.elements.label.value ?? '',
    });
    if (!customer) {
      status.textContent = 'Flinks Connect was closed before the bank was linked. Nothing was added.';
      return;
    }
    status.textContent = '';
    form.reset();
    $('customer-dialog').close();
    await loadCustomers();
    $('customer').value = customer.id;
    updateRunButton();
  } catch (err) {
    status.textContent = '';
    error.textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

// A live sign-in waiting on the bank's questions: the desk's id for it, and the prompts.
let pendingSignIn = null;

function openSignIn() {
  const form = $('signin-form');
  form.reset();
  form.elements.label.value = $('customer-form').elements.label.value;
  showSignInQuestions(null);
  $('signin-demo').hidden = !currentEnv()?.offline;
  $('signin-status').textContent = '';
  form.querySelector('.form-error').textContent = '';
  $('customer-dialog').close();
  $('signin-dialog').showModal();
  form.elements.username.focus();
}

function showSignInQuestions(step) {
  pendingSignIn = step;
  const asking = Boolean(step);
  $('signin-credentials').hidden = asking;
  for (const input of $('signin-credentials').querySelectorAll('input')) input.disabled = asking;
  $('signin-questions').hidden = !asking;
  $('signin-submit').textContent = asking ? 'Answer' : 'Sign in';
  const list = $('signin-question-list');
  list.replaceChildren(...(step?.questions ?? []).map((prompt, i) => {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.name = `answer-${i}`;
    input.type = 'password';
    input.autocomplete = 'off';
    input.required = true;
    input.dataset.testid = `signin-answer-${i}`;
    label.append(prompt, ' ', input);
    return label;
  }));
  list.querySelector('input')?.focus();
}

async function submitSignIn(event) {
  event.preventDefault();
  const form = $('signin-form');
  const error = form.querySelector('.form-error');
  const status = $('signin-status');
  const button = $('signin-submit');
  error.textContent = '';
  if (!pendingSignIn && !(await confirmProduction())) return;
  button.disabled = true;
  status.textContent = pendingSignIn ? 'Sending the answers to the bank…' : 'Signing in to the bank through Flinks…';
  try {
    const step = pendingSignIn
      ? await call('answer_sign_in', {
        signIn: pendingSignIn.signIn,
        answers: [...$('signin-question-list').querySelectorAll('input')].map((i) => i.value),
      })
      : await call('sign_in_customer', {
        input: {
          environment: state.env,
          label: form.elements.label.value,
          institution: form.elements.institution.value,
          username: form.elements.username.value,
          password: form.elements.password.value,
        },
      });
    if (step.step === 'questions') {
      showSignInQuestions(step);
      status.textContent = `The bank asks ${plural(step.questions.length, 'security question')} before it signs in.`;
      return;
    }
    pendingSignIn = null;
    status.textContent = '';
    $('signin-dialog').close();
    await loadCustomers();
    $('customer').value = step.customer.id;
    updateRunButton();
  } catch (err) {
    status.textContent = '';
    error.textContent = errorText(err);
    // Past a wrong answer the question stays open; any other refusal ends the sign-in.
    if (pendingSignIn && err?.code !== 'flinks.invalid_security_response') showSignInQuestions(null);
  } finally {
    // Nothing typed as a secret outlives the call in the page.
    form.elements.password.value = '';
    for (const input of $('signin-question-list').querySelectorAll('input')) input.value = '';
    button.disabled = false;
  }
}

function closeSignIn() {
  if (pendingSignIn) call('cancel_sign_in', { signIn: pendingSignIn.signIn }).catch(() => {});
  pendingSignIn = null;
  const form = $('signin-form');
  form.elements.password.value = '';
  form.elements.username.value = '';
}

function openRename() {
  const customer = state.customers.find((c) => c.id === $('customer').value);
  if (!customer) return;
  const form = $('rename-form');
  form.elements.label.value = customer.label;
  form.querySelector('.form-error').textContent = '';
  $('rename-dialog').showModal();
  form.elements.label.select();
}

async function saveRename(event) {
  event.preventDefault();
  const form = $('rename-form');
  try {
    const customer = await call('rename_customer', {
      customerId: $('customer').value, label: form.elements.label.value,
    });
    $('rename-dialog').close();
    await loadCustomers();
    $('customer').value = customer.id;
    updateRunButton();
    refreshHistory();
  } catch (err) {
    form.querySelector('.form-error').textContent = errorText(err);
  }
}

const PORTFOLIO_WORDS = {
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

function openPortfolio() {
  const chosen = document.querySelector('input[name="package"]:checked');
  if (!chosen) return;
  const list = $('portfolio-customers');
  const customers = state.customers.filter((c) => c.environment === state.env);
  list.replaceChildren(...customers.map((c) => {
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
  $('portfolio-package').textContent = `Package: ${state.packageTitles[chosen.value] ?? chosen.value}, for each customer you tick.`;
  $('portfolio-form').querySelector('.form-error').textContent = '';
  $('portfolio-dialog').showModal();
}

function renderPortfolio() {
  const p = state.portfolio;
  $('portfolio-rows').replaceChildren(...p.entries.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'portfolio-row';
    tr.dataset.customerId = e.customerId;
    tr.dataset.status = e.status;
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = e.label;
    const status = document.createElement('td');
    status.textContent = PORTFOLIO_WORDS[e.status] ?? e.status;
    status.className = `status ${e.status}`;
    const values = document.createElement('td');
    values.className = 'num';
    values.textContent = e.values ? count(e.values) : '';
    const details = document.createElement('td');
    if (e.runId) {
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'link';
      open.dataset.testid = `portfolio-open-${e.customerId}`;
      open.textContent = 'Open the results';
      open.addEventListener('click', () => openRun(e.runId));
      details.append(open);
    } else if (e.error) {
      details.textContent = errorText(e.error);
    } else if (e.detail) {
      details.textContent = e.detail;
    }
    tr.append(name, status, values, details);
    return tr;
  }));
  const done = p.entries.filter((e) => ['completed', 'failed', 'cancelled'].includes(e.status));
  const ok = p.entries.filter((e) => e.status === 'completed').length;
  const failed = p.entries.filter((e) => e.status === 'failed').length;
  $('portfolio-summary').textContent = `${state.packageTitles[p.package] ?? p.package}: `
    + `${done.length} of ${plural(p.entries.length, 'customer')} done · ${ok} completed`
    + (failed ? ` · ${failed} failed` : '')
    + (p.durationMs !== undefined ? ` · ${formatDuration(p.durationMs)}` : '');
  $('portfolio-export').disabled = p.running || ok === 0;
  $('portfolio-cancel').hidden = !p.running;
}

function onPortfolioEvent(event) {
  const entry = state.portfolio.entries.find((e) => e.customerId === (event.customerId ?? event.entry?.customerId));
  if (!entry) return;
  if (event.kind === 'finished') {
    Object.assign(entry, event.entry);
  } else if (event.event.kind !== 'started') {
    entry.status = event.event.kind;
    entry.detail = event.event.kind === 'waiting' ? `check ${event.event.attempt}` : '';
  }
  renderPortfolio();
}

async function runPortfolio(event) {
  event.preventDefault();
  const form = $('portfolio-form');
  const ids = [...form.querySelectorAll('input[name="customer"]:checked')].map((i) => i.value);
  const concurrency = Number(form.elements.concurrency.value) || 4;
  const chosen = document.querySelector('input[name="package"]:checked');
  if (ids.length === 0) {
    form.querySelector('.form-error').textContent = 'Tick at least one customer.';
    return;
  }
  $('portfolio-dialog').close();
  if (!(await confirmProduction())) return;
  clearError();
  const byId = Object.fromEntries(state.customers.map((c) => [c.id, c]));
  state.portfolio = {
    running: true,
    package: chosen.value,
    entries: ids.map((id) => ({ customerId: id, label: byId[id]?.label ?? id, status: 'queued', values: 0 })),
  };
  $('view-portfolio').hidden = false;
  showView('portfolio');
  renderPortfolio();
  updateRunButton();
  try {
    const result = await call('run_portfolio', {
      customerIds: ids, package: chosen.value, concurrency, onEvent: channel(onPortfolioEvent),
    });
    state.portfolio.entries = result.entries;
    state.portfolio.durationMs = result.durationMs;
  } catch (err) {
    showError(err);
  } finally {
    state.portfolio.running = false;
    renderPortfolio();
    updateRunButton();
    refreshHistory();
  }
}

async function exportPortfolio() {
  const p = state.portfolio;
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

async function removeCustomer() {
  const id = $('customer').value;
  if (!id || !(await ask('remove-confirm'))) return;
  clearError();
  try {
    await call('remove_customer', { customerId: id });
    await loadCustomers();
    refreshHistory();
  } catch (err) {
    showError(err);
  }
}

/** Production needs a yes once per session before its first call. */
async function confirmProduction() {
  const env = currentEnv();
  if (!env || !env.production || state.confirmed.has(env.key)) return true;
  if (!(await ask('prod-confirm'))) return false;
  state.confirmed.add(env.key);
  return true;
}

function renderPackages(packages) {
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
}

async function loadCustomChoices() {
  if (state.custom.env === state.env) return;
  try {
    state.custom.choices = await call('attribute_choices', { environment: state.env });
    state.custom.env = state.env;
    state.custom.picked = new Set();
    renderCustomChoices();
  } catch (err) {
    showError(err);
  }
}

function renderCustomChoices() {
  const needle = $('custom-filter').value.trim().toLowerCase();
  const shown = state.custom.choices.filter((c) => !needle
    || `${c.label} ${c.name} ${c.category}`.toLowerCase().includes(needle)).slice(0, 200);
  $('custom-list').replaceChildren(...shown.map((c) => {
    const label = document.createElement('label');
    label.className = 'check';
    label.title = c.name;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = c.name;
    box.checked = state.custom.picked.has(c.name);
    box.dataset.testid = `custom-${c.name}`;
    box.addEventListener('change', () => {
      if (box.checked) state.custom.picked.add(c.name); else state.custom.picked.delete(c.name);
      updateRunButton();
    });
    const category = document.createElement('span');
    category.className = 'muted';
    category.textContent = ` · ${c.category}`;
    label.append(box, ` ${c.label}`, category);
    return label;
  }));
}

function updateRunButton() {
  const chosen = document.querySelector('input[name="package"]:checked');
  const custom = chosen?.value === 'custom';
  $('custom-picker').hidden = !custom;
  if (custom) loadCustomChoices();
  const n = state.custom.picked.size;
  $('custom-count').textContent = n === 0 ? 'None picked.' : `${plural(n, 'attribute')} picked.`;
  $('run').disabled = state.runId !== null || state.portfolio.running || !$('customer').value || !chosen
    || (custom && n === 0);
  const customer = state.customers.find((c) => c.id === $('customer').value);
  const about = customer ? [
    customer.story ? `${customer.institution}: ${customer.story}` : customer.institution,
    customer.lastRun ? `Last run ${formatTime(customer.lastRun)}` : 'Not run yet',
  ].filter(Boolean).join(' · ') : '';
  $('customer-story').textContent = about;
  // The built-in sandbox's sample customers (the ones with a story) come back at every start.
  $('remove-customer').disabled = !customer || Boolean(customer.story);
  $('rename-customer').disabled = !customer;
  // A portfolio runs a package; a custom pick is for one customer at a time.
  $('portfolio-open').disabled = state.runId !== null || state.portfolio.running || !chosen || custom;
}

function setStage(key, status) {
  const item = document.querySelector(`#stages li[data-stage="${key}"]`);
  if (!item) return;
  item.dataset.status = status;
  item.querySelector('.mark').textContent = { done: '✓', active: '…', failed: '✕', todo: '' }[status];
}

function startProgress() {
  const list = $('stages');
  list.replaceChildren(...STAGES.map(([key, text]) => {
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
      state.runId = event.runId;
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

function sortedRows() {
  const rows = [...state.result.rows];
  const { key, dir } = state.sort;
  if (!key) return rows;
  const value = (r) => (key === 'value' ? (r.number ?? Number.NEGATIVE_INFINITY) : String(r[key]).toLowerCase());
  return rows.sort((a, b) => (value(a) < value(b) ? -dir : value(a) > value(b) ? dir : 0));
}

function renderTable() {
  const needle = $('filter').value.trim().toLowerCase();
  const body = $('rows');
  const shown = sortedRows().filter((r) => !needle
    || `${r.label} ${r.name} ${r.category}`.toLowerCase().includes(needle));
  body.replaceChildren(...shown.map((r) => {
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
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.dataset.testid = `explain-${r.name}`;
      button.textContent = plural(r.transactions, 'transaction');
      button.setAttribute('aria-label', `Show the ${plural(r.transactions, 'transaction')} behind ${r.label}`);
      button.addEventListener('click', () => explain(r));
      behind.append(button);
    }
    tr.append(name, value, category, definition, behind);
    return tr;
  }));
  for (const button of document.querySelectorAll('th button[data-sort]')) {
    const th = button.parentElement;
    th.setAttribute('aria-sort', button.dataset.sort === state.sort.key
      ? (state.sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  }
}

function showResult(result) {
  showView('results');
  closeComparison();
  state.result = result;
  $('export').disabled = false;
  $('copy-request-id').disabled = false;
  $('export-status').textContent = '';
  $('summary').textContent = `${result.customerLabel} · ${result.package} · ${result.environment} · `
    + `${plural(result.rows.length, 'attribute')} from ${plural(result.accounts, 'account')} and `
    + `${plural(result.transactions, 'transaction')} · RequestId ${result.requestId} · `
    + `${formatDuration(result.durationMs)}`;
  $('filter').disabled = false;
  $('table').hidden = false;
  renderHeadlines(result.summary ?? []);
  renderTable();
  loadCharts(result.runId);
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

async function loadCharts(runId) {
  const list = $('charts');
  list.replaceChildren();
  $('charts-panel').hidden = true;
  let charts;
  try {
    charts = await call('charts', { runId });
  } catch (err) {
    showError(err);
    return;
  }
  // A newer result may have replaced this one while the charts were drawn.
  // Or a comparison now shows its own charts.
  if (!state.result || state.result.runId !== runId || !$('compare-table').hidden) return;
  renderCharts(charts);
}

function renderCharts(charts) {
  $('charts').replaceChildren(...charts.map((c) => {
    const figure = document.createElement('figure');
    figure.dataset.testid = `chart-${c.id}`;
    // Inline (not an <img>) so the chart's text and axes take the theme's colours from CSS.
    const svg = new DOMParser().parseFromString(c.svg, 'image/svg+xml').documentElement;
    svg.classList.add('desk-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', c.description);
    svg.dataset.testid = 'chart-image';
    const caption = document.createElement('figcaption');
    caption.textContent = c.title;
    figure.append(svg, caption);
    return figure;
  }));
  $('charts-panel').hidden = charts.length === 0;
}

// While a run goes, the previous run's numbers leave the screen: read beside a new customer's
// name, they would be taken for that customer's.
function showRunning(packageSlug, customerId) {
  const customer = state.customers.find((c) => c.id === customerId);
  const title = state.packageTitles[packageSlug] ?? packageSlug;
  showView('results');
  closeComparison();
  state.result = null;
  $('export').disabled = true;
  $('copy-request-id').disabled = true;
  $('export-status').textContent = '';
  $('table').hidden = true;
  $('headlines').hidden = true;
  $('charts-panel').hidden = true;
  $('filter').disabled = true;
  $('summary').textContent = `Running ${title} for ${customer ? customer.label : 'the customer'}…`;
}

async function run(event) {
  event.preventDefault();
  const customerId = $('customer').value;
  const chosen = document.querySelector('input[name="package"]:checked');
  if (!customerId || !chosen) return;
  if (!(await confirmProduction())) return;
  clearError();
  startProgress();
  state.runId = -1;
  $('run').disabled = true;
  $('cancel').hidden = false;
  const previous = state.result;
  showRunning(chosen.value, customerId);
  const onEventChannel = channel(onEvent);
  try {
    const result = chosen.value === 'custom'
      ? await call('run_custom', { customerId, names: [...state.custom.picked], onEvent: onEventChannel })
      : await call('run_package', { customerId, package: chosen.value, onEvent: onEventChannel });
    setStage('attributes', 'done');
    $('progress-detail').textContent = `Done in ${formatDuration(result.durationMs)}.`;
    showResult(result);
    $('results').focus();
    // The customer's "last run" line moves on.
    loadCustomers().catch(showError);
  } catch (err) {
    for (const li of document.querySelectorAll('#stages li[data-status="active"]')) setStage(li.dataset.stage, 'failed');
    // The last results come back, marked as such by their own summary line.
    if (previous) showResult(previous);
    else $('summary').textContent = 'Pick a customer and a package, then press Run.';
    if (err && err.code === 'cancelled') {
      $('progress-detail').textContent = 'Run cancelled. Nothing was changed.';
    } else {
      showError(err);
    }
  } finally {
    state.runId = null;
    $('cancel').hidden = true;
    updateRunButton();
    refreshHistory();
  }
}

const STATUS_WORDS = {
  completed: 'completed', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted', running: 'running',
};

async function refreshHistory() {
  let runs;
  try {
    runs = await call('history');
  } catch (err) {
    showError(err);
    return;
  }
  $('history-empty').hidden = runs.length > 0;
  $('history').replaceChildren(...runs.map((r) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `history-item ${r.status}`;
    button.dataset.testid = 'history-item';
    button.dataset.runId = r.id;
    button.dataset.status = r.status;
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = `${r.customerLabel} · ${state.packageTitles[r.package] ?? r.package}`;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = `${STATUS_WORDS[r.status] ?? r.status} · ${formatTime(r.startedAt)}`
      + (r.status === 'completed' ? ` · ${plural(r.values, 'value')}` : '');
    button.append(what, when);
    if (r.status === 'completed') {
      button.addEventListener('click', () => openRun(r.id));
    } else {
      button.disabled = true;
      if (r.errorMessage) button.title = r.errorMessage;
    }
    li.append(button);
    if (r.status === 'completed') {
      const compare = document.createElement('button');
      compare.type = 'button';
      compare.className = 'link compare';
      compare.dataset.testid = `compare-${r.id}`;
      compare.dataset.runId = r.id;
      compare.textContent = 'Compare with the open run';
      compare.addEventListener('click', () => compareWith(r.id));
      li.append(compare);
    }
    return li;
  }));
}

function closeComparison() {
  $('compare-bar').hidden = true;
  $('compare-table').hidden = true;
  if (state.result) $('table').hidden = false;
}

async function compareWith(otherId) {
  if (!state.result || state.result.runId === otherId) {
    showError({ code: 'compare.pick', message: 'Open a run first, then compare it with another one.', hint: 'Click a run in the history to open it.' });
    return;
  }
  let c;
  try {
    c = await call('compare_runs', { left: state.result.runId, right: otherId });
  } catch (err) {
    showError(err);
    return;
  }
  const describe = (r) => `${r.customerLabel} · ${r.package} · ${formatTime(r.finishedAt)}`;
  $('compare-title').textContent = `Comparing ${describe(c.left)} with ${describe(c.right)}`;
  $('compare-left-head').textContent = c.left.customerLabel;
  $('compare-right-head').textContent = c.right.customerLabel;
  $('compare-rows').replaceChildren(...c.rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'compare-row';
    tr.dataset.name = r.name;
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = r.label;
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
  }));
  $('table').hidden = true;
  // The two runs' shared series, drawn together.
  renderCharts(c.charts ?? []);
  $('compare-bar').hidden = false;
  $('compare-table').hidden = false;
}

async function openRun(runId) {
  clearError();
  try {
    showResult(await call('open_run', { runId }));
    $('results').focus();
  } catch (err) {
    showError(err);
  }
}

async function explain(row) {
  let e;
  try {
    e = await call('explain', { runId: state.result.runId, name: row.name });
  } catch (err) {
    showError(err);
    return;
  }
  $('explain-title').textContent = `${e.label}: ${formatValue(row)}`;
  const total = e.unit === 'count'
    ? `${plural(e.transactions.length, 'transaction')}.`
    : `${plural(e.transactions.length, 'transaction')}, adding up to ${formatAmount(e.gross)} (net ${formatAmount(e.net)}).`;
  $('explain-summary').textContent = total;
  $('explain-rows').replaceChildren(...e.transactions.map((t) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'explain-row';
    for (const [text, cls] of [[t.date, ''], [t.description ?? '', ''], [formatAmount(t.debit), 'num'],
      [formatAmount(t.credit), 'num'], [formatAmount(t.balance), 'num']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
  $('explain').showModal();
}

async function showView(which) {
  const log = which === 'log';
  for (const view of ['results', 'portfolio', 'log']) {
    $(view).hidden = view !== which;
    $(`view-${view}`).setAttribute('aria-pressed', String(view === which));
  }
  if (log) await loadLog();
}

async function loadLog() {
  const select = $('log-env');
  const chosen = select.value;
  select.replaceChildren(new Option('All environments', ''),
    ...state.environments.map((e) => new Option(e.name, e.key)));
  select.value = state.environments.some((e) => e.key === chosen) ? chosen : '';
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
  filterLog();
}

// Narrows the lines shown to those whose endpoint, status or FlinksCode contain every word typed.
function filterLog() {
  const words = $('log-filter').value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const tr of $('log-rows').rows) {
    const text = [2, 3, 4].map((i) => tr.cells[i].textContent).join(' ').toLowerCase();
    tr.hidden = !words.every((w) => text.includes(w));
    if (!tr.hidden) shown += 1;
  }
  $('log-rows').dataset.shown = String(shown);
}

// The RequestId names the call at Flinks (their support asks for it); the loginId is never
// offered: it would leave the keyring for the clipboard.
async function copyRequestId() {
  if (!state.result) return;
  const id = state.result.requestId;
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

async function exportCsv() {
  if (!state.result) return;
  const status = $('export-status');
  status.textContent = 'Exporting…';
  try {
    const saved = await call('export_csv', { runId: state.result.runId, bom: $('bom').checked });
    status.textContent = saved ? `Saved ${plural(saved.rows, 'row')} to ${saved.path}` : 'Export cancelled.';
  } catch (err) {
    status.textContent = '';
    showError(err);
  }
}

async function cancel() {
  if (state.runId === null || state.runId < 0) return;
  $('progress-detail').textContent = 'Cancelling…';
  try {
    await call('cancel_run', { runId: state.runId });
  } catch (err) {
    showError(err);
  }
}

async function init() {
  $('run-form').addEventListener('submit', run);
  $('cancel').addEventListener('click', cancel);
  $('export').addEventListener('click', exportCsv);
  $('copy-request-id').addEventListener('click', copyRequestId);
  $('env-select').addEventListener('change', () => {
    state.env = $('env-select').value;
    renderEnvironments();
    renderCustomers();
    updateRunButton();
  });
  $('manage-envs').addEventListener('click', () => $('envs-dialog').showModal());
  $('env-form').addEventListener('submit', saveEnvironment);
  $('env-edit-cancel').addEventListener('click', stopEditingEnvironment);
  $('log-env').addEventListener('change', loadLog);
  $('log-filter').addEventListener('input', filterLog);
  $('add-customer').addEventListener('click', () => $('customer-dialog').showModal());
  $('customer-form').addEventListener('submit', saveCustomer);
  $('remove-customer').addEventListener('click', removeCustomer);
  $('connect-customer').addEventListener('click', connectCustomer);
  $('signin-open').addEventListener('click', openSignIn);
  $('signin-form').addEventListener('submit', submitSignIn);
  $('signin-dialog').addEventListener('close', closeSignIn);
  $('rename-customer').addEventListener('click', openRename);
  $('rename-form').addEventListener('submit', saveRename);
  $('portfolio-open').addEventListener('click', openPortfolio);
  $('portfolio-form').addEventListener('submit', runPortfolio);
  $('portfolio-all').addEventListener('change', () => {
    for (const box of $('portfolio-customers').querySelectorAll('input')) box.checked = $('portfolio-all').checked;
  });
  $('portfolio-export').addEventListener('click', exportPortfolio);
  $('portfolio-cancel').addEventListener('click', () => call('cancel_portfolio').catch(showError));
  $('view-portfolio').addEventListener('click', () => showView('portfolio'));
  $('close-compare').addEventListener('click', () => {
    closeComparison();
    if (state.result) loadCharts(state.result.runId);
  });
  for (const button of document.querySelectorAll('dialog [data-close]')) {
    button.addEventListener('click', () => button.closest('dialog').close());
  }
  $('view-results').addEventListener('click', () => showView('results'));
  $('view-log').addEventListener('click', () => showView('log'));
  $('customer').addEventListener('change', updateRunButton);
  $('packages').addEventListener('change', updateRunButton);
  $('filter').addEventListener('input', () => state.result && renderTable());
  $('custom-filter').addEventListener('input', renderCustomChoices);
  for (const button of document.querySelectorAll('th button[data-sort]')) {
    button.addEventListener('click', () => {
      const key = button.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      if (state.result) renderTable();
    });
  }
  try {
    const [environments, customers, packages] = await Promise.all([
      call('environments'), call('list_customers'), call('list_packages'),
    ]);
    state.environments = environments;
    renderEnvironments();
    state.customers = customers;
    renderCustomers();
    state.packageTitles = Object.fromEntries(packages.map((p) => [p.slug, p.title]));
    renderPackages(packages);
    updateRunButton();
    refreshHistory();
  } catch (err) {
    $('environment').textContent = 'Not connected';
    showError(err);
  }
}

init();
