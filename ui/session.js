// What several screens read: the environments and which one is chosen, the customers, the
// packages' titles, and the run form's two choices. The screen that loads a list writes it here;
// the others only read, so no screen has to import another to know them.

import { $, ask } from './dom.js';
import { call } from './ipc.js';

export const session = {
  environments: [],
  env: 'builtin',
  customers: [],
  packageTitles: {},
  // Production environments confirmed for this session.
  confirmed: new Set(),
};

export function currentEnv() {
  return session.environments.find((e) => e.key === session.env);
}

export function customersHere() {
  return session.customers.filter((c) => c.environment === session.env);
}

export function customerById(id) {
  return session.customers.find((c) => c.id === id);
}

export function packageTitle(slug) {
  return session.packageTitles[slug] ?? slug;
}

/** The customer picked in the run form ('' when none). */
export function chosenCustomerId() {
  return $('customer').value;
}

/** The package picked in the run form (null until the packages are loaded). */
export function chosenPackage() {
  return document.querySelector('input[name="package"]:checked')?.value ?? null;
}

/**
 * Production needs a yes once per session before its first billable call. The desk holds the
 * yes and refuses any billable call without it, so the page tells it here.
 */
export async function confirmProduction(env = currentEnv()) {
  if (!env || !env.production || session.confirmed.has(env.key)) return true;
  if (!(await ask('prod-confirm'))) return false;
  await call('confirm_production', { environment: env.key });
  session.confirmed.add(env.key);
  return true;
}
