import { enBase } from './en-base.js';
import { enDialog } from './en-dialog.js';

/**
 * Every user-visible string of the elements, in English: the baseline wording of the help article the
 * product is built from. Other locales must provide every key (type-checked). The elements load it in
 * two parts: the dialog's strings come with the dialog's chunk.
 */
export const en = { ...enBase, ...enDialog };

export type Messages = typeof en;
