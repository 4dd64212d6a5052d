import { css } from 'lit';

/**
 * Shared by every element (one CSSStyleSheet, adopted, so strict CSP needs no inline styles). Public
 * `--firm-*` custom properties are the theming contract; internals read private `--_*` variables.
 */
export const tokens = css`
  :host {
    --_fg: var(--firm-color-text, #1b1f24);
    --_muted: var(--firm-color-text-muted, #57606a);
    --_bg: var(--firm-color-surface, #ffffff);
    --_bg-alt: var(--firm-color-surface-alt, #f6f8fa);
    --_border: var(--firm-color-border, #d0d7de);
    --_accent: var(--firm-color-accent, #0b57d0);
    --_accent-fg: var(--firm-color-on-accent, #ffffff);
    --_danger: var(--firm-color-danger, #b3261e);
    --_success: var(--firm-color-success, #1a7f37);
    --_warning: var(--firm-color-warning, #8a5a00);
    --_focus: var(--firm-focus-ring, 2px solid var(--_accent));
    --_radius: var(--firm-radius, 6px);
    --_font: var(--firm-font-family, system-ui, sans-serif);
    --_size: var(--firm-font-size, 0.875rem);
    --_row-height: var(--firm-row-height, 64px);
    --_gap: var(--firm-space, 0.5rem);
    font-family: var(--_font);
    font-size: var(--_size);
    color: var(--_fg);
  }
  /* Without a theme file, follow the user's colour scheme. */
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--firm-color-text, #e6edf3);
      --_muted: var(--firm-color-text-muted, #9da7b3);
      --_bg: var(--firm-color-surface, #0d1117);
      --_bg-alt: var(--firm-color-surface-alt, #161b22);
      --_border: var(--firm-color-border, #30363d);
      --_accent: var(--firm-color-accent, #7cacf8);
      --_accent-fg: var(--firm-color-on-accent, #0d1117);
      --_danger: var(--firm-color-danger, #ff938a);
      --_success: var(--firm-color-success, #56d364);
      --_warning: var(--firm-color-warning, #e3b341);
    }
  }
  :host([hidden]) {
    display: none;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button {
    font: inherit;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_bg);
    color: var(--_fg);
    padding: 0.35em 0.8em;
    cursor: pointer;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  button.danger {
    color: var(--_danger);
    border-color: currentColor;
  }
  button.danger.primary {
    background: var(--_danger);
    border-color: var(--_danger);
    color: var(--_accent-fg);
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: var(--_focus);
    outline-offset: 2px;
  }
  @media (prefers-reduced-motion: no-preference) {
    button {
      transition: background-color 120ms ease;
    }
  }
`;
