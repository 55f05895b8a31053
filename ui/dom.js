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
