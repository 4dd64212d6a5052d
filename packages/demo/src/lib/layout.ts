import type { Viewer } from '@firm-security/sdk';
import { client, goTo, PAGES } from './client.js';
import { h } from './dom.js';
import { applyTheme, storedTheme } from './preferences.js';

export type NavPage = 'settings' | 'setup' | 'mailbox' | 'sign-in';

export interface HeaderText {
  firmSecurity: string;
  setUp: string;
  mailbox: string;
  signIn: string;
  signOut: string;
  skip: string;
  mainNav: string;
  signedInAs: string;
}

export const englishHeader: HeaderText = {
  firmSecurity: 'Firm Security',
  setUp: 'Set up 2FA',
  mailbox: 'Dev mailbox',
  signIn: 'Sign in',
  signOut: 'Sign out',
  skip: 'Skip to main content',
  mainNav: 'Main',
  signedInAs: 'Signed in as',
};

let header: HTMLElement | undefined;
let current: NavPage;
let viewer: Viewer | undefined;
let text = englishHeader;

const navLink = (page: NavPage, href: string, label: string) =>
  h('li', {}, h('a', { href, 'aria-current': page === current ? 'page' : undefined }, label));

const signOut = async (button: HTMLButtonElement) => {
  button.disabled = true;
  try {
    await client.session.signOut();
  } catch {
    // Already signed out, or the server is gone: either way, go back to the sign-in page.
  }
  goTo(PAGES.signIn);
};

const render = () => {
  if (!header) return;
  const account = h('div', { class: 'account' });
  if (viewer) {
    const button = h('button', { type: 'button', class: 'button button--quiet' }, text.signOut);
    button.addEventListener('click', () => void signOut(button));
    account.append(
      h(
        'span',
        { class: 'account__who' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(viewer.user.name)),
        h(
          'span',
          { class: 'account__name' },
          h('span', { class: 'visually-hidden' }, `${text.signedInAs} `),
          viewer.user.name,
        ),
      ),
      button,
    );
  } else if (current !== 'sign-in') {
    account.append(h('a', { href: PAGES.signIn, class: 'button button--quiet' }, text.signIn));
  }
  header.replaceChildren(
    h(
      'div',
      { class: 'site-header__inner' },
      h(
        'a',
        { href: PAGES.settings, class: 'brand' },
        h('span', { class: 'brand__mark', 'aria-hidden': 'true' }, 'H&R'),
        h('span', { class: 'brand__name' }, 'Hartwell & Reyes LLP'),
      ),
      h(
        'nav',
        { class: 'site-nav', 'aria-label': text.mainNav },
        h(
          'ul',
          {},
          navLink('settings', PAGES.settings, text.firmSecurity),
          navLink('setup', PAGES.setup, text.setUp),
          navLink('mailbox', PAGES.mailbox, text.mailbox),
        ),
      ),
      account,
    ),
  );
  const skip = document.querySelector('.skip-link');
  if (skip) skip.textContent = text.skip;
};

const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');

/** The shared header (brand, navigation, account) and skip link; applies the stored theme. */
export const mountLayout = (page: NavPage): void => {
  current = page;
  applyTheme(storedTheme());
  header = h('header', { class: 'site-header' });
  document.body.prepend(h('a', { href: '#main', class: 'skip-link' }, text.skip), header);
  render();
};

/** Shows who is signed in, with a Sign out button. */
export const setHeaderViewer = (signedIn: Viewer | undefined): void => {
  viewer = signedIn;
  render();
};

/** Re-renders the header in another language (the settings page translates its own chrome). */
export const setHeaderText = (next: HeaderText): void => {
  text = next;
  render();
};
