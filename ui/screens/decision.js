// Deciding a completed run with a policy: pick a shipped policy, optionally type the loan, press
// Decide; read the decision, its reasons and the affordability figures with their arithmetic;
// override it with a comment; see the run's earlier decisions. And "What if…": another policy
// (shipped, or a JDM file read in the page) over the past decisions of the same package.

import { $, formData, tableRow } from '../dom.js';
import { call, errorText } from '../ipc.js';
import { formatDollars, formatPercent, formatTime, plural } from '../format.js';
import { packageTitle } from '../session.js';

const WORDS = {
  pass: 'The policy passes this file.',
  refer: 'The policy refers this file to an underwriter.',
  decline: 'The policy declines this file.',
};

let hooks = { afterDecide() {} };
// The completed run on screen ({ runId, package (its title), customerLabel }) or null.
let run = null;
// The decision on screen in the dialog (the one an override applies to).
let shown = null;
let policies = [];
// A JDM file picked for what-if: { name, document }.
let filePolicy = null;

/** afterDecide(): a decision or an override was recorded (the history shows it). */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('decide-open').addEventListener('click', openDecide);
  $('what-if-open').addEventListener('click', openWhatIf);
  $('decide-form').addEventListener('submit', (e) => { e.preventDefault(); decide(); });
  $('loan-kind').addEventListener('change', () => {
    $('mortgage-fields').hidden = $('loan-kind').value !== 'mortgage';
  });
  $('override-form').addEventListener('submit', (e) => { e.preventDefault(); saveOverride(); });
  $('limits-save').addEventListener('click', saveLimits);
  $('override-cancel').addEventListener('click', () => { $('override-form').hidden = true; });
  $('what-if-form').addEventListener('submit', (e) => { e.preventDefault(); whatIf(); });
  $('what-if-file').addEventListener('change', readFile);
  $('what-if-policy').addEventListener('change', () => {
    if ($('what-if-policy').value !== 'file') filePolicy = null;
  });
}

/** Results show a run (or none while a run goes): the actions follow, and its decision line. */
export async function showFor(result) {
  run = result && { runId: result.runId, package: result.package, customerLabel: result.customerLabel };
  $('decide-open').disabled = !run;
  $('what-if-open').disabled = !run;
  $('decision-line').hidden = true;
  if (!run) return;
  const runId = run.runId;
  let decisions;
  try {
    decisions = await call('run_decisions', { runId });
  } catch (err) {
    // The line is a convenience: its failure is said in it, not in a banner over the run.
    if (run && run.runId === runId) showLine(errorText(err));
    return;
  }
  if (!run || run.runId !== runId) return;
  if (decisions.length > 0) showLine(null, decisions[0]);
}

function showLine(text, d) {
  const line = $('decision-line');
  if (d) {
    line.replaceChildren('Decision: ', badge(d.finalDecision),
      ` ${d.policy}${d.overridden ? ` (the policy said ${d.decision.toUpperCase()}; overridden)` : ''}`);
  } else {
    line.textContent = text;
  }
  line.hidden = false;
}

/** A decision as a coloured word: PASS, REFER or DECLINE. */
export function badge(decision) {
  const span = document.createElement('span');
  span.className = `badge decision-${decision}`;
  span.dataset.decision = decision;
  span.textContent = String(decision).toUpperCase();
  return span;
}

// The shipped policies, each replaced by its latest version saved in the Policies editor, and
// the policies saved there that did not ship: what the underwriter last wrote is what decides.
// Read again at each opening, so a version saved a minute ago is the one offered.
async function loadPolicies() {
  const byName = new Map((await call('shipped_policies')).map((p) => [p.name, p]));
  for (const saved of await call('policies')) {
    if (saved.versions === 0) continue;
    const latest = await call('open_policy', { name: saved.name, sha256: null });
    byName.set(saved.name, { name: saved.name, document: latest.json });
  }
  policies = [...byName.values()];
  return policies;
}

function fillPolicies(select, withFile) {
  const wanted = select.value;
  const options = policies.map((p) => new Option(p.name, p.name));
  if (withFile) {
    const file = new Option(filePolicy ? `File: ${filePolicy.name}` : 'A JDM file (choose below)', 'file');
    file.disabled = !filePolicy;
    options.push(file);
  }
  select.replaceChildren(...options);
  // The package's own policy first: Business Analysis reads small-business.
  const preferred = run && run.package === 'Business Analysis' ? 'small-business' : 'personal-loan';
  select.value = wanted && [...select.options].some((o) => o.value === wanted && !o.disabled) ? wanted : preferred;
  if (!select.value && select.options.length) select.selectedIndex = 0;
}

async function openDecide() {
  if (!run) return;
  $('decide-error').textContent = '';
  $('override-form').hidden = true;
  $('decision-run').textContent = `${run.customerLabel} · ${run.package} · run ${run.runId}`;
  shown = null;
  $('decision-result').replaceChildren(note('Pick a policy and press Decide.'));
  // Nothing to pick until the policies and limits of this opening are read: a choice made in
  // the meantime would be replaced under the person's hand.
  $('decide-policy').replaceChildren();
  for (const key of LIMITS) $('decide-form').elements[key].value = '';
  $('limits-status').textContent = '';
  $('decision-dialog').showModal();
  try {
    await loadPolicies();
    fillPolicies($('decide-policy'), false);
    showLimits(await call('affordability_settings'));
  } catch (err) {
    $('decide-error').textContent = errorText(err);
  }
  await refreshEarlier();
}

const LIMITS = ['gdsLimit', 'tdsLimit', 'dscrMinimum', 'stressFloorRate', 'stressAdd', 'condoFeeShare'];

function showLimits(settings) {
  const form = $('decide-form');
  for (const key of LIMITS) form.elements[key].value = settings[key];
}

// The limits are the desk's settings: saved here, they hold for every decision after, and the
// core refuses one out of range with which and why.
async function saveLimits() {
  const form = $('decide-form');
  const status = $('limits-status');
  const settings = Object.fromEntries(LIMITS.map((key) => [key, form.elements[key].value.trim()]));
  try {
    const saved = await call('set_affordability_settings', { settings });
    showLimits(saved);
    status.textContent = `Saved: GDS ${saved.gdsLimit} %, TDS ${saved.tdsLimit} %, stress test at the greater of the rate + ${saved.stressAdd} points and ${saved.stressFloorRate} %.`;
  } catch (err) {
    status.textContent = errorText(err);
  }
}

/** The loan as LoanRequest wants it, or null when no amount is typed. */
function loan() {
  const f = formData($('decide-form'));
  if (!f.amount.trim() && !f.annualRate.trim() && !f.amortizationYears.trim()) return null;
  const kind = f.kind;
  const request = {
    amount: f.amount.trim(),
    annualRate: f.annualRate.trim(),
    amortizationYears: Number(f.amortizationYears),
    compounding: kind === 'mortgage' ? 'semiAnnual' : 'monthly',
    file: kind === 'business' ? 'business' : 'personal',
  };
  if (kind === 'mortgage') {
    for (const key of ['propertyTaxMonthly', 'heatingMonthly', 'condoFeesMonthly']) {
      if (f[key].trim()) request[key] = f[key].trim();
    }
  }
  return request;
}

async function decide() {
  if (!run) return;
  const policy = policies.find((p) => p.name === $('decide-policy').value);
  if (!policy) return;
  $('decide-error').textContent = '';
  const button = $('decide-button');
  button.disabled = true;
  try {
    const d = await call('decide_run', {
      runId: run.runId,
      policy: { name: policy.name, document: policy.document },
      loan: loan(),
    });
    renderDecision(d);
    await afterChange(d);
  } catch (err) {
    $('decide-error').textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

async function afterChange(d) {
  showLine(null, d);
  hooks.afterDecide();
  await refreshEarlier();
}

function note(text) {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function renderDecision(d) {
  shown = d;
  const out = [];
  const verdict = el('p', undefined, `verdict decision-${d.finalDecision}`);
  verdict.dataset.testid = 'decision-verdict';
  verdict.dataset.decision = d.finalDecision;
  const word = el('span', d.finalDecision.toUpperCase(), 'verdict-word');
  const says = el('span', d.overridden
    ? `Overridden: the policy said ${d.decision.toUpperCase()}; the underwriter decided ${d.finalDecision.toUpperCase()}.`
    : WORDS[d.decision] ?? '', 'verdict-text');
  verdict.append(word, says);
  out.push(verdict);
  const override = el('button', 'Override…', 'ghost override-open');
  override.type = 'button';
  override.dataset.testid = 'override-open';
  override.setAttribute('aria-label', 'Override the decision, with a comment');
  override.addEventListener('click', () => {
    $('override-error').textContent = '';
    $('override-form').hidden = false;
    $('override-form').elements.decision.focus();
  });
  verdict.append(override);
  const about = el('p', `Policy ${d.policy}, version ${d.policySha256.slice(0, 12)} · ${formatTime(d.decidedAt)} · ${d.decidedBy}`, 'note');
  about.dataset.testid = 'decision-policy';
  about.title = `SHA-256 ${d.policySha256}`;
  out.push(about);
  if (d.overrideComment) {
    const why = el('p', `Why: ${d.overrideComment}`, 'override-comment');
    why.dataset.testid = 'decision-comment';
    out.push(why);
  }
  out.push(reasonsTable(d.reasons, 'decision-reasons'));
  if (d.affordability) out.push(affordabilityTable(d.affordability));
  $('decision-result').replaceChildren(...out);
}

function shownValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return new Intl.NumberFormat('en-CA', { maximumFractionDigits: 2 }).format(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function reasonsTable(reasons, testid) {
  if (reasons.length === 0) {
    const none = note('No rule had anything to say.');
    none.dataset.testid = testid;
    return none;
  }
  const table = el('table', undefined, 'reasons');
  table.dataset.testid = testid;
  const head = el('thead');
  const tr = el('tr');
  for (const h of ['Rule', 'Attribute', 'Value', 'Reason']) {
    const th = el('th', h);
    th.scope = 'col';
    tr.append(th);
  }
  head.append(tr);
  const body = el('tbody');
  for (const r of reasons) {
    const row = tableRow('decision-reason', [
      [r.outcome ? `${r.rule} (${r.outcome})` : r.rule, 'rule'], [r.attribute, 'code'],
      [shownValue(r.value), 'num'], [r.text, 'reason-text'],
    ]);
    row.dataset.rule = r.rule;
    body.append(row);
  }
  table.append(head, body);
  return table;
}

function figure(unit, v) {
  if (unit === 'percent') return formatPercent(v);
  if (unit === 'dollars') return formatDollars(v);
  return v === null || v === undefined ? '—' : `${shownValue(Number(v))}×`;
}

function affordabilityTable(a) {
  const wrap = el('div', undefined, 'affordability');
  wrap.append(el('h3', `Affordability at a qualifying rate of ${formatPercent(a.qualifyingRate)}`));
  const table = el('table');
  table.dataset.testid = 'affordability';
  const head = el('thead');
  const tr = el('tr');
  for (const h of ['Figure', 'How it is worked out', 'Value', 'Limit', 'Within it?']) {
    const th = el('th', h);
    th.scope = 'col';
    tr.append(th);
  }
  head.append(tr);
  const body = el('tbody');
  for (const f of a.formulas) {
    const row = el('tr');
    row.dataset.testid = 'affordability-row';
    row.dataset.name = f.name;
    const how = el('td');
    how.append(el('span', f.formula, 'formula'), el('span', f.withNumbers, 'with-numbers'));
    const within = f.withinLimit === null || f.withinLimit === undefined ? '—' : f.withinLimit ? 'Yes' : 'No, over the limit';
    const withinCell = el('td', within, f.withinLimit === false ? 'over' : f.withinLimit ? 'within' : '');
    row.append(el('th', f.name), how, el('td', figure(f.unit, f.value), 'num'),
      el('td', f.limit === null || f.limit === undefined ? '—' : figure(f.unit, f.limit), 'num'), withinCell);
    row.firstChild.scope = 'row';
    body.append(row);
  }
  table.append(head, body);
  wrap.append(table);
  return wrap;
}

async function saveOverride() {
  if (!shown) return;
  const f = formData($('override-form'));
  $('override-error').textContent = '';
  try {
    const d = await call('override_decision', { decisionId: shown.id, decision: f.decision, comment: f.comment });
    $('override-form').hidden = true;
    $('override-form').reset();
    renderDecision(d);
    await afterChange(d);
  } catch (err) {
    $('override-error').textContent = errorText(err);
  }
}

async function refreshEarlier() {
  if (!run) return;
  let list;
  try {
    list = await call('run_decisions', { runId: run.runId });
  } catch (err) {
    $('decide-error').textContent = errorText(err);
    return;
  }
  $('decision-history-empty').hidden = list.length > 0;
  $('decision-history').replaceChildren(...list.map((d) => {
    const li = el('li');
    li.dataset.testid = 'decision-entry';
    li.dataset.decisionId = d.id;
    const open = el('button', undefined, 'link');
    open.type = 'button';
    open.textContent = `${formatTime(d.decidedAt)} · ${d.policy} ${d.policySha256.slice(0, 12)}`;
    open.setAttribute('aria-label', `Show the decision of ${formatTime(d.decidedAt)}`);
    open.addEventListener('click', () => renderDecision(d));
    li.append(badge(d.finalDecision), ' ', open);
    if (d.overridden) {
      li.append(el('span', ` overrides the policy's ${d.decision.toUpperCase()}: “${d.overrideComment ?? ''}”`, 'note'));
    }
    return li;
  }));
}

// What if…: the policy picked (shipped or a file) over the past decisions of this package.
async function openWhatIf() {
  if (!run) return;
  $('what-if-error').textContent = '';
  $('what-if-summary').textContent = '';
  $('what-if-table').hidden = true;
  $('what-if-scope').textContent = run.package === 'Custom'
    ? 'Over every past decision, from what each one read; Flinks is not called.'
    : `Over the past decisions of ${run.package} runs, from what each one read; Flinks is not called.`;
  $('what-if-dialog').showModal();
  try {
    await loadPolicies();
    fillPolicies($('what-if-policy'), true);
  } catch (err) {
    $('what-if-error').textContent = errorText(err);
  }
}

async function readFile() {
  const file = $('what-if-file').files[0];
  $('what-if-error').textContent = '';
  if (!file) return;
  try {
    filePolicy = { name: file.name, document: await file.text() };
  } catch (err) {
    filePolicy = null;
    $('what-if-error').textContent = errorText(err);
    return;
  }
  fillPolicies($('what-if-policy'), true);
  $('what-if-policy').value = 'file';
}

async function whatIf() {
  if (!run) return;
  const choice = $('what-if-policy').value;
  const policy = choice === 'file' ? filePolicy : policies.find((p) => p.name === choice);
  if (!policy) return;
  $('what-if-error').textContent = '';
  $('what-if-summary').textContent = 'Applying…';
  let w;
  try {
    // The core knows a package by its title too; a custom run has none to hold to.
    w = await call('what_if', { document: policy.document, package: run.package === 'Custom' ? null : run.package });
  } catch (err) {
    $('what-if-summary').textContent = '';
    $('what-if-error').textContent = errorText(err);
    return;
  }
  $('what-if-summary').textContent = `${w.changed} of ${plural(w.evaluated, 'decision')} would change `
    + `with ${policy.name} (version ${w.policySha256.slice(0, 12)}).`;
  $('what-if-rows').replaceChildren(...w.changes.map((c) => {
    const tr = el('tr');
    tr.dataset.testid = 'what-if-row';
    tr.dataset.runId = c.runId;
    const who = el('th', `${c.customerLabel} · ${packageTitle(c.package)} · run ${c.runId}`);
    who.scope = 'row';
    const side = (decision, reasons, testid) => {
      const td = el('td');
      td.dataset.testid = testid;
      td.append(badge(decision), reasonList(reasons));
      return td;
    };
    tr.append(who, side(c.before, c.beforeReasons, 'what-if-before'), side(c.after, c.afterReasons, 'what-if-after'));
    return tr;
  }));
  $('what-if-table').hidden = w.changes.length === 0;
}

function reasonList(reasons) {
  const ul = el('ul', undefined, 'reason-list');
  for (const r of reasons) ul.append(el('li', r.text || r.rule));
  if (reasons.length === 0) ul.append(el('li', 'No reasons.', 'note'));
  return ul;
}
