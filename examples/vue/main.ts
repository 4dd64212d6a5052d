import { createApp, type App as VueApp } from 'vue';
import { App } from './App.js';

/** Mounts the example app into `container` (a page with the API at /api/v1, or a test with the mock). */
export function mount(container: Element, props: { baseUrl?: string; onInvite?: (event: Event) => void } = {}): VueApp {
  const app = createApp(App, props);
  app.mount(container);
  return app;
}
