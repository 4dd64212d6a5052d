// The table keeps the user's place: focus after a row leaves the view, the toolbar's controls in step
// with the query in force, and the rows kept through a failed background refresh.
import { firmSecurityKeys } from '@firm-security/sdk/query';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../src/all.js';
import { en } from '../src/i18n/en.js';
import { deepActive, faults } from './helpers.js';
import { demo, until } from './page-server.js';
import {
  cleanups,
  confirmBox,
  dialogEl,
  dialogPart,
  disableButton,
  inviteButton,
  isUsersList,
  isViewer,
  loaded,
  mountTable,
  nameHeader,
  names,
  nativeDialog,
  rowOf,
  rows,
  searchBox,
  selects,
  signedIn,
  sortButton,
  submit,
  switchOf,
  tableEl,
} from './table-dom.js';

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  document.body.replaceChildren();
});

const choose = async (select: HTMLSelectElement, value: string) => {
  await userEvent.selectOptions(select, value);
};

describe('<firm-security-table> focus after a row action', () => {
  it('moves focus to the same control of the next row when the acted-on row leaves the filter', async () => {
    const page = await signedIn();
    const table = mountTable(page);
    await loaded(table);
    await choose(selects(table)[0], 'not_enabled');
    await until(() => rows(table).length === 7);
    const before = names(table);
    const [first, second] = before as [string, string];
    inviteButton(rowOf(table, first))?.focus();
    await userEvent.keyboard('{Enter}');
    // Invited, the user no longer matches "Not enabled": the row goes once the list is refetched.
    await until(() => !names(table).includes(first));
    await until(() => deepActive() === inviteButton(rowOf(table, second)));
  });

  it('keeps focus on the button of a user who moves to another place in the list', async () => {
    const page = await signedIn();
    const table = mountTable(page);
    await loaded(table);
    await choose(selects(table)[2], 'status');
    await until(() => rows(table)[0]?.querySelector('[data-status="enabled"]'));
    // Invited, a plain user moves up from the "not enabled" users to the invited ones.
    const plain = 'Oliver Bennett';
    const index = names(table).indexOf(plain);
    inviteButton(rowOf(table, plain))?.focus();
    await userEvent.keyboard('{Enter}');
    await until(() => names(table).indexOf(plain) !== index);
    expect(deepActive()).toBe(inviteButton(rowOf(table, plain)));
  });

  it('never drops focus to the page when the last row of a filter goes', async () => {
    const page = await signedIn();
    const table = mountTable(page);
    await loaded(table);
    await choose(selects(table)[1], 'required');
    await until(() => rows(table).length === 1);
    const only = rows(table)[0];
    switchOf(only)?.focus();
    await userEvent.keyboard(' ');
    await until(() => rows(table).length === 0);
    await until(() => deepActive() === tableEl(table));
  });
});

describe('<firm-security-table> focus around the disable dialog', () => {
  it('gives focus back to the row when a disable failed and the dialog is cancelled', async () => {
    const fault = faults();
    const page = await signedIn(demo.adminWith2fa, { wrap: fault.wrap });
    const table = mountTable(page);
    await loaded(table);
    const disable = () => disableButton(rowOf(table, 'Sofia Alvarez'));
    disable()?.focus();
    disable()?.click();
    await until(() => nativeDialog(table)?.open);
    fault.offline((request) => request.method === 'POST');
    confirmBox(table).click();
    await dialogEl(table)?.updateComplete;
    const opener = disable();
    submit(table).click();
    await until(() => dialogPart(table, 'error'), 8000);
    // The optimistic update and its rollback drew a new Disable button: the dialog's opener is gone.
    expect(opener?.isConnected).toBe(false);
    dialogPart(table, 'cancel')?.click();
    await until(() => !nativeDialog(table)?.open);
    await until(() => deepActive() === disable());
  });
});

describe('<firm-security-table> toolbar and states in step with the query', () => {
  it('shows in the sort select the order the header buttons chose, after the select was used', async () => {
    const page = await signedIn();
    const table = mountTable(page);
    await loaded(table);
    const sort = selects(table)[2];
    await choose(sort, '-name');
    await until(() => nameHeader(table).getAttribute('aria-sort') === 'descending');
    // There and back: the option the user picked must follow the headers too.
    sortButton(nameHeader(table)).click();
    await until(() => nameHeader(table).getAttribute('aria-sort') === 'ascending');
    expect(sort.value).toBe('name');
    sortButton(nameHeader(table)).click();
    await until(() => nameHeader(table).getAttribute('aria-sort') === 'descending');
    expect(sort.value).toBe('-name');
    expect(sort.selectedOptions[0]?.textContent?.trim()).toBe(en.sortOption('-name'));
  });

  it('is busy while a new search loads behind the previous rows', async () => {
    const fault = faults();
    const page = await signedIn(demo.adminWith2fa, { wrap: fault.wrap });
    const table = mountTable(page);
    await loaded(table);
    fault.hold(isUsersList);
    await userEvent.fill(searchBox(table), 'kim');
    await until(() => tableEl(table)?.getAttribute('aria-busy') === 'true');
    expect(rows(table).length, 'the previous rows stay meanwhile').toBe(12);
    fault.release();
    await loaded(table, 1);
  });

  it('keeps the rows when a background refresh of the viewer fails, and reports it', async () => {
    const fault = faults();
    const page = await signedIn(demo.adminWith2fa, { wrap: fault.wrap });
    const table = mountTable(page);
    await loaded(table);
    const errors: Event[] = [];
    table.addEventListener('firm-error', (event) => errors.push(event));
    fault.offline(isViewer);
    await page.queryClient.refetchQueries({ queryKey: firmSecurityKeys.viewer() });
    await until(() => errors.length === 1);
    expect(rows(table).length).toBe(12);
    expect(table.shadowRoot?.querySelector('[role=alert]')).toBeNull();
  });

  it('shows the search in force in a search box drawn again after signing in again', async () => {
    const page = await signedIn();
    const table = mountTable(page);
    await loaded(table);
    await userEvent.fill(searchBox(table), 'kim');
    await until(() => rows(table).length === 1);
    await page.client.session.signOut();
    await page.queryClient.refetchQueries({ queryKey: firmSecurityKeys.viewer() });
    await until(() => !searchBox(table));
    await page.signIn(demo.adminWith2fa);
    await page.queryClient.refetchQueries({ queryKey: firmSecurityKeys.viewer() });
    await until(() => searchBox(table) && rows(table).length === 1);
    expect(searchBox(table).value).toBe('kim');
    expect(names(table)).toEqual(['Grace Kim']);
  });
});
