import nodemailer from 'nodemailer';
import { iso } from '../clock.js';
import type { Logger } from '../context.js';
import type { Store } from '../store/records.js';

const MAX_ATTEMPTS = 5;

export interface SmtpDispatcher {
  /** Sends whatever is waiting in the outbox; runs again if called while busy. */
  kick(): void;
  /** Resolves when nothing is being sent. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Delivers the outbox over SMTP (nodemailer). The outbox row is written in the action's own
 * transaction; this only reads committed rows, so a rolled-back action never sends mail.
 * Failures are retried on the next kick, up to MAX_ATTEMPTS, then left with their error.
 */
export const createSmtpDispatcher = (options: {
  store: Store;
  smtpUrl: string;
  from: string;
  log: Logger;
  now?: () => number;
  retryEveryMs?: number;
}): SmtpDispatcher => {
  const transport = nodemailer.createTransport(options.smtpUrl);
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  let again = false;

  const drain = async () => {
    do {
      again = false;
      const pending = options.store.listMail({ limit: 50, unsentOnly: true }).filter((m) => m.attempts < MAX_ATTEMPTS);
      for (const mail of pending) {
        try {
          await transport.sendMail({
            from: options.from,
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
          });
          options.store.updateMail({ ...mail, sentAt: iso(now()), attempts: mail.attempts + 1, lastError: null });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          options.store.updateMail({ ...mail, attempts: mail.attempts + 1, lastError: message });
          options.log.warn('mail delivery failed', { id: mail.id, attempt: mail.attempts + 1, error: message });
        }
      }
    } while (again);
  };

  const kick = () => {
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(kick, options.retryEveryMs ?? 30_000);
  timer.unref();

  return {
    kick,
    idle: async () => {
      while (running) await running;
    },
    async close() {
      clearInterval(timer);
      while (running) await running;
      transport.close();
    },
  };
};
