// Signing a customer in from the desk: a live Authorize with their username and password, then
// the bank's security questions asked in the dialog until the bank lets them in.

import { $ } from '../dom.js';
import { call, errorText } from '../ipc.js';
import { plural } from '../format.js';
import { session, currentEnv, confirmProduction } from '../session.js';

let hooks = { onSignedIn: async () => {} };

// A live sign-in waiting on the bank's questions: the desk's id for it, and the prompts.
let pending = null;

/** onSignedIn(customer): the new customer is saved; the promise it returns is awaited. */
export function start(options) {
  hooks = { ...hooks, ...options };
  $('signin-open').addEventListener('click', open);
  $('signin-form').addEventListener('submit', submit);
  $('signin-dialog').addEventListener('close', closed);
}

function open() {
  const form = $('signin-form');
  form.reset();
  // Opened from the Add customer dialog: the name typed there carries over.
  form.elements.label.value = $('customer-form').elements.label.value;
  showQuestions(null);
  $('signin-demo').hidden = !currentEnv()?.offline;
  $('signin-status').textContent = '';
  form.querySelector('.form-error').textContent = '';
  $('customer-dialog').close();
  $('signin-dialog').showModal();
  form.elements.username.focus();
}

function showQuestions(step) {
  pending = step;
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

async function submit(event) {
  event.preventDefault();
  const form = $('signin-form');
  const error = form.querySelector('.form-error');
  const status = $('signin-status');
  const button = $('signin-submit');
  error.textContent = '';
  if (!pending && !(await confirmProduction())) return;
  button.disabled = true;
  status.textContent = pending ? 'Sending the answers to the bank…' : 'Signing in to the bank through Flinks…';
  try {
    const step = pending
      ? await call('answer_sign_in', {
        signIn: pending.signIn,
        answers: [...$('signin-question-list').querySelectorAll('input')].map((i) => i.value),
      })
      : await call('sign_in_customer', {
        input: {
          environment: session.env,
          label: form.elements.label.value,
          institution: form.elements.institution.value,
          username: form.elements.username.value,
          password: form.elements.password.value,
        },
      });
    if (step.step === 'questions') {
      showQuestions(step);
      status.textContent = `The bank asks ${plural(step.questions.length, 'security question')} before it signs in.`;
      return;
    }
    pending = null;
    status.textContent = '';
    $('signin-dialog').close();
    await hooks.onSignedIn(step.customer);
  } catch (err) {
    status.textContent = '';
    error.textContent = errorText(err);
    // Past a wrong answer the question stays open; any other refusal ends the sign-in.
    if (pending && err?.code !== 'flinks.invalid_security_response') showQuestions(null);
  } finally {
    // Nothing typed as a secret outlives the call in the page.
    form.elements.password.value = '';
    for (const input of $('signin-question-list').querySelectorAll('input')) input.value = '';
    button.disabled = false;
  }
}

// However the dialog closes, a sign-in still waiting on the bank is let go at the desk.
function closed() {
  if (pending) call('cancel_sign_in', { signIn: pending.signIn }).catch(() => {});
  pending = null;
  const form = $('signin-form');
  form.elements.password.value = '';
  form.elements.username.value = '';
}
