import { css } from 'lit';

export const styles = css`
  :host {
    display: contents;
  }
  dialog {
    box-sizing: border-box;
    width: min(32rem, calc(100vw - 2rem));
    padding: calc(var(--_gap) * 3);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_fg);
  }
  dialog::backdrop {
    background: var(--firm-backdrop, rgb(0 0 0 / 0.45));
  }
  h2 {
    margin: 0 0 var(--_gap);
    font-size: 1.25em;
  }
  p {
    margin: 0 0 var(--_gap);
  }
  [part='confirm'] {
    display: flex;
    gap: var(--_gap);
    align-items: flex-start;
    margin: calc(var(--_gap) * 2) 0;
    font-weight: 600;
  }
  [part='confirm'] input {
    margin: 0.2em 0 0;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25em;
    margin-bottom: var(--_gap);
  }
  [part='code-input'] {
    font: inherit;
    font-size: 1.25em;
    letter-spacing: 0.2em;
    width: 8ch;
    padding: 0.3em 0.5em;
    border: 1px solid var(--_muted);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_fg);
  }
  [part='error'] {
    color: var(--_danger);
    font-weight: 600;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: var(--_gap);
    margin-top: calc(var(--_gap) * 2);
  }
  [part='submit'][aria-disabled='true'] {
    opacity: 0.55;
    cursor: progress;
  }
`;
