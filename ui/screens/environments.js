// Environments: the picker in the top bar, the production banner, and the Environments… dialog
// (test a connection, add, edit, remove a private instance).

import { $, ask, formData, linkButton } from '../dom.js';
import { call, errorText } from '../ipc.js';
import { session, currentEnv, confirmProduction } from '../session.js';

let hooks = { onSwitch() {}, afterSave: async () => {}, afterRemove: async () => {} };

/**
 * onSwitch: another environment was picked (its customers are already known).
 * afterSave, afterRemove: an environment was saved or removed; the promise they return is awaited
 * before the dialog says it is done.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('env-select').addEventListener('change', () => {
    session.env = $('env-select').value;
    render();
    hooks.onSwitch();
  });
  $('manage-envs').addEventListener('click', () => $('envs-dialog').showModal());
  $('env-form').addEventListener('submit', save);
  $('env-form').elements.apiBaseUrl.addEventListener('input', showHost);
  $('env-edit-cancel').addEventListener('click', stopEditing);
}

/** The environments as the app first lists them. */
export function show(environments) {
  session.environments = environments;
  render();
}

async function load() {
  session.environments = await call('environments');
  if (!currentEnv()) session.env = 'builtin';
  render();
}

function render() {
  const select = $('env-select');
  select.replaceChildren(...session.environments.map((e) => new Option(
    `${e.name}${e.production ? ' (production)' : ''}`, e.key,
  )));
  select.value = session.env;
  const env = currentEnv();
  if (!env) return;
  $('environment').textContent = env.offline ? 'offline, on this computer'
    : `${env.apiBaseUrl} · customerId ${env.customerId}`;
  $('environment').dataset.kind = env.kind;
  $('environment').dataset.name = env.name;
  $('prod-banner').hidden = !env.production;
  document.body.classList.toggle('production', env.production);
  $('env-list').replaceChildren(...session.environments.map(listItem));
}

function listItem(e) {
  const li = document.createElement('li');
  li.dataset.testid = 'environment-item';
  // A keyring that could not be read says so: its keys may well be there.
  const unread = { locked: 'the keyring is locked: unlock it to use this environment\'s keys',
    unavailable: 'the keyring is not available: its keys cannot be read',
    failed: 'the keyring failed to read its keys' }[e.keyring];
  const keys = e.offline ? 'built in, no keys needed'
    : unread ?? `secret key ${e.hasSecretKey ? 'in keyring' : 'not set'}, x-api-key ${e.hasApiKey ? 'in keyring' : 'not set'}${e.authorizeTokens ? ', a new authorize token for every run' : ''}`;
  const text = document.createElement('span');
  const poll = e.offline ? '' : `; polls every ${e.pollIntervalSecs} s for at most ${e.pollMaxWaitMins} min`;
  text.textContent = `${e.name}${e.production ? ' — production' : ''}: ${e.apiBaseUrl} (${keys}${poll})`;
  li.append(text, ' ', linkButton({
    testid: `env-check-${e.key}`,
    text: 'Test connection',
    label: `Test the connection to ${e.name}`,
    onClick: () => check(e),
  }));
  // The built-in sandbox has nothing to edit.
  if (!e.offline) {
    li.append(' ', linkButton({
      testid: `env-edit-${e.key}`, text: 'Edit…', label: `Edit ${e.name}`, onClick: () => edit(e),
    }));
  }
  // The sandbox and the public toolbox are always there.
  if (e.kind === 'private') {
    li.append(' ', linkButton({
      testid: `env-remove-${e.key}`, text: 'Remove…', label: `Remove ${e.name}`, onClick: () => remove(e),
    }));
  }
  return li;
}

async function check(env) {
  const status = $('env-status');
  if (!(await confirmProduction(env))) return;
  status.textContent = `Asking ${env.name}…`;
  try {
    status.textContent = await call('check_environment', { environment: env.key });
  } catch (err) {
    status.textContent = `${env.name}: ${errorText(err)}`;
  }
}

async function remove(env) {
  $('env-remove-name').textContent = env.name;
  if (!(await ask('env-remove-confirm'))) return;
  try {
    await call('remove_environment', { environment: env.key });
    if (session.env === env.key) session.env = 'builtin';
    await load();
    await hooks.afterRemove();
    $('env-status').textContent = `${env.name} was removed.`;
  } catch (err) {
    $('env-status').textContent = errorText(err);
  }
}

/**
 * The server a typed URL reaches (scheme, host and port), as the desk reads it: an instance name
 * stands for https://{name}-api.private.fin.ag. Null when it is not an address yet.
 */
function serverOf(typed) {
  const t = (typed ?? '').trim();
  const url = /^[A-Za-z0-9-]+$/.test(t) ? `https://${t.toLowerCase()}-api.private.fin.ag` : t;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

// Says where the keys will go before anything is sent there, and, when an edit moves the
// environment to another server, that the keys saved for the old one stay behind.
function showHost() {
  const form = $('env-form');
  const note = $('env-host');
  const server = serverOf(form.elements.apiBaseUrl.value);
  const was = form.dataset.server;
  if (!server) {
    note.textContent = '';
  } else if (form.dataset.editing && was && server !== was) {
    note.textContent = `Calls will go to ${server} (not ${was}). The keys saved for ${was} are cleared unless you type them again.`;
  } else {
    note.textContent = `Calls go to ${server}.`;
  }
}

// Fills the form with an environment to change it; its keys stay in the keyring unless retyped.
function edit(env) {
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
  form.dataset.server = serverOf(env.apiBaseUrl) ?? '';
  showHost();
  form.elements.name.focus();
}

function stopEditing() {
  const form = $('env-form');
  form.reset();
  delete form.dataset.editing;
  delete form.dataset.server;
  $('env-host').textContent = '';
  form.elements.secretKey.placeholder = '';
  form.elements.apiKey.placeholder = '';
  $('env-form-title').textContent = 'Add a Flinks instance';
  $('env-save').textContent = 'Add environment';
  $('env-keep-keys').hidden = true;
  $('env-edit-cancel').hidden = true;
}

async function save(event) {
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
    stopEditing();
    error.textContent = '';
    session.env = env.key;
    await load();
    await hooks.afterSave();
    $('env-status').textContent = editing ? `${env.name} was saved.` : `${env.name} was added.`;
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    // Keys typed into the form never stay in the page.
    form.elements.secretKey.value = '';
    form.elements.apiKey.value = '';
  }
}
