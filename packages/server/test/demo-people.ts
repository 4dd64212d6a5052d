/**
 * The people of the demo seed (`seeds/demo.json`), browser-safe (no Node built-ins), so both the
 * Node harness and the browser tests of the elements can import them.
 */
import demoSeed from '../seeds/demo.json' with { type: 'json' };

/** The demo users' password (all of them share it). */
export const DEMO_PASSWORD = demoSeed.users[0]?.password as string;

/** The people of the demo firm, by role in the story. */
export const demo = {
  primary: 'morgan.hartwell@hartwell-reyes.test',
  adminWith2fa: 'priya.natarajan@hartwell-reyes.test',
  adminWithout2fa: 'daniel.okafor@hartwell-reyes.test',
  userWith2fa: 'sofia.alvarez@hartwell-reyes.test',
  otherUserWith2fa: 'liam.chen@hartwell-reyes.test',
  invited: 'grace.kim@hartwell-reyes.test',
  required: 'ethan.brooks@hartwell-reyes.test',
  notMigrated: 'hana.sato@hartwell-reyes.test',
  plain: 'oliver.bennett@hartwell-reyes.test',
  plain2: 'amara.nwosu@hartwell-reyes.test',
  deactivated: 'victor.lang@hartwell-reyes.test',
} as const;
