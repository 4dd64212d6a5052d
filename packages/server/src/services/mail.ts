import { iso } from '../clock.js';
import type { ServerContext } from '../context.js';
import { randomId } from '../crypto/random.js';
import { renderMail } from '../mail/templates.js';
import type { MailKind, UserRecord } from '../store/records.js';

/**
 * Queues a message in the outbox, inside the caller's transaction: the mail exists if and only if
 * the action happened. Delivery (SMTP) reads the outbox after commit.
 */
export const queueMail = (
  ctx: ServerContext,
  mail: { kind: MailKind; recipient: UserRecord; actor: UserRecord; appUrl: string },
): void => {
  const now = ctx.clock.now();
  const firm = ctx.store.getFirm(mail.recipient.firmId);
  const locale = ctx.config.mailLocale;
  const rendered = renderMail(mail.kind, locale, {
    recipientName: mail.recipient.name,
    firmName: firm?.name ?? 'your firm',
    actorName: mail.actor.name,
    signInUrl: mail.appUrl,
    when: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(now),
  });
  ctx.store.insertMail({
    id: randomId('msg'),
    firmId: mail.recipient.firmId,
    userId: mail.recipient.id,
    kind: mail.kind,
    to: mail.recipient.email,
    ...rendered,
    createdAt: iso(now),
    sentAt: null,
    attempts: 0,
    lastError: null,
  });
  queueMicrotask(ctx.onMailQueued);
};
