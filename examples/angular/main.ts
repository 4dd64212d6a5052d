// JIT: the compiler turns the component's template into code in the browser (no Angular CLI build step).
import '@angular/compiler';
import { type ApplicationRef, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import type { FirmInviteEvent } from '@firm-security/elements';
import { AppComponent } from './app.component.js';

/**
 * Mounts the example app into `container` (a page with the API at /api/v1, or a test with the mock):
 * a `<firm-security-page>` host element, bootstrapped without zone.js.
 */
export async function mount(
  container: Element,
  props: { onInvite?: (event: FirmInviteEvent) => void } = {},
): Promise<ApplicationRef> {
  const host = document.createElement('firm-security-page');
  container.append(host);
  const app = await bootstrapApplication(AppComponent, { providers: [provideZonelessChangeDetection()] });
  const page = app.components[0]?.instance as AppComponent;
  if (props.onInvite) page.invite.subscribe(props.onInvite);
  return app;
}
