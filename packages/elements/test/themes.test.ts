/// <reference types="vite/client" />
import { afterEach, describe, expect, it } from 'vitest';
import '../src/define/firm-2fa-status-badge.js';
import dark from '../themes/dark.css?raw';
import light from '../themes/light.css?raw';

const part = (badge: Element) => badge.shadowRoot?.querySelector('[part="badge"]') as HTMLElement;

const withTheme = async (css: string) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  const badge = document.createElement('firm-2fa-status-badge');
  badge.setAttribute('status', 'enabled');
  document.body.append(badge);
  await (badge as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
  return badge;
};

afterEach(() => {
  document.body.replaceChildren();
  for (const style of document.head.querySelectorAll('style:not([data-vite-dev-id])')) style.remove();
});

describe('theme files', () => {
  it('dark.css and light.css set the kit colours on the kit elements', async () => {
    expect(getComputedStyle(part(await withTheme(dark))).color).toBe('rgb(86, 211, 100)');
    document.body.replaceChildren();
    expect(getComputedStyle(part(await withTheme(light))).color).toBe('rgb(26, 127, 55)');
  });

  it('set nothing outside the kit: no page element or root variable changes', async () => {
    const before = getComputedStyle(document.body).color;
    await withTheme(dark);
    expect(getComputedStyle(document.body).color).toBe(before);
    expect(getComputedStyle(document.documentElement).getPropertyValue('--firm-color-text')).toBe('');
  });
});
