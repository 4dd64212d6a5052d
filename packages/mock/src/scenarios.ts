import { type FirmSecurityAppOptions, generatedUsers, ProblemError, type SeedData } from '@firm-security/server';
import demoSeed from '@firm-security/server/seeds/demo.json' with { type: 'json' };

export type Fetch = typeof globalThis.fetch;

/** The demo firm of `@firm-security/server/seeds/demo.json` (Hartwell & Reyes LLP, 12 people). */
export const demoFirm = demoSeed as SeedData;

/** The password every demo (and generated) user shares. */
export const DEMO_PASSWORD = demoFirm.users[0]?.password as string;

/** The people of the demo firm, by the part they play in the scenarios. */
export const demoPeople = {
  primary: 'morgan.hartwell@hartwell-reyes.test',
  adminWith2fa: 'priya.natarajan@hartwell-reyes.test',
  adminWithout2fa: 'daniel.okafor@hartwell-reyes.test',
  plainUser: 'oliver.bennett@hartwell-reyes.test',
} as const;

/** Server options a scenario may set (the mock supplies the store, clock, keys and sessions). */
export type ScenarioServerOptions = Omit<
  Partial<FirmSecurityAppOptions>,
  'store' | 'clock' | 'secretBox' | 'sessions' | 'passwords'
>;

/** What a scenario sets up: the firm, server options, who is signed in, and any fault on the wire. */
export interface ScenarioSetup {
  seed: SeedData;
  serverOptions?: ScenarioServerOptions;
  /** Email of the user signed in when the mock boots; nobody when absent. */
  viewer?: string;
  /** Wraps the mock's fetch (a delay, failures). Applies once the mock has booted. */
  wrap?: (fetch: Fetch) => Fetch;
  /** Runs after the boot sign-in, e.g. to let the clock run. */
  afterSignIn?: (mock: { clock: { now(): number; advance(ms: number): void } }) => void | Promise<void>;
}

/** A scenario is a function that builds its setup (fresh data every call). */
export type Scenario = () => ScenarioSetup;

const MINUTE = 60_000;

const isFirmPath = (input: RequestInfo | URL): boolean => {
  const url = input instanceof Request ? input.url : String(input);
  return /\/api\/v1\/firm(\/|\?|$)/.test(new URL(url, 'http://mock.invalid').pathname);
};

const definitions = {
  demo: {
    description: 'The demo firm (12 people), signed in as the primary subscriber.',
    build: (): ScenarioSetup => ({ seed: demoFirm, viewer: demoPeople.primary }),
  },
  adminWithout2fa: {
    description:
      'Signed in as an administrator without 2FA (Daniel Okafor): the table shows, but disabling anyone’s 2FA is denied.',
    build: (): ScenarioSetup => ({ seed: demoFirm, viewer: demoPeople.adminWithout2fa }),
  },
  nonAdmin: {
    description: 'Signed in as a plain user (Oliver Bennett): the firm endpoints answer 403.',
    build: (): ScenarioSetup => ({ seed: demoFirm, viewer: demoPeople.plainUser }),
  },
  largeFirm: {
    description: 'The demo firm plus 5,000 generated users, signed in as the primary subscriber.',
    build: (): ScenarioSetup => {
      const secrets = demoFirm.users.flatMap((user) =>
        user.twoFactor.status === 'enabled' ? [user.twoFactor.totpSecret] : [],
      );
      return {
        seed: {
          ...demoFirm,
          users: [
            ...demoFirm.users,
            ...generatedUsers(5000, { password: DEMO_PASSWORD, domain: 'generated.hartwell-reyes.test', secrets }),
          ],
        },
        viewer: demoPeople.primary,
      };
    },
  },
  slowNetwork: {
    description: 'The demo firm, with every response delayed by about 800 ms.',
    build: (): ScenarioSetup => ({
      seed: demoFirm,
      viewer: demoPeople.primary,
      wrap:
        (fetch) =>
        async (...args) => {
          await new Promise((resolve) => setTimeout(resolve, 800));
          return fetch(...args);
        },
    }),
  },
  serverErrors: {
    description: 'Signed in as the primary subscriber, but every /firm endpoint answers 503 (internal_error).',
    build: (): ScenarioSetup => ({
      seed: demoFirm,
      viewer: demoPeople.primary,
      wrap: (fetch) => async (input, init) =>
        isFirmPath(input)
          ? new ProblemError('internal_error', 'The mock server is failing on purpose (serverErrors scenario).', {
              status: 503,
            }).toResponse()
          : fetch(input, init),
    }),
  },
  stepUpRequired: {
    description:
      'Signed in as an administrator with 2FA whose last verification is older than the 15-minute step-up window.',
    build: (): ScenarioSetup => ({
      seed: demoFirm,
      viewer: demoPeople.adminWith2fa,
      afterSignIn: ({ clock }) => clock.advance(16 * MINUTE),
    }),
  },
  emptyFirm: {
    description: 'A firm with only the signed-in primary subscriber and no other users.',
    build: (): ScenarioSetup => ({
      seed: { firm: { name: 'Empty & Co.' }, users: demoFirm.users.filter((user) => user.isPrimarySubscriber) },
      viewer: demoPeople.primary,
    }),
  },
} satisfies Record<string, { description: string; build: Scenario }>;

export type ScenarioName = keyof typeof definitions;

/** Every named scenario's description, by name (for Storybook controls and docs). */
export const scenarios = Object.fromEntries(
  Object.entries(definitions).map(([name, definition]) => [name, definition.description]),
) as Record<ScenarioName, string>;

/** Every named scenario's builder, by name. */
export const scenarioBuilders = Object.fromEntries(
  Object.entries(definitions).map(([name, definition]) => [name, definition.build]),
) as Record<ScenarioName, Scenario>;
