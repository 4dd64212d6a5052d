import { css } from 'lit';

export const tableStyles = css`
  :host {
    display: block;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
    align-items: end;
    padding: var(--_gap);
    border-bottom: 1px solid var(--_border);
  }
  .toolbar label {
    display: grid;
    gap: 0.2em;
    color: var(--_muted);
    font-size: 0.85em;
  }
  .toolbar input,
  select {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.3em 0.5em;
  }
  input[type='search'] {
    min-width: 16em;
  }
  .summary {
    margin-inline-start: auto;
    color: var(--_muted);
  }
  .viewport {
    overflow: auto;
    max-height: var(--firm-table-max-height, 70vh);
    contain: strict;
    height: var(--firm-table-height, 32rem);
  }
  /* On a narrow screen the columns keep a readable width, and the viewport scrolls sideways. */
  table {
    width: 100%;
    min-width: 48rem;
    border-collapse: collapse;
    table-layout: fixed;
  }
  /* The column header already says "Require 2FA": each switch's own label stays for screen readers only. */
  [part='label'] {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  caption {
    text-align: start;
    padding: var(--_gap);
    font-weight: 600;
  }
  th {
    position: sticky;
    top: 0;
    z-index: 2;
    background: var(--_bg-alt);
    text-align: start;
    font-weight: 600;
    padding: 0 var(--_gap);
    height: 2.5rem;
    border-bottom: 1px solid var(--_border);
  }
  th button {
    border: none;
    background: none;
    padding: 0.2em 0;
    font-weight: inherit;
  }
  th button::after {
    content: '';
    display: inline-block;
    width: 1em;
  }
  th[aria-sort='ascending'] button::after {
    content: '▲';
    font-size: 0.7em;
  }
  th[aria-sort='descending'] button::after {
    content: '▼';
    font-size: 0.7em;
  }
  td {
    /* The bottom border is part of the row: a row is exactly --firm-row-height, the windowing's estimate. */
    height: calc(var(--_row-height) - 1px);
    padding: 0 var(--_gap);
    border-bottom: 1px solid var(--_border);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  /* The N/A explanation is a tooltip below the N/A: its cell must not clip it. */
  td.na-cell {
    overflow: visible;
  }
  /* Role badges wrap; names ellipsize. */
  td.wrap {
    white-space: normal;
  }
  /*
   * A reason or error under a control wraps, two lines of it in the row: rows keep one height, which the
   * windowing counts on. Hovering or focusing in its cell shows all of it, over the rows below.
   */
  .reason,
  :is(.require, .invite) [part='message'] {
    white-space: normal;
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    line-height: 1.2;
    font-size: 0.8em;
    margin-block-start: 0.2em;
  }
  td:has(.reason, [part='message']) {
    vertical-align: top;
  }
  /* The switch's and invite button's: their messages are placed in the cell, as a reason is. */
  td :has(> [part='message']) {
    display: block;
    position: static;
  }
  /* Escape hides it again (data-quiet) until the pointer or focus leaves the cell (WCAG 1.4.13). */
  td:is(:hover, :focus-within):not([data-quiet]) {
    overflow: visible;
    position: relative;
  }
  td:is(:hover, :focus-within):not([data-quiet]) :is(.reason, [part='message']) {
    position: absolute;
    z-index: 1;
    -webkit-line-clamp: none;
    padding-inline-end: var(--_gap);
    background: var(--_bg);
    box-shadow: 0 2px 4px #0003;
  }
  tr.spacer td {
    padding: 0;
    border: none;
  }
  .name {
    display: block;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .email,
  .detail {
    display: block;
    color: var(--_muted);
    font-size: 0.85em;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .role {
    display: inline-block;
    padding: 0 0.5em;
    margin-inline-end: 0.25em;
    border-radius: 999px;
    background: var(--_bg-alt);
    border: 1px solid var(--_border);
    font-size: 0.85em;
  }
  .role.primary {
    border-color: var(--_accent);
    color: var(--_accent);
  }
  .state {
    padding: calc(var(--_gap) * 3);
    text-align: center;
    color: var(--_muted);
  }
  .skeleton {
    display: block;
    height: 0.8em;
    border-radius: var(--_radius);
    background: var(--_bg-alt);
  }
  @media (prefers-reduced-motion: no-preference) {
    .skeleton {
      animation: pulse 1.2s ease-in-out infinite;
    }
  }
  @keyframes pulse {
    50% {
      opacity: 0.4;
    }
  }
`;
