// Type tests: checked by `tsc -p tsconfig.json` (the repo's type-check includes packages/*/test); never executed.
import type { ReactiveControllerHost } from 'lit';
import { LocalizeController } from '../src/controllers/localize-controller.js';
import type { Messages } from '../src/i18n/en.js';
import { enDialog } from '../src/i18n/en-dialog.js';

declare const host: ReactiveControllerHost & HTMLElement;

// An element of the base catalog passes nothing more.
new LocalizeController(host);
// @ts-expect-error: nothing to put under the base catalog
new LocalizeController(host, enDialog);
// The dialog's strings go beyond the base catalog: their English comes with the element.
new LocalizeController<Messages>(host, enDialog);
// @ts-expect-error: without them, `t` would lack the dialog's keys at run time
new LocalizeController<Messages>(host);
