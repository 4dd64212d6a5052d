import { byId, h } from '../lib/dom.js';
import { mountLayout } from '../lib/layout.js';

mountLayout('mailbox');

interface MailItem {
  id: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
  sentAt: string | null;
}

const MAILBOX_URL = '/dev/mailbox';
const refresh = byId<HTMLButtonElement>('refresh');
const status = byId('status');
const list = byId<HTMLOListElement>('messages');

const KINDS: Record<string, string> = {
  invitation: 'Invitation',
  reminder: 'Reminder',
  two_factor_disabled: '2FA disabled',
};

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const time = (iso: string) => h('time', { datetime: iso }, when.format(new Date(iso)));

/** One message, every field as text: subjects and bodies are never parsed as HTML. */
const renderItem = (item: MailItem) => {
  const headingId = `mail-${item.id}`;
  return h(
    'li',
    {},
    h(
      'article',
      { class: 'card mail', 'aria-labelledby': headingId },
      h(
        'header',
        { class: 'mail__header' },
        h('h2', { id: headingId, class: 'mail__subject' }, item.subject),
        h('span', { class: `badge badge--${item.kind}` }, KINDS[item.kind] ?? item.kind),
      ),
      h(
        'dl',
        { class: 'mail__meta' },
        h('div', {}, h('dt', {}, 'To'), h('dd', {}, item.to)),
        h('div', {}, h('dt', {}, 'Queued'), h('dd', {}, time(item.createdAt))),
        h('div', {}, h('dt', {}, 'Sent'), h('dd', {}, item.sentAt ? time(item.sentAt) : 'Not sent (outbox only)')),
      ),
      h('pre', { class: 'mail__body', tabindex: '0', 'aria-label': `Text of “${item.subject}”` }, item.text),
    ),
  );
};

let loading = false;

const load = async () => {
  // The button stays enabled (disabling it would drop keyboard focus); a second click waits its turn.
  if (loading) return;
  loading = true;
  list.setAttribute('aria-busy', 'true');
  status.textContent = 'Loading messages…';
  try {
    const response = await fetch(MAILBOX_URL, { headers: { accept: 'application/json' }, cache: 'no-store' });
    // Without --dev-mailbox the path is not an API route: 404, or the app's index.html as a fallback.
    if (response.status === 404 || !response.headers.get('content-type')?.includes('application/json')) {
      list.replaceChildren();
      status.textContent = 'The dev mailbox is off: start the server with --dev-mailbox (npm start does).';
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { items } = (await response.json()) as { items: MailItem[] };
    const newestFirst = [...items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    list.replaceChildren(...newestFirst.map(renderItem));
    status.textContent =
      newestFirst.length === 0
        ? 'No messages yet. Invite a user from the Firm Security page, then refresh.'
        : `${newestFirst.length} message${newestFirst.length === 1 ? '' : 's'}, newest first. Updated ${new Date().toLocaleTimeString()}.`;
  } catch {
    status.textContent = 'The mailbox could not be loaded. Check that the server is running, then refresh.';
  } finally {
    loading = false;
    list.removeAttribute('aria-busy');
  }
};

refresh.addEventListener('click', () => void load());
void load();
