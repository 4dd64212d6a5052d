import {
  createFirmSecurityClient,
  type FirmSecurityClient,
  UnauthenticatedError,
  type Viewer,
} from '@firm-security/sdk';

/** The reference server serves the demo and the API on one origin, with a session cookie. */
export const API_BASE_URL = new URL('/api/v1', window.location.origin).href;

export const client: FirmSecurityClient = createFirmSecurityClient({ baseUrl: API_BASE_URL });

export const PAGES = {
  signIn: 'sign-in.html',
  setup: 'setup.html',
  settings: 'settings.html',
  mailbox: 'mailbox.html',
} as const;

export const goTo = (page: string): void => {
  window.location.assign(page);
};

/** The signed-in viewer, or undefined when there is no session (401). Other errors propagate. */
export const currentViewer = async (): Promise<Viewer | undefined> => {
  try {
    return await client.viewer.get();
  } catch (error) {
    if (error instanceof UnauthenticatedError) return undefined;
    throw error;
  }
};
