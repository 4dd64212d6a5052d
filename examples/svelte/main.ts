import type { FirmInviteEvent } from '@firm-security/elements';
import { mount as mountSvelte, unmount } from 'svelte';
import App from './App.svelte';

/** Mounts the example app into `container` (a page with the API at /api/v1, or a test with the mock). */
export function mount(
  container: Element,
  props: { baseUrl?: string; onInvite?: (event: FirmInviteEvent) => void } = {},
): () => Promise<void> {
  const app = mountSvelte(App, { target: container, props });
  return () => unmount(app);
}
