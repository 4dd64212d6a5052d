import { z } from 'zod';
import { iso } from './clock.js';
import type { ServerContext } from './context.js';
import { randomId } from './crypto/random.js';
import type { UserRecord } from './store/records.js';

const timestamp = z.iso.datetime({ offset: false });

/** The seed file format of CONTRACT.md (`packages/server/seeds/demo.json`). */
export const SeedSchema = z
  .object({
    firm: z.object({ name: z.string().min(1) }).strict(),
    users: z.array(
      z
        .object({
          name: z.string().min(1).max(200),
          email: z.string().email().max(254),
          password: z.string().min(8),
          role: z.enum(['administrator', 'user']),
          isPrimarySubscriber: z.boolean(),
          active: z.boolean(),
          identityMigrated: z.boolean(),
          required: z.boolean(),
          twoFactor: z.discriminatedUnion('status', [
            z.object({ status: z.literal('enabled'), totpSecret: z.string().regex(/^[A-Z2-7]{32,}=*$/) }).strict(),
            z.object({ status: z.literal('not_enabled') }).strict(),
          ]),
          invitation: z
            .object({ sentAt: timestamp, reminderCount: z.number().int().min(0), lastReminderAt: timestamp.optional() })
            .strict()
            .optional(),
        })
        .strict(),
    ),
  })
  .strict()
  .refine((seed) => seed.users.filter((user) => user.isPrimarySubscriber).length <= 1, {
    message: 'a firm has at most one primary subscriber',
    path: ['users'],
  });

export type SeedData = z.infer<typeof SeedSchema>;
export type SeedUser = SeedData['users'][number];

export interface SeedResult {
  firmId: string;
  created: number;
  skipped: number;
}

/**
 * Loads a firm. Idempotent: a firm with the same name is reused and users whose email already
 * exists are left exactly as they are, so seeding twice changes nothing.
 * Users sharing a password share one hash (one scrypt run for thousands of generated users).
 */
export const seedFirm = async (ctx: ServerContext, data: SeedData): Promise<SeedResult> => {
  const parsed = SeedSchema.parse(data);
  const now = ctx.clock.now();
  const existingFirm = ctx.store.findFirmByName(parsed.firm.name);
  const firmId = existingFirm?.id ?? randomId('firm');
  const fresh = parsed.users.filter((user) => !ctx.store.findUserByEmail(user.email));

  const hashes = new Map<string, Promise<string>>();
  const hashOf = (password: string) => {
    if (!hashes.has(password)) hashes.set(password, ctx.passwords.hash(password));
    return hashes.get(password) as Promise<string>;
  };
  const records = await Promise.all(
    fresh.map(async (user): Promise<UserRecord> => {
      const enabled = user.twoFactor.status === 'enabled';
      const migrated = user.identityMigrated;
      return {
        id: randomId('usr'),
        firmId,
        name: user.name,
        email: user.email,
        role: user.role,
        isPrimarySubscriber: user.isPrimarySubscriber,
        active: user.active,
        passwordHash: await hashOf(user.password),
        identityMigrated: migrated,
        createdAt: iso(now),
        required: user.required,
        totpSecret: user.twoFactor.status === 'enabled' ? await ctx.secretBox.seal(user.twoFactor.totpSecret) : null,
        totpEnabledAt: enabled ? iso(now) : null,
        totpLastStep: null,
        pendingTotpSecret: null,
        backupCodes: [],
        invitation:
          !enabled && user.invitation
            ? {
                sentAt: user.invitation.sentAt,
                reminderCount: user.invitation.reminderCount,
                lastReminderAt: user.invitation.lastReminderAt ?? null,
              }
            : null,
        lastSignInAt: null,
        version: 1,
      };
    }),
  );

  ctx.store.transaction(() => {
    if (!existingFirm) ctx.store.insertFirm({ id: firmId, name: parsed.firm.name, createdAt: iso(now) });
    for (const record of records) ctx.store.insertUser(record);
  });
  return { firmId, created: records.length, skipped: parsed.users.length - records.length };
};

const FIRST = [
  'Ava',
  'Noah',
  'Mia',
  'Ethan',
  'Zoe',
  'Lucas',
  'Isla',
  'Omar',
  'Nina',
  'Theo',
  'Leah',
  'Ravi',
  'Elena',
  'Jonas',
  'Aiko',
  'Mateo',
  'Sara',
  'Kofi',
  'Ines',
  'Felix',
];
const LAST = [
  'Martin',
  'Nguyen',
  'Patel',
  'Rossi',
  'Kowalski',
  'Haddad',
  'Silva',
  'Tremblay',
  'Larsen',
  'Okoye',
  'Fischer',
  'Moreno',
  'Ito',
  'Dubois',
  'Walsh',
  'Novak',
  'Reyes',
  'Gagnon',
  'Kim',
  'Singh',
];

/**
 * N extra users for large-firm runs, deterministic: the same N always gives the same people.
 * A realistic mix: about 45% with 2FA on, 15% invited, 10% required without 2FA, 5% not migrated.
 */
export const generatedUsers = (
  count: number,
  template: { password: string; domain: string; secrets: string[] },
): SeedUser[] =>
  Array.from({ length: count }, (_, i): SeedUser => {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
    const bucket = (i * 37) % 100;
    const number = String(i + 1).padStart(5, '0');
    return {
      name: `${first} ${last} ${number}`,
      email: `${first}.${last}.${number}@${template.domain}`.toLowerCase(),
      password: template.password,
      role: i % 25 === 0 ? 'administrator' : 'user',
      isPrimarySubscriber: false,
      active: true,
      identityMigrated: bucket >= 5,
      required: bucket >= 60 && bucket < 70,
      twoFactor:
        bucket >= 15 && bucket < 60
          ? { status: 'enabled', totpSecret: template.secrets[i % template.secrets.length] as string }
          : { status: 'not_enabled' },
      ...(bucket >= 70 && bucket < 85
        ? {
            invitation: {
              sentAt: '2026-11-20T15:00:00.000Z',
              reminderCount: i % 3,
              ...(i % 3 ? { lastReminderAt: '2026-11-24T15:00:00.000Z' } : {}),
            },
          }
        : {}),
    };
  });
