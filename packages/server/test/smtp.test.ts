/**
 * Mail over a real SMTP listener: the reference server's outbox is delivered by nodemailer to an
 * smtp-server on loopback, parsed back with mailparser and checked like a mail client would.
 */
import type { AddressInfo } from 'node:net';
import { renderMail, type SeedData, seedFirm, silentLogger, totpCodeAt } from '@firm-security/server';
import { type RunningServer, startServer } from '@firm-security/server/node';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, DEMO_PASSWORD, demo, seedSecretOf } from './harness.js';

const FROM = 'no-reply@firm-security.test';
const FAST_SCRYPT = { logN: 4, r: 8, p: 1 };

interface Received {
  envelope: { from: string; to: string[] };
  raw: string;
  mail: ParsedMail;
}

interface SmtpListener {
  url: string;
  received: Received[];
  /** RCPT TO commands seen, accepted or not. */
  rcptAttempts: string[];
  /** When set, RCPT TO is refused with this SMTP code. */
  rejectRcpt: number | undefined;
  close(): Promise<void>;
}

const startSmtp = async (): Promise<SmtpListener> => {
  const listener: Partial<SmtpListener> & { received: Received[]; rcptAttempts: string[] } = {
    received: [],
    rcptAttempts: [],
    rejectRcpt: undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    // A plain local relay: no STARTTLS (its self-signed certificate would fail verification).
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      listener.rcptAttempts.push(address.address);
      if (listener.rejectRcpt) {
        const error = Object.assign(new Error(`Mailbox ${address.address} unavailable`), {
          responseCode: listener.rejectRcpt,
        });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        try {
          listener.received.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw: raw.toString('utf8'),
            mail: await simpleParser(raw),
          });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(listener, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as SmtpListener;
};

const waitFor = async <T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const start = (smtpUrl: string) =>
  startServer({
    port: 0,
    db: ':memory:',
    seed: 'demo',
    smtpUrl,
    reminderCooldownSeconds: 0,
    scryptCost: FAST_SCRYPT,
    log: silentLogger,
  });

/** A browser-like agent talking HTTP to the running server. */
const httpAgent = (running: RunningServer) => new Agent((request) => fetch(request), running.origin);

const signIn = async (running: RunningServer, email: string, secret?: string) => {
  const agent = httpAgent(running);
  const started = await agent.post('/session', { email, password: DEMO_PASSWORD });
  expect(started.status).toBe(200);
  if (started.body.stage === 'two_factor') {
    const code = await totpCodeAt(secret ?? seedSecretOf(email), Date.now());
    const verified = await agent.post('/session/two-factor', { code });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  }
  return agent;
};

const userId = (running: RunningServer, email: string) => running.store.findUserByEmail(email)?.id as string;
const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address));
/** The visible text of an HTML part, for "does the client show X" checks. */
const textOfHtml = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');

describe('mail over a real SMTP listener', () => {
  let smtp: SmtpListener;
  let running: RunningServer;
  let admin: Agent;

  beforeAll(async () => {
    smtp = await startSmtp();
    running = await start(smtp.url);
    admin = await signIn(running, demo.primary);
  });
  afterAll(async () => {
    await running?.close();
    await smtp?.close();
  });

  const mailTo = (email: string, count = 1) =>
    waitFor(() => {
      const found = smtp.received.filter((r) => r.envelope.to.includes(email));
      return found.length >= count ? found : undefined;
    }, `${count} mail(s) to ${email}`);

  const outboxRowFor = (email: string) => running.store.listMail({ limit: 100 }).filter((m) => m.to === email);

  it('delivers the invitation with the instructions to turn on 2FA, and marks it sent', async () => {
    const target = userId(running, demo.plain);
    const invited = await admin.post(`/firm/users/${target}/invitation`, undefined, { 'idempotency-key': 'inv-1' });
    expect(invited.status).toBe(200);

    const [message] = await mailTo(demo.plain);
    const { mail, envelope } = message as Received;
    expect(envelope.to).toEqual([demo.plain]);
    expect(envelope.from).toBe(FROM);
    expect(addressesOf(mail.to)).toEqual([demo.plain]);
    expect(addressesOf(mail.from)).toEqual([FROM]);
    expect(mail.from?.value[0]?.name).toBe('Firm Security');
    expect(mail.subject).toBe('Morgan Hartwell invited you to turn on two-factor authentication');
    const text = mail.text ?? '';
    expect(text).toContain('Hello Oliver Bennett,');
    expect(text).toContain('Morgan Hartwell at Hartwell & Reyes LLP asked you to turn on two-factor authentication');
    expect(text).toContain(`1. Sign in at ${running.origin}.`);
    expect(text).toContain('2. Go to Settings > Security & Compliance');
    expect(text).toMatch(/3\. Scan the QR code .* 6-digit code/);
    expect(text).toContain('4. Save your backup codes');
    // The HTML alternative says the same, escaped.
    const html = String(mail.html);
    expect(html).toContain('<ol><li>Sign in at');
    expect(html).toContain('Hartwell &#38; Reyes LLP');
    expect(html).toContain('Settings &#62; Security &#38; Compliance');
    expect(textOfHtml(html)).toContain('Morgan Hartwell at Hartwell & Reyes LLP asked you');

    const rows = await waitFor(() => {
      const found = outboxRowFor(demo.plain);
      return found.every((m) => m.sentAt) && found.length ? found : undefined;
    }, 'the invitation marked sent');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'invitation', attempts: 1, lastError: null, userId: target });
    expect(Date.parse(rows[0]?.sentAt as string)).not.toBeNaN();
  });

  it('an idempotent replay of the invitation sends no second mail', async () => {
    const target = userId(running, demo.plain);
    const replay = await admin.post(`/firm/users/${target}/invitation`, undefined, { 'idempotency-key': 'inv-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await running.dispatcher?.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received.filter((r) => r.envelope.to.includes(demo.plain))).toHaveLength(1);
    expect(outboxRowFor(demo.plain)).toHaveLength(1);
  });

  it('delivers a reminder to the invited user, once per reminder', async () => {
    const target = userId(running, demo.invited);
    const first = await admin.post(`/firm/users/${target}/invitation/reminders`);
    expect(first.status).toBe(200);
    const [message] = await mailTo(demo.invited);
    const { mail, envelope } = message as Received;
    expect(envelope.to).toEqual([demo.invited]);
    expect(mail.subject).toBe('Reminder: turn on two-factor authentication');
    expect(mail.text).toContain('Hello Grace Kim,');
    expect(mail.text).toContain('Morgan Hartwell at Hartwell & Reyes LLP is reminding you to turn on two-factor');
    expect(mail.text).toContain(`1. Sign in at ${running.origin}.`);
    expect(mail.text).toContain('save your backup codes');

    // The cooldown is 0 here: a second reminder is a second mail.
    const second = await admin.post(`/firm/users/${target}/invitation/reminders`);
    expect(second.status).toBe(200);
    expect(second.body.invitation.reminderCount).toBe(first.body.invitation.reminderCount + 1);
    await mailTo(demo.invited, 2);
    const rows = await waitFor(() => {
      const found = outboxRowFor(demo.invited);
      return found.length === 2 && found.every((m) => m.sentAt) ? found : undefined;
    }, 'both reminders marked sent');
    expect(rows.map((r) => r.kind)).toEqual(['reminder', 'reminder']);
    expect(rows.every((r) => r.attempts === 1 && r.lastError === null)).toBe(true);
  });

  it('delivers the "2FA disabled by an administrator" notice', async () => {
    const target = userId(running, demo.userWith2fa);
    const disabled = await admin.post(`/firm/users/${target}/two-factor/disable`, { confirm: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    const [message] = await mailTo(demo.userWith2fa);
    const { mail, envelope } = message as Received;
    expect(envelope.to).toEqual([demo.userWith2fa]);
    expect(mail.subject).toBe('Two-factor authentication was disabled on your account');
    const text = mail.text ?? '';
    expect(text).toContain('Hello Sofia Alvarez,');
    expect(text).toContain(
      'Morgan Hartwell, an administrator at Hartwell & Reyes LLP, disabled two-factor authentication (2FA) on your account on',
    );
    expect(text).toContain('Your old backup codes no longer work and you were signed out everywhere.');
    expect(text).toContain(`Sign in at ${running.origin} and turn 2FA on again`);
    expect(text).toContain('If you did not ask for this, contact your administrator right away.');
    const rows = await waitFor(() => {
      const found = outboxRowFor(demo.userWith2fa);
      return found.length && found.every((m) => m.sentAt) ? found : undefined;
    }, 'the notice marked sent');
    expect(rows).toMatchObject([{ kind: 'two_factor_disabled', attempts: 1, lastError: null }]);
  });

  it('a failed action sends nothing', async () => {
    const before = smtp.received.length;
    const mailBefore = running.store.listMail({ limit: 1000 }).length;
    // Already enabled: 409, no mail.
    const refused = await admin.post(`/firm/users/${userId(running, demo.adminWith2fa)}/invitation`);
    expect(refused.status).toBe(409);
    // Primary subscriber protected: 403, no mail.
    const protectedUser = await admin.post(`/firm/users/${userId(running, demo.primary)}/two-factor/disable`, {
      confirm: true,
    });
    expect(protectedUser.status).toBe(403);
    await running.dispatcher?.idle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received.length).toBe(before);
    expect(running.store.listMail({ limit: 1000 })).toHaveLength(mailBefore);
  });

  it('escapes user-controlled names in the HTML part and keeps them out of the headers', async () => {
    const evilTarget = '<img src=x onerror=alert(1)>';
    const evilAdmin = 'Mallory <script>alert(2)</script>\r\nBcc: attacker@evil.test';
    const seed: SeedData = {
      firm: { name: 'Evil & <b>Co</b>' },
      users: [
        {
          name: evilAdmin,
          email: 'mallory@evil.test',
          password: DEMO_PASSWORD,
          role: 'administrator',
          isPrimarySubscriber: true,
          active: true,
          identityMigrated: true,
          required: false,
          twoFactor: { status: 'not_enabled' },
        },
        {
          name: evilTarget,
          email: 'target@evil.test',
          password: DEMO_PASSWORD,
          role: 'user',
          isPrimarySubscriber: false,
          active: true,
          identityMigrated: true,
          required: false,
          twoFactor: { status: 'not_enabled' },
        },
      ],
    };
    await seedFirm(running.server.context, seed);
    const mallory = await signIn(running, 'mallory@evil.test');
    const invited = await mallory.post(`/firm/users/${userId(running, 'target@evil.test')}/invitation`);
    expect(invited.status).toBe(200);

    const [message] = await mailTo('target@evil.test');
    const { mail, envelope, raw } = message as Received;
    // Only the target receives it: the CR LF in the actor's name injected no Bcc.
    expect(envelope.to).toEqual(['target@evil.test']);
    expect(smtp.rcptAttempts).not.toContain('attacker@evil.test');
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('bcc')).toBe(false);
    const headerBlock = raw.split(/\r?\n\r?\n/)[0] as string;
    expect(headerBlock).toMatch(/^Subject: /m);
    expect(headerBlock).not.toMatch(/^Bcc:/im);
    expect(mail.subject).toBe(
      'Mallory <script>alert(2)</script> Bcc: attacker@evil.test invited you to turn on two-factor authentication',
    );

    const html = String(mail.html);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Hello &#60;img src=x onerror=alert(1)&#62;,');
    expect(html).toContain('Mallory &#60;script&#62;alert(2)&#60;/script&#62;');
    expect(html).toContain('Evil &#38; &#60;b&#62;Co&#60;/b&#62;');
    // Escaped, not dropped: a mail client shows the names as typed.
    expect(textOfHtml(html)).toContain(`Hello ${evilTarget},`);
    // The plain-text part is text: it carries the names verbatim.
    expect(mail.text).toContain(`Hello ${evilTarget},`);
  });

  it('delivers a fr-CA message intact (UTF-8 subject and body)', async () => {
    const target = running.store.findUserByEmail(demo.plain2);
    if (!target) throw new Error('no target');
    const rendered = renderMail('invitation', 'fr-CA', {
      recipientName: 'Amara Nwosu',
      firmName: 'Hartwell & Reyes LLP',
      actorName: 'Zoé Côté',
      signInUrl: 'https://app.example.test/connexion',
      when: '28 novembre 2026',
    });
    running.store.insertMail({
      id: 'msg_fr_ca_test',
      firmId: target.firmId,
      userId: target.id,
      kind: 'invitation',
      to: target.email,
      ...rendered,
      createdAt: new Date().toISOString(),
      sentAt: null,
      attempts: 0,
      lastError: null,
    });
    running.dispatcher?.kick();
    const [message] = await mailTo(demo.plain2);
    const { mail } = message as Received;
    expect(mail.subject).toBe('Zoé Côté vous invite à activer l’authentification à deux facteurs');
    expect(mail.text).toContain('Bonjour Amara Nwosu,');
    expect(mail.text).toContain('Zoé Côté, de Hartwell & Reyes LLP, vous demande d’activer');
    expect(mail.text).toContain('1. Connectez-vous à https://app.example.test/connexion.');
    expect(mail.text).toContain('Paramètres > Sécurité et conformité');
    expect(String(mail.html)).toContain('Hartwell &#38; Reyes LLP');
    await waitFor(() => running.store.listMail({ limit: 100 }).find((m) => m.id === 'msg_fr_ca_test')?.sentAt, 'sent');
  });
});

describe('fr-CA templates', () => {
  const data = {
    recipientName: 'Amara <Nwosu>',
    firmName: 'Hartwell & Reyes',
    actorName: 'Zoé Côté',
    signInUrl: 'https://app.example.test/',
    when: '28 novembre 2026 à 12 h',
  };

  it('render every kind in French, distinct from English, with the data', () => {
    for (const kind of ['invitation', 'reminder', 'two_factor_disabled'] as const) {
      const fr = renderMail(kind, 'fr-CA', data);
      const en = renderMail(kind, 'en', data);
      expect(fr.subject).not.toBe(en.subject);
      expect(fr.text.startsWith('Bonjour Amara <Nwosu>,\n')).toBe(true);
      expect(fr.text).toContain('https://app.example.test/');
      expect(fr.subject).toMatch(/authentification à deux facteurs/);
      expect(fr.html).toContain('Bonjour Amara &#60;Nwosu&#62;,');
      expect(fr.html).not.toContain('<Nwosu>');
      expect(fr.text.endsWith('\n')).toBe(true);
    }
    expect(renderMail('reminder', 'fr-CA', data).subject).toBe('Rappel : activez l’authentification à deux facteurs');
    const disabled = renderMail('two_factor_disabled', 'fr-CA', data);
    expect(disabled.subject).toBe('L’authentification à deux facteurs a été désactivée sur votre compte');
    expect(disabled.text).toContain('Zoé Côté, administrateur chez Hartwell & Reyes, a désactivé');
    expect(disabled.text).toContain('le 28 novembre 2026 à 12 h');
    expect(disabled.text).toContain('communiquez immédiatement avec votre administrateur');
    const invitation = renderMail('invitation', 'fr-CA', data);
    expect(invitation.text).toMatch(/^1\. Connectez-vous à https:\/\/app\.example\.test\/\.$/m);
    expect(invitation.text).toMatch(/^4\. Conservez vos codes de secours/m);
  });

  it('an unknown locale falls back to English; subjects never carry line breaks', () => {
    expect(renderMail('invitation', 'de-DE', data)).toEqual(renderMail('invitation', 'en', data));
    const injected = renderMail('invitation', 'fr-CA', { ...data, actorName: 'A\r\nBcc: x@y.test' });
    expect(injected.subject).not.toMatch(/[\r\n]/);
  });
});

describe('SMTP failures', () => {
  let smtp: SmtpListener;
  let running: RunningServer;

  beforeAll(async () => {
    smtp = await startSmtp();
    smtp.rejectRcpt = 550;
    running = await start(smtp.url);
  });
  afterAll(async () => {
    await running?.close();
    await smtp?.close();
  });

  const row = () => running.store.listMail({ limit: 10 }).find((m) => m.to === demo.plain);

  it('a refused recipient leaves the mail unsent with its error, retries it, and delivers once the relay accepts', async () => {
    const admin = await signIn(running, demo.primary);
    const invited = await admin.post(`/firm/users/${userId(running, demo.plain)}/invitation`);
    // The action itself succeeded: mail goes through the outbox, after the commit.
    expect(invited.status).toBe(200);

    const failed = await waitFor(() => (row()?.attempts === 1 ? row() : undefined), 'the first attempt');
    expect(failed.sentAt).toBeNull();
    expect(failed.lastError).toMatch(/550|unavailable|rejected/i);
    expect(smtp.received).toHaveLength(0);
    expect(smtp.rcptAttempts).toEqual([demo.plain]);

    // A retry (the dispatcher's timer or the next queued mail kicks it) tries again.
    running.dispatcher?.kick();
    await running.dispatcher?.idle();
    expect(row()).toMatchObject({ attempts: 2, sentAt: null });
    expect(row()?.lastError).toMatch(/550|unavailable|rejected/i);
    expect(smtp.rcptAttempts).toEqual([demo.plain, demo.plain]);

    // The relay recovers: the next retry delivers it and clears the error.
    smtp.rejectRcpt = undefined;
    running.dispatcher?.kick();
    await running.dispatcher?.idle();
    const sent = row();
    expect(sent?.sentAt).not.toBeNull();
    expect(sent).toMatchObject({ attempts: 3, lastError: null });
    expect(smtp.received.map((r) => r.envelope.to)).toEqual([[demo.plain]]);

    // A delivered mail is never sent again.
    running.dispatcher?.kick();
    await running.dispatcher?.idle();
    expect(smtp.received).toHaveLength(1);
    expect(row()?.attempts).toBe(3);
  });

  it('gives up after five attempts and keeps the last error', async () => {
    smtp.rejectRcpt = 550;
    const admin = await signIn(running, demo.adminWith2fa);
    const reminded = await admin.post(`/firm/users/${userId(running, demo.invited)}/invitation/reminders`);
    expect(reminded.status).toBe(200);
    const pending = () => running.store.listMail({ limit: 10 }).find((m) => m.to === demo.invited);
    await waitFor(() => pending()?.attempts === 1, 'the first attempt');
    for (let i = 0; i < 6; i++) {
      running.dispatcher?.kick();
      await running.dispatcher?.idle();
    }
    expect(pending()).toMatchObject({ attempts: 5, sentAt: null });
    expect(pending()?.lastError).toMatch(/550|unavailable|rejected/i);
    expect(smtp.rcptAttempts.filter((a) => a === demo.invited)).toHaveLength(5);
  });
});
