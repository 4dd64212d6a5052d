import { createMockServer, type MockServer, type ScenarioName } from '@firm-security/mock';

/** What a story's loader hands to its render and play functions. */
export interface Loaded {
  mock: MockServer;
}

/** A loader that boots a fresh in-page mock of the real API on `scenario` (`signIn: false`: nobody signed in). */
export const mockLoader =
  (scenario: ScenarioName, options: { signIn?: boolean } = {}) =>
  async (): Promise<Loaded> => ({
    mock: await createMockServer({ scenario, ...options }),
  });

/** The first element matching `selector` inside `host`'s shadow root. */
export const inShadow = <T extends Element = HTMLElement>(
  host: Element | null | undefined,
  selector: string,
): T | null => host?.shadowRoot?.querySelector<T>(selector) ?? null;

/** Every element matching `selector` inside `host`'s shadow root. */
export const allInShadow = <T extends Element = HTMLElement>(
  host: Element | null | undefined,
  selector: string,
): T[] => [...(host?.shadowRoot?.querySelectorAll<T>(selector) ?? [])];

/** The text of `host`'s shadow root (what the element shows). */
export const shadowText = (host: Element | null | undefined): string => host?.shadowRoot?.textContent ?? '';

/** Generous waits: the mock runs the real server (scrypt, TOTP) in the page. */
export const slow = { timeout: 10_000 };
