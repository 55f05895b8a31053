// A run's PDF bank statements: fetched through the same flow as the run and saved, with the
// run, in a folder the underwriter picks; the line under the summary says what is attached.

import { $ } from '../dom.js';
import { call, channel, errorText } from '../ipc.js';
import { count } from '../format.js';
import { confirmProduction } from '../session.js';

let runId = null;
/** Who ran the shown run on another desk of the team (then its loginId is there), or null. */
let sharedBy = null;

export function start() {
  $('statements-attach').addEventListener('click', attach);
}

/** Results show a run (or none): the button follows, and the line lists what is attached. */
export async function showFor(result) {
  runId = result ? result.runId : null;
  const button = $('statements-attach');
  // A run pulled from another desk: its customer's loginId is on that desk, not here.
  sharedBy = result?.sharedBy ?? null;
  button.disabled = runId === null || sharedBy !== null;
  button.title = sharedBy === null
    ? "Fetch the customer's PDF bank statements and save them with this run"
    : `Shared by ${sharedBy} from another desk: the statements come through the customer's loginId, which is on that desk`;
  const line = $('statements-line');
  line.hidden = true;
  if (runId === null) return;
  const shownFor = runId;
  try {
    const attached = await call('run_statements', { runId });
    if (shownFor === runId) say(attached);
  } catch (err) {
    if (shownFor === runId) say(null, errorText(err));
  }
}

function say(attached, text) {
  const line = $('statements-line');
  if (text) {
    line.textContent = text;
  } else if (attached && attached.length > 0) {
    const names = attached.map((s) => s.path.split(/[\\/]/).pop());
    line.textContent = `Statements attached (${count(attached.length)}): ${names.join(', ')}`;
  } else {
    line.hidden = true;
    return;
  }
  line.hidden = false;
}

async function attach() {
  if (runId === null) return;
  const button = $('statements-attach');
  const forRun = runId;
  // Fetching statements calls Flinks: production asks first, as a run does.
  if (!(await confirmProduction())) return;
  button.disabled = true;
  say(null, 'Asking Flinks for the statements…');
  try {
    const attached = await call('attach_statements', { runId: forRun, months: null, onEvent: channel(() => {}) });
    if (attached === null) {
      say(null, 'No folder chosen: nothing was fetched.');
    } else {
      say(await call('run_statements', { runId: forRun }));
    }
  } catch (err) {
    say(null, errorText(err));
  } finally {
    button.disabled = runId === null || sharedBy !== null;
  }
}
