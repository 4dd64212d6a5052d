import nodemailer from 'nodemailer';
import { iso } from '../clock.js';
import type { Logger } from '../context.js';
import type { Store } from '../store/records.js';

const MAX_ATTEMPTS = 5;
const BATCH = 50;

export interface SmtpDispatcher {
  /** Sends whatever is waiting in the outbox; runs again if called while busy. */
  kick(): void;
  /** Resolves when nothing is being sent. */
  idle(): Promise<void>;
  /** Stops the timer and waits for a send in progress, at most `graceMs`. */
  close(graceMs?: number): Promise<void>;
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
      // Mail that failed MAX_ATTEMPTS times stays in the outbox with its error, out of the queue's way.
      const pending = options.store.listMail({ limit: BATCH, unsentOnly: true, maxAttempts: MAX_ATTEMPTS });
      let delivered = 0;
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
          delivered++;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          options.store.updateMail({ ...mail, attempts: mail.attempts + 1, lastError: message });
          options.log.warn('mail delivery failed', { id: mail.id, attempt: mail.attempts + 1, error: message });
        }
      }
      // A full batch that delivered something means more may be waiting; a batch of failures waits for
      // the next timer tick instead of spinning.
      if (pending.length === BATCH && delivered > 0) again = true;
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
    async close(graceMs = 10_000) {
      clearInterval(timer);
      const settled = (async () => {
        while (running) await running;
      })();
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      transport.close();
    },
  };
};
