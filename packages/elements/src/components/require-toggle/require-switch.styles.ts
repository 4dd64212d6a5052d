import { css } from 'lit';

/** The switch and its "N/A", for the standalone toggle and the table's rows alike. */
export const requireSwitchStyles = css`
  .require {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    position: relative;
  }
  [part='switch'] {
    appearance: none;
    flex: none;
    margin: 0;
    width: 2.5em;
    height: 1.4em;
    border: 1px solid var(--_muted);
    border-radius: 999px;
    background: radial-gradient(circle at 0.7em 50%, var(--_muted) 0.45em, transparent 0.5em) var(--_bg);
    cursor: pointer;
  }
  [part='switch']:checked {
    border-color: var(--_accent);
    background: radial-gradient(circle at calc(100% - 0.7em) 50%, var(--_accent-fg) 0.45em, transparent 0.5em)
      var(--_accent);
  }
  [part='switch'][aria-disabled='true'] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  [part='message'] {
    flex-basis: 100%;
    color: var(--_muted);
    font-size: 0.9em;
  }
  [part='message'][role='alert'] {
    color: var(--_danger);
  }
  [part='na'] {
    border: 0;
    padding: 0;
    background: none;
    color: var(--_muted);
    font-weight: 600;
    text-decoration: underline dotted;
    cursor: help;
  }
  .tip {
    display: none;
    position: absolute;
    z-index: 1;
    top: 100%;
    left: 0;
    width: max-content;
    max-width: 18rem;
    /* A table cell keeps its text on one line: the explanation wraps in its box. */
    white-space: normal;
    margin-top: 0.25rem;
    padding: 0.4em 0.6em;
    border-radius: var(--_radius);
    background: var(--_fg);
    color: var(--_bg);
  }
  .na:hover .tip,
  [part='na']:focus-visible + .tip {
    display: block;
  }
  .na.dismissed .tip {
    display: none;
  }
  @media (prefers-reduced-motion: no-preference) {
    [part='switch'] {
      transition: background 120ms ease;
    }
  }
`;
