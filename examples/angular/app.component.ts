// Registers every kit element before Angular renders them.
import '@firm-security/elements/all.js';
import { Component, CUSTOM_ELEMENTS_SCHEMA, input, output, signal } from '@angular/core';
import type { FirmErrorEvent, FirmInviteEvent, FirmTwoFactorDisableEvent } from '@firm-security/elements';

/**
 * A "Firm Security" settings page: the kit's table inside a provider. CUSTOM_ELEMENTS_SCHEMA lets the
 * template use the `firm-*` tags; `[baseUrl]` sets the element's property and `(firm-invite)` listens to
 * the DOM event.
 */
@Component({
  selector: 'firm-security-page',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <main>
      <h1>Firm Security</h1>
      <p class="notice" role="status">{{ notice() }}</p>
      <firm-security-provider [baseUrl]="baseUrl()">
        <firm-security-table
          (firm-invite)="invited($event)"
          (firm-two-factor-disable)="disabled($event)"
          (firm-error)="failed($event)"
        ></firm-security-table>
      </firm-security-provider>
    </main>
  `,
})
export class AppComponent {
  /** Where the Firm Security API lives; the same origin's `/api/v1` by default. */
  readonly baseUrl = input('/api/v1');
  /** Re-emitted after an invitation was sent. */
  readonly invite = output<FirmInviteEvent>();
  protected readonly notice = signal('');

  protected invited(event: FirmInviteEvent) {
    this.notice.set(`Invitation sent to ${event.user.name}.`);
    this.invite.emit(event);
  }

  protected disabled(event: FirmTwoFactorDisableEvent) {
    this.notice.set(`2FA turned off for ${event.user.name}.`);
  }

  protected failed(event: FirmErrorEvent) {
    console.error(event.error);
  }
}
