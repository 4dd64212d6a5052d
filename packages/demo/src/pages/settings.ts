import '@firm-security/elements/all.js';
import type { Viewer } from '@firm-security/sdk';
import { currentViewer, goTo, PAGES } from '../lib/client.js';
import { byId, showMessage } from '../lib/dom.js';
import { describeError } from '../lib/errors.js';
import { mountLayout, setHeaderText, setHeaderViewer } from '../lib/layout.js';
import {
  applyLanguage,
  applyTheme,
  type Language,
  storedLanguage,
  storedTheme,
  type Theme,
} from '../lib/preferences.js';
import { dateIn, type SettingsText, settingsText } from '../lib/settings-text.js';

mountLayout('settings');

const message = byId('message');
const prefs = byId<HTMLFormElement>('prefs');
const languageSelect = byId<HTMLSelectElement>('language');
const own = byId('own-2fa');
const ownText = byId('own-2fa-text');
const ownLink = byId<HTMLAnchorElement>('own-2fa-link');
const tableSlot = byId('table-slot');

let viewer: Viewer | undefined;
let language: Language = storedLanguage();

/** Writes the page's own strings (elements marked `data-i18n`) in the current language. */
const translate = () => {
  const text = settingsText[language];
  document.title = text.documentTitle;
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = element.dataset.i18n as keyof SettingsText;
    const value = text[key];
    if (typeof value === 'string') element.textContent = value;
  }
  setHeaderText(text.header);
  if (viewer) {
    const enabled = viewer.user.twoFactor.status === 'enabled';
    ownText.textContent = enabled
      ? text.twoFactorOn(dateIn(language, viewer.user.twoFactor.enabledAt))
      : text.twoFactorOff;
    ownLink.hidden = enabled;
    own.classList.toggle('callout--warning', !enabled);
  }
};

const setLanguage = (next: Language, remember: boolean) => {
  language = next;
  applyLanguage(next, remember);
  languageSelect.value = next;
  translate();
};

// Preferences: the theme switches both the page and the kit's elements; the language switches the
// elements (they follow <html lang>) and this page's own words.
const theme = storedTheme();
const themeRadio = prefs.querySelector<HTMLInputElement>(`input[name="theme"][value="${theme}"]`);
if (themeRadio) themeRadio.checked = true;
prefs.addEventListener('change', (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.name === 'theme') applyTheme(target.value as Theme, true);
  if (target === languageSelect) setLanguage(languageSelect.value === 'fr-CA' ? 'fr-CA' : 'en', true);
});
prefs.addEventListener('submit', (event) => event.preventDefault());
setLanguage(language, false);

const start = async () => {
  viewer = await currentViewer();
  if (!viewer || viewer.session.stage === 'two_factor') {
    goTo(PAGES.signIn);
    return;
  }
  if (viewer.session.stage === 'two_factor_setup') {
    goTo(PAGES.setup);
    return;
  }
  setHeaderViewer(viewer);
  own.hidden = false;
  translate();
  // The table talks to the same-origin API (/api/v1) with the session cookie: no attributes needed.
  tableSlot.append(document.createElement('firm-security-table'));
};

start().catch((error: unknown) => showMessage(message, describeError(error)));
