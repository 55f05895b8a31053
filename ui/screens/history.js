// The history: every run kept, latest first, each decided run with the decision that stands, who
// ran it and where it stands with its review. A completed run opens, or is compared with the run
// on screen; any other shows why it did not complete. Runs pulled from the team store say so.
//
// And the team store's status line in the header: on this desk only, in sync, or unreachable
// with what waits to be shared; "Sync now" shares at once.

import { $, linkButton } from '../dom.js';
import { call, errorText, showError } from '../ipc.js';
import { count, formatTime, plural } from '../format.js';
import { packageTitle } from '../session.js';

const STATUS_WORDS = {
  completed: 'completed', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted', running: 'running',
};

const DECISION_WORDS = { pass: 'PASS', refer: 'REFER', decline: 'DECLINE' };

/** The review statuses in the filter's order, with their words. */
const REVIEW_WORDS = {
  undecided: 'Not decided', decided: 'Decided', reviewed: 'Reviewed', overridden: 'Overridden',
};

// How often the status line asks the desk where it stands (the shell syncs every 30 s).
const STATUS_EVERY_MS = 15_000;

let hooks = { onOpen() {}, onCompare() {} };
// Everyone seen as a run's maker or decider: the underwriter filter's names.
const underwriters = new Set();
// The last sync the status line showed, to redraw the history when it brought records.
/** Runs and decisions received from the team when the history was last drawn for them. */
let receivedSeen = 0;

/** onOpen(runId), onCompare(runId): a completed run was clicked, or its Compare link. */
export function start(options) {
  hooks = { ...hooks, ...options };
  const select = $('history-review');
  select.append(new Option('Any', ''));
  for (const [value, word] of Object.entries(REVIEW_WORDS)) select.append(new Option(word, value));
  $('history-underwriter').addEventListener('change', refresh);
  $('history-review').addEventListener('change', refresh);
  $('team-sync').addEventListener('click', syncNow);
  refreshTeam();
  setInterval(refreshTeam, STATUS_EVERY_MS);
}

function filter() {
  const underwriter = $('history-underwriter').value;
  const review = $('history-review').value;
  return { underwriter: underwriter || null, review: review || null };
}

export async function refresh() {
  const wanted = filter();
  let runs;
  try {
    runs = await call('history', { filter: wanted });
  } catch (err) {
    showError(err);
    return;
  }
  for (const r of runs) {
    if (r.madeBy) underwriters.add(r.madeBy);
    for (const d of r.deciders ?? []) underwriters.add(d);
  }
  showUnderwriters();
  const filtered = Boolean(wanted.underwriter || wanted.review);
  $('history-empty').textContent = filtered ? 'No runs match these filters.' : 'No runs yet.';
  $('history-empty').hidden = runs.length > 0;
  $('history').replaceChildren(...runs.map(item));
}

/** "Anyone", then every name seen, sorted; the one chosen stays chosen. */
function showUnderwriters() {
  const select = $('history-underwriter');
  const chosen = select.value;
  const names = [...underwriters].sort((a, b) => a.localeCompare(b));
  const now = ['', ...names];
  const before = [...select.options].map((o) => o.value);
  if (now.length === before.length && now.every((v, i) => v === before[i])) return;
  select.replaceChildren(new Option('Anyone', ''), ...names.map((n) => new Option(n, n)));
  select.value = chosen;
}

function item(r) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `history-item ${r.status}`;
  button.dataset.testid = 'history-item';
  button.dataset.runId = r.id;
  button.dataset.status = r.status;
  button.dataset.review = r.review;
  if (r.shared) button.dataset.shared = 'true';
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = `${r.customerLabel} · ${packageTitle(r.package)}`;
  if (r.shared) what.append(' ', sharedMark(r));
  const when = document.createElement('span');
  when.className = 'when';
  when.textContent = `${STATUS_WORDS[r.status] ?? r.status} · ${formatTime(r.startedAt)}`
    + (r.status === 'completed' ? ` · ${plural(r.values, 'value')}` : '');
  button.append(what, when, teamColumns(r));
  if (r.decision) button.append(decisionBadge(r.decision));
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

/** Why a shared run reads and decides here but does not run again here. */
function sharedReason(r) {
  return `Shared by ${r.madeBy ?? 'another underwriter'} from another desk: open, decide or export it here; `
    + "running it again needs the customer's loginId on that desk";
}

/** The small "from another desk" marker; its whole reason is the tooltip and the spoken text. */
function sharedMark(r) {
  const mark = document.createElement('span');
  mark.className = 'shared-mark';
  mark.dataset.testid = 'history-shared';
  mark.title = sharedReason(r);
  const seen = document.createElement('span');
  seen.setAttribute('aria-hidden', 'true');
  seen.textContent = 'from another desk';
  const said = document.createElement('span');
  said.className = 'visually-hidden';
  said.textContent = `${sharedReason(r)}.`;
  mark.append(seen, said);
  return mark;
}

/** Two labelled columns: who ran it (none for runs before the team store), where its review is. */
function teamColumns(r) {
  const cols = document.createElement('span');
  cols.className = 'team-cols';
  cols.append(
    column('Underwriter', r.madeBy ?? '—', 'history-underwriter-cell'),
    column('Review', reviewText(r), 'history-review-cell'),
  );
  return cols;
}

function column(label, text, testid) {
  const col = document.createElement('span');
  col.className = 'col';
  col.dataset.testid = testid;
  const head = document.createElement('span');
  head.className = 'col-label';
  head.textContent = label;
  const value = document.createElement('span');
  value.className = 'col-value';
  value.textContent = text;
  // A space between them for whoever reads the button's text aloud.
  col.append(head, ' ', value);
  return col;
}

/** The status word, and who decided when a second underwriter reviewed it or one overrode it. */
function reviewText(r) {
  const word = REVIEW_WORDS[r.review] ?? r.review ?? '—';
  const deciders = [...new Set(r.deciders ?? [])];
  if (r.review === 'overridden') {
    const who = r.decision?.overridden ? [r.decision.decidedBy] : deciders;
    return who.length ? `${word} by ${who.join(', ')}` : word;
  }
  if (r.review === 'reviewed' && deciders.length) return `${word} by ${deciders.join(', ')}`;
  return word;
}

/** The decision that stands, in words and colour, and whether it overrides the policy's. */
function decisionBadge(d) {
  const line = document.createElement('span');
  line.className = 'decision';
  line.dataset.testid = 'history-decision';
  line.dataset.decision = d.finalDecision;
  const badge = document.createElement('span');
  badge.className = `badge decision-${d.finalDecision}`;
  badge.textContent = DECISION_WORDS[d.finalDecision] ?? d.finalDecision;
  line.append(badge, ` ${d.policy}${d.overridden ? ' · overridden' : ''}`);
  return line;
}

// ---- The team store's status line ----

/** Where the desk stands with its team, without calling the team store. */
export async function refreshTeam() {
  try {
    showTeam(await call('team_status'));
  } catch (err) {
    showTeamError(err);
  }
}

/** Shares what this desk made and fetches what the others made now (after a run, a decision). */
export async function syncTeam() {
  try {
    showTeam(await call('sync_team'));
  } catch (err) {
    showTeamError(err);
  }
}

async function syncNow() {
  const button = $('team-sync');
  button.disabled = true;
  say('Syncing with the team store…', '');
  try {
    await syncTeam();
  } finally {
    button.disabled = false;
  }
}

function showTeamError(err) {
  say(`Team store status unknown: ${errorText(err)}`, '');
}

/** Changes the line only when its words change, so a screen reader hears news, not the poll. */
function say(text, title) {
  const line = $('team-status');
  if (line.textContent !== text) line.textContent = text;
  line.title = title;
}

/** "12:03": the hour and minute of a timestamp, in the reader's time zone. */
function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleTimeString('en-CA', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** db.host:5432/lending: the store's address without its scheme, user or options. */
function place(at) {
  return at.replace(/^[a-z]+:\/\//i, '').replace(/^[^@/]*@/, '').replace(/\?.*$/, '');
}

/** The records of a sync that underwriters think of: runs and decisions. */
function records(stored) {
  return (stored?.runs ?? 0) + (stored?.decisions ?? 0);
}

function showTeam(s) {
  const bar = $('team');
  $('team-sync').hidden = !s.at;
  if (!s.at && s.message) {
    // The URL given at start was refused (not valid, or its password would go in clear).
    bar.dataset.state = 'offline';
    say(`On this desk only — the team store's URL was refused: ${s.message}`, s.message);
    return;
  }
  if (!s.at) {
    bar.dataset.state = 'local';
    say('On this desk only', 'No team store: set FLINKS_DESK_STORE or start Flinks Desk with --store URL to share runs with a team.');
    return;
  }
  const where = place(s.at);
  // Since the desk joined: the counts do not fall back to 0 at each quiet sync.
  const shared = records(s.session?.pushed);
  const received = records(s.session?.pulled);
  if (s.online) {
    bar.dataset.state = 'online';
    const parts = [`Team store ${where}`, `in sync ${clock(s.lastSync)}`, `${count(shared)} shared, ${count(received)} received`];
    if (s.waiting > 0) parts.push(`${plural(s.waiting, 'record')} waiting`);
    say(parts.join(' · '), `Since this desk joined the team store it shared ${plural(shared, 'run or decision', 'runs and decisions')} `
      + `and received ${plural(received, 'run or decision', 'runs and decisions')}; last sync ${formatTime(s.lastSync)}.`);
  } else if (!s.lastSync) {
    bar.dataset.state = 'connecting';
    say(`Team store ${where} · connecting…`, '');
  } else {
    bar.dataset.state = 'offline';
    const waiting = s.waiting > 0
      ? `${plural(s.waiting, 'record')} will be shared when it is back`
      : 'nothing is waiting to be shared';
    const unreachable = !s.message || /cannot be reached/.test(s.message);
    say(unreachable
      ? `Team store unreachable — working on this desk; ${waiting}`
      : `Team store not in sync — working on this desk; ${waiting}. ${s.message}`, s.message ?? '');
  }
  // Runs or decisions came from the team since the history was last drawn for them (whichever
  // sync brought them, the background's or Sync now's): the history lists them.
  if (received > receivedSeen) {
    receivedSeen = received;
    refresh();
  }
}
