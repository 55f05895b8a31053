// Small page helpers shared by every screen. Nothing here knows about Flinks.

export const $ = (id) => document.getElementById(id);

export function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** Shows a yes/no dialog (its buttons close it with value "yes" or "no") and waits for the answer. */
export async function ask(dialogId) {
  const dialog = $(dialogId);
  dialog.returnValue = '';
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
  return dialog.returnValue === 'yes';
}

/** A button styled as a link, the way lists and tables offer an action on one of their items. */
export function linkButton({ testid, text, label, className = 'link', onClick }) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.dataset.testid = testid;
  button.textContent = text;
  if (label) button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

/** A row of plain text cells; each cell is [text, class]. */
export function tableRow(testid, cells) {
  const tr = document.createElement('tr');
  tr.dataset.testid = testid;
  for (const [text, cls] of cells) {
    const td = document.createElement('td');
    td.textContent = String(text);
    if (cls) td.className = cls;
    tr.append(td);
  }
  return tr;
}

// The right pane shows one of three views at a time; the buttons above it say which.
const VIEWS = ['results', 'portfolio', 'log'];

export function showView(which) {
  for (const view of VIEWS) {
    $(view).hidden = view !== which;
    $(`view-${view}`).setAttribute('aria-pressed', String(view === which));
  }
}

/** Every dialog's [data-close] button closes its dialog, whatever the dialog. */
export function closeDialogsOnDataClose() {
  for (const button of document.querySelectorAll('dialog [data-close]')) {
    button.addEventListener('click', () => button.closest('dialog').close());
  }
}
