// Registers every kit element before Vue renders them.
import '@firm-security/elements/all.js';
import type { FirmErrorEvent, FirmInviteEvent, FirmTwoFactorDisableEvent } from '@firm-security/elements';
import { defineComponent, h, ref } from 'vue';

/**
 * A "Firm Security" settings page: the kit's table inside a provider. Render functions, so no SFC
 * compiler is needed; in h(), `onFirmInvite` listens to the DOM event `firm-invite` (Vue hyphenates
 * the name) and `.baseUrl` sets the element's property.
 */
export const App = defineComponent({
  name: 'FirmSecurityPage',
  props: {
    /** Where the Firm Security API lives; the same origin's `/api/v1` by default. */
    baseUrl: { type: String, default: '/api/v1' },
  },
  emits: {
    /** Re-emitted after an invitation was sent. */
    invite: (event: FirmInviteEvent) => event instanceof Event,
  },
  setup(props, { emit }) {
    const notice = ref('');
    return () =>
      h('main', [
        h('h1', 'Firm Security'),
        h('p', { class: 'notice', role: 'status' }, notice.value),
        h('firm-security-provider', { '.baseUrl': props.baseUrl }, [
          h('firm-security-table', {
            onFirmInvite: (event: FirmInviteEvent) => {
              notice.value = `Invitation sent to ${event.user.name}.`;
              emit('invite', event);
            },
            onFirmTwoFactorDisable: (event: FirmTwoFactorDisableEvent) => {
              notice.value = `2FA turned off for ${event.user.name}.`;
            },
            onFirmError: (event: FirmErrorEvent) => {
              console.error(event.error);
            },
          }),
        ]),
      ]);
  },
});
