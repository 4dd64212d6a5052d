import {
  type FirmErrorEvent,
  type FirmInviteEvent,
  FirmSecurityProvider,
  FirmSecurityTable,
  type FirmTwoFactorDisableEvent,
} from '@firm-security/react';
import { useState } from 'react';

export interface AppProps {
  /** Where the Firm Security API lives; the same origin's `/api/v1` by default. */
  baseUrl?: string;
  /** Called after an invitation was sent (the app also shows a notice). */
  onInvite?: (event: FirmInviteEvent) => void;
}

/** A "Firm Security" settings page: the kit's table inside a provider, with typed event props. */
export function App({ baseUrl = '/api/v1', onInvite }: AppProps) {
  const [notice, setNotice] = useState('');
  return (
    <main>
      <h1>Firm Security</h1>
      <p className="notice" role="status">
        {notice}
      </p>
      <FirmSecurityProvider baseUrl={baseUrl}>
        <FirmSecurityTable
          onInvite={(event) => {
            // event: FirmInviteEvent, event.user: the updated FirmUser
            setNotice(`Invitation sent to ${event.user.name}.`);
            onInvite?.(event);
          }}
          onTwoFactorDisableRequest={(event) => {
            // Cancelable: event.preventDefault() keeps the kit's dialog closed (e.g. to run your own flow).
            console.info(`About to disable 2FA for ${event.user.name}`);
          }}
          onTwoFactorDisable={(event: FirmTwoFactorDisableEvent) => {
            setNotice(`2FA turned off for ${event.user.name}.`);
          }}
          onError={(event: FirmErrorEvent) => {
            console.error(event.error);
          }}
        />
      </FirmSecurityProvider>
    </main>
  );
}
