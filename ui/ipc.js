// The one way the page talks to the app (Tauri's IPC), and the one way a refusal becomes text.

import { $ } from './dom.js';

const tauri = window.__TAURI__;

export async function call(command, args) {
  if (!tauri) throw { code: 'no-tauri', message: 'Flinks Desk must run inside its window.', hint: 'Start it with `cargo desk run`.' };
  return tauri.core.invoke(command, args);
}

/** A channel for a command's progress events (runs, portfolios). */
export function channel(onMessage) {
  const c = new tauri.core.Channel();
  c.onmessage = onMessage;
  return c;
}

/**
 * Commands reject with { code, message, hint }; anything else (a string from Tauri itself, an
 * exception in the page) is a bug, shown as it is with a request to report it.
 */
export function errorView(err) {
  return err && typeof err === 'object' && 'code' in err
    ? err
    : { code: 'internal', message: String(err), hint: 'Please report this.' };
}

/** The message and what to do, as one line for a form, a status line or a table cell. */
export function errorText(err) {
  const view = errorView(err);
  return `${view.message} ${view.hint ?? ''}`;
}

/** The error banner under the run form, for what has no form of its own to speak in. */
export function showError(err) {
  const view = errorView(err);
  $('error-message').textContent = view.message;
  $('error-hint').textContent = view.hint;
  $('error').dataset.code = view.code;
  $('error').hidden = false;
}

export function clearError() {
  $('error').hidden = true;
  $('error-message').textContent = '';
  $('error-hint').textContent = '';
}
