import type { SessionStage } from '@firm-security/sdk';
import { client, currentViewer, goTo, PAGES } from '../lib/client.js';
import { byId, digitsOf, showMessage } from '../lib/dom.js';
import { describeError } from '../lib/errors.js';
import { mountLayout } from '../lib/layout.js';

mountLayout('sign-in');

const message = byId('message');
const passwordForm = byId<HTMLFormElement>('password-form');
const codeForm = byId<HTMLFormElement>('code-form');
const email = byId<HTMLInputElement>('email');
const password = byId<HTMLInputElement>('password');
const codeHint = byId('code-hint');
const totpField = byId('totp-field');
const backupField = byId('backup-field');
const code = byId<HTMLInputElement>('code');
const backupCode = byId<HTMLInputElement>('backup-code');
const toggleBackup = byId<HTMLButtonElement>('toggle-backup');
const startOver = byId<HTMLButtonElement>('start-over');
const subtitle = byId('sign-in-subtitle');

let usingBackupCode = false;

/** Remembers, for this tab, that the password step is done and a code is awaited. */
const pendingCodeStep = {
  key: 'hartwell-reyes-demo:code-step',
  get(): boolean {
    try {
      return window.sessionStorage.getItem(this.key) === '1';
    } catch {
      return false;
    }
  },
  set(on: boolean): void {
    try {
      if (on) window.sessionStorage.setItem(this.key, '1');
      else window.sessionStorage.removeItem(this.key);
    } catch {
      // Storage turned off: a reload starts again at the password step.
    }
  },
};

const busy = (form: HTMLFormElement, on: boolean) => {
  form.setAttribute('aria-busy', String(on));
  for (const control of form.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')) {
    control.disabled = on;
  }
};

/** Where a session in `stage` goes next; true if the page is leaving. */
const follow = (stage: SessionStage): boolean => {
  pendingCodeStep.set(stage === 'two_factor');
  if (stage === 'complete') goTo(PAGES.settings);
  else if (stage === 'two_factor_setup') goTo(PAGES.setup);
  else return false;
  return true;
};

const showCodeStep = () => {
  passwordForm.hidden = true;
  codeForm.hidden = false;
  subtitle.textContent = email.value ? `as ${email.value}` : 'to your Hartwell & Reyes LLP account';
  setBackupMode(false);
};

const setBackupMode = (on: boolean) => {
  usingBackupCode = on;
  totpField.hidden = on;
  backupField.hidden = !on;
  toggleBackup.textContent = on ? 'Use your authenticator app' : 'Use a backup code';
  codeHint.textContent = on
    ? 'Enter one of the backup codes you saved when you turned on 2FA. Each one works once.'
    : 'Enter the 6-digit code from your authenticator app.';
  (on ? backupCode : code).focus();
};

passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  showMessage(message, undefined);
  busy(passwordForm, true);
  try {
    const { stage } = await client.session.signIn({ email: email.value.trim(), password: password.value });
    if (follow(stage)) return;
    busy(passwordForm, false);
    password.value = '';
    showCodeStep();
  } catch (error) {
    busy(passwordForm, false);
    showMessage(message, describeError(error));
    password.select();
  }
});

codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = usingBackupCode ? backupCode : code;
  const value = usingBackupCode ? backupCode.value.trim() : digitsOf(code.value);
  if (usingBackupCode ? value.length === 0 : value.length !== 6) {
    showMessage(
      message,
      usingBackupCode ? 'Enter a backup code.' : 'Enter the 6-digit code from your authenticator app.',
    );
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  showMessage(message, undefined);
  busy(codeForm, true);
  try {
    const { stage } = await client.session.verify(usingBackupCode ? { backupCode: value } : { code: value });
    follow(stage);
  } catch (error) {
    showMessage(message, describeError(error, usingBackupCode ? 'backup code' : 'code'));
    input.setAttribute('aria-invalid', 'true');
    busy(codeForm, false);
    input.select();
  }
});

for (const input of [code, backupCode]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

toggleBackup.addEventListener('click', () => {
  showMessage(message, undefined);
  setBackupMode(!usingBackupCode);
});

startOver.addEventListener('click', async () => {
  showMessage(message, undefined);
  pendingCodeStep.set(false);
  await client.session.signOut().catch(() => undefined);
  codeForm.hidden = true;
  passwordForm.hidden = false;
  subtitle.textContent = 'to your Hartwell & Reyes LLP account';
  code.value = '';
  backupCode.value = '';
  email.focus();
});

// A reload in the middle of signing in picks up where the session is. Only then is the session asked
// about: a signed-out visit makes no request (a 401 would only add noise to the console).
const resume = async () => {
  if (!pendingCodeStep.get()) {
    email.focus();
    return;
  }
  const viewer = await currentViewer().catch(() => undefined);
  if (!viewer) {
    pendingCodeStep.set(false);
    email.focus();
    return;
  }
  if (follow(viewer.session.stage)) return;
  email.value = viewer.user.email;
  showCodeStep();
};
void resume();
