// Customers: the customer picker and the line about the chosen one, and adding (by loginId or
// through Flinks Connect), renaming and removing a customer. Signing one in from the desk is its
// own screen (signin.js).

import { $, ask, formData } from '../dom.js';
import { call, errorText, showError, clearError } from '../ipc.js';
import { formatTime } from '../format.js';
import { session, customersHere, customerById, chosenCustomerId, confirmProduction } from '../session.js';

let hooks = { onChoose() {}, refreshHistory() {} };

/**
 * onChoose: the list or the chosen customer changed (the run form depends on both).
 * refreshHistory: a rename or a removal changed what the history shows.
 */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('customer').addEventListener('change', chosen);
  $('add-customer').addEventListener('click', () => $('customer-dialog').showModal());
  $('customer-form').addEventListener('submit', saveByLoginId);
  $('connect-customer').addEventListener('click', connect);
  $('rename-customer').addEventListener('click', openRename);
  $('rename-form').addEventListener('submit', saveRename);
  $('remove-customer').addEventListener('click', remove);
}

/** The customers as the app first lists them. */
export function show(customers) {
  session.customers = customers;
  render();
}

export async function load() {
  session.customers = await call('list_customers');
  render();
}

/** Loads the list again and picks a customer just added or renamed. */
export async function choose(customerId) {
  await load();
  $('customer').value = customerId;
  chosen();
}

/** The current environment's customers; the one chosen stays chosen if it is still there. */
export function render() {
  const select = $('customer');
  const previous = select.value;
  select.replaceChildren();
  select.add(new Option('Choose a customer…', ''));
  for (const c of customersHere()) {
    const option = new Option(`${c.label} · …${c.loginLast4}`, c.id);
    option.dataset.testid = `customer-${c.id}`;
    select.add(option);
  }
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
  chosen();
}

function chosen() {
  const customer = customerById(chosenCustomerId());
  $('customer-story').textContent = customer ? [
    customer.story ? `${customer.institution}: ${customer.story}` : customer.institution,
    customer.lastRun ? `Last run ${formatTime(customer.lastRun)}` : 'Not run yet',
  ].filter(Boolean).join(' · ') : '';
  // The built-in sandbox's sample customers (the ones with a story) come back at every start.
  $('remove-customer').disabled = !customer || Boolean(customer.story);
  $('rename-customer').disabled = !customer;
  hooks.onChoose();
}

async function saveByLoginId(event) {
  event.preventDefault();
  const form = $('customer-form');
  const data = formData(form);
  const error = form.querySelector('.form-error');
  try {
    const customer = await call('add_customer', {
      environment: session.env, label: data.label ?? '', loginId: data.loginId ?? '',
    });
    form.reset();
    error.textContent = '';
    $('customer-dialog').close();
    await choose(customer.id);
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    form.elements.loginId.value = '';
  }
}

async function connect() {
  const form = $('customer-form');
  const status = $('connect-status');
  const error = form.querySelector('.form-error');
  const button = $('connect-customer');
  error.textContent = '';
  if (!(await confirmProduction())) return;
  status.textContent = 'Flinks Connect is open in its own window. Sign in to the bank there.';
  button.disabled = true;
  try {
    const customer = await call('connect_customer', {
      environment: session.env, label: form.elements.label.value ?? '',
    });
    if (!customer) {
      status.textContent = 'Flinks Connect was closed before the bank was linked. Nothing was added.';
      return;
    }
    status.textContent = '';
    form.reset();
    $('customer-dialog').close();
    await choose(customer.id);
  } catch (err) {
    status.textContent = '';
    error.textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

function openRename() {
  const customer = customerById(chosenCustomerId());
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
      customerId: chosenCustomerId(), label: form.elements.label.value,
    });
    $('rename-dialog').close();
    await choose(customer.id);
    hooks.refreshHistory();
  } catch (err) {
    form.querySelector('.form-error').textContent = errorText(err);
  }
}

async function remove() {
  const id = chosenCustomerId();
  if (!id || !(await ask('remove-confirm'))) return;
  clearError();
  try {
    await call('remove_customer', { customerId: id });
    await load();
    hooks.refreshHistory();
  } catch (err) {
    showError(err);
  }
}
