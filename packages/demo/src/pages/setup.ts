import { generate } from 'lean-qr';
import { client, currentViewer, goTo, PAGES } from '../lib/client.js';
import { byId, copyText, digitsOf, h, showMessage } from '../lib/dom.js';
import { describeError } from '../lib/errors.js';
import { mountLayout, setHeaderViewer } from '../lib/layout.js';

mountLayout('setup');

const intro = byId('setup-intro');
const message = byId('message');
const stepScan = byId('step-scan');
const stepVerify = byId('step-verify');
const stepCodes = byId('step-codes');
const alreadyOn = byId('already-on');
const qr = byId<HTMLCanvasElement>('qr');
const secretText = byId('secret');
const copySecret = byId<HTMLButtonElement>('copy-secret');
const activateForm = byId<HTMLFormElement>('activate-form');
const code = byId<HTMLInputElement>('code');
const codesList = byId<HTMLOListElement>('backup-codes');
const codesTitle = byId('codes-title');
const copyCodes = byId<HTMLButtonElement>('copy-codes');

let secret = '';

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to read and type. */
const grouped = (value: string): string => value.match(/.{1,4}/g)?.join(' ') ?? value;

/** Briefly confirms a copy on the button itself, and announces the outcome. */
const copied = async (button: HTMLButtonElement, text: string, what: string) => {
  const ok = await copyText(text);
  showMessage(
    message,
    ok ? `${what} copied to the clipboard.` : `Could not copy: select the ${what.toLowerCase()} and copy it by hand.`,
    ok ? 'success' : 'error',
  );
  if (!ok) return;
  const label = button.dataset.label ?? button.textContent ?? '';
  button.dataset.label = label;
  button.textContent = 'Copied';
  window.setTimeout(() => {
    button.textContent = label;
  }, 2000);
};

const drawQr = (uri: string) => {
  // One pixel per module (with the standard 4-module quiet zone), scaled up in CSS with pixelated
  // rendering. A canvas, not a data: image: the page's CSP allows images from 'self' only.
  generate(uri).toCanvas(qr, { pad: 4, on: [0, 0, 0, 255], off: [255, 255, 255, 255] });
};

const showBackupCodes = (codes: readonly string[]) => {
  stepScan.hidden = true;
  stepVerify.hidden = true;
  codesList.replaceChildren(...codes.map((backupCode) => h('li', {}, h('code', {}, backupCode))));
  const text = [
    'Hartwell & Reyes LLP: two-factor authentication backup codes',
    `Saved ${new Date().toLocaleString()}. Each code signs you in once.`,
    '',
    ...codes,
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  // A link to the file (made here, once the file exists), beside the Copy button.
  copyCodes.after(
    h(
      'a',
      { id: 'download-codes', class: 'button', href: url, download: 'firm-security-backup-codes.txt' },
      'Download',
    ),
  );
  window.addEventListener('pagehide', () => URL.revokeObjectURL(url), { once: true });
  copyCodes.addEventListener('click', () => void copied(copyCodes, codes.join('\n'), 'Backup codes'));
  stepCodes.hidden = false;
  intro.textContent = 'Two-factor authentication is now on for your account.';
  codesTitle.focus();
};

activateForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = digitsOf(code.value);
  if (value.length !== 6) {
    showMessage(message, 'Enter the 6-digit code your authenticator app shows.');
    code.setAttribute('aria-invalid', 'true');
    code.focus();
    return;
  }
  showMessage(message, undefined);
  const submit = activateForm.querySelector('button');
  if (submit) submit.disabled = true;
  try {
    const { backupCodes } = await client.me.activateTwoFactor(value);
    showMessage(message, undefined);
    showBackupCodes(backupCodes);
  } catch (error) {
    showMessage(message, describeError(error));
    code.setAttribute('aria-invalid', 'true');
    code.select();
  } finally {
    if (submit) submit.disabled = false;
  }
});
code.addEventListener('input', () => code.removeAttribute('aria-invalid'));
copySecret.addEventListener('click', () => void copied(copySecret, secret, 'Setup key'));

const start = async () => {
  const viewer = await currentViewer();
  if (!viewer || viewer.session.stage === 'two_factor') {
    goTo(PAGES.signIn);
    return;
  }
  setHeaderViewer(viewer);
  if (viewer.user.twoFactor.status === 'enabled') {
    intro.textContent = `Signed in as ${viewer.user.name}.`;
    alreadyOn.hidden = false;
    return;
  }
  intro.textContent =
    viewer.session.stage === 'two_factor_setup'
      ? 'Your firm requires two-factor authentication (2FA) for your account. Set it up now to finish signing in.'
      : 'Protect your account with a second step at sign-in: a code from an app on your phone.';
  const setup = await client.me.setupTwoFactor();
  secret = setup.secret;
  secretText.textContent = grouped(setup.secret);
  drawQr(setup.otpauthUri);
  stepScan.hidden = false;
  stepVerify.hidden = false;
};

start().catch((error: unknown) => {
  intro.textContent = 'Two-factor authentication setup could not start.';
  showMessage(message, describeError(error));
});
