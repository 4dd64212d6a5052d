import { createRoot, type Root } from 'react-dom/client';
import { App, type AppProps } from './App.js';

/** Mounts the example app into `container` (a page with the API at /api/v1, or a test with the mock). */
export function mount(container: Element, props: AppProps = {}): Root {
  const root = createRoot(container);
  root.render(<App {...props} />);
  return root;
}
