// The cells of one user row, built with plain DOM and updated in place: shared by the two peers (the
// vanilla table and Vaadin Grid's renderers), so both show the same columns as ours with the same work.
import type { FirmSecurityClient, FirmUser } from '@firm-security/sdk';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const STATUS_TEXT = { enabled: 'Enabled', invited: 'Invited', not_enabled: 'Not enabled' } as const;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className = '') => {
  const element = document.createElement(tag);
  if (className) element.className = className;
  return element;
};

const setText = (node: Node, text: string) => {
  if (node.textContent !== text) node.textContent = text;
};

export type ToggleHandler = (user: FirmUser, required: boolean, input: HTMLInputElement) => void;

/** One cell's content, built once in `root` and updated in place for whichever user it shows. */
export interface Cell {
  update(user: FirmUser): void;
}

const nameCell = (root: HTMLElement): Cell => {
  const name = el('span', 'name');
  const email = el('span', 'email');
  root.append(name, email);
  return {
    update(user) {
      setText(name, user.name);
      name.title = user.name;
      setText(email, user.email);
      email.title = user.email;
    },
  };
};

const roleCell = (root: HTMLElement): Cell => ({
  update: (user) =>
    setText(
      root,
      user.isPrimarySubscriber ? 'Primary subscriber' : user.role === 'administrator' ? 'Administrator' : 'User',
    ),
});

const statusCell = (root: HTMLElement): Cell => {
  const badge = el('span', 'badge');
  const detail = el('span', 'detail');
  root.append(badge, detail);
  return {
    update(user) {
      const status = user.twoFactor.status;
      setText(badge, STATUS_TEXT[status]);
      badge.dataset.status = status;
      const invitation = user.invitation;
      setText(
        detail,
        invitation
          ? `Invited ${dateFormat.format(new Date(invitation.sentAt))}, ${invitation.reminderCount} reminders`
          : '',
      );
    },
  };
};

/** The require switch (a native checkbox with role=switch, as ours) or "N/A". */
export class RequireCell implements Cell {
  readonly switch = el('input', 'switch');
  user: FirmUser | undefined;
  #root: HTMLElement;
  #na = el('button', 'na');

  constructor(root: HTMLElement, onToggle: ToggleHandler) {
    this.#root = root;
    this.switch.type = 'checkbox';
    this.switch.setAttribute('role', 'switch');
    this.switch.addEventListener('click', (event) => {
      if (this.switch.getAttribute('aria-disabled') === 'true') event.preventDefault();
    });
    this.switch.addEventListener('change', () => {
      if (this.user) onToggle(this.user, this.switch.checked, this.switch);
    });
    this.#na.type = 'button';
    this.#na.textContent = 'N/A';
  }

  update(user: FirmUser): void {
    this.user = user;
    if (user.requirement.status === 'not_available') {
      if (this.#root.firstChild !== this.#na) this.#root.replaceChildren(this.#na);
      return;
    }
    if (this.#root.firstChild !== this.switch) this.#root.replaceChildren(this.switch);
    this.switch.checked = user.requirement.status === 'required';
    this.switch.setAttribute('aria-label', `Require 2FA for ${user.name}`);
    this.switch.setAttribute('aria-disabled', user.allowedActions.setRequirement.allowed ? 'false' : 'true');
  }
}

const actionCell = (root: HTMLElement): Cell => {
  const button = el('button', 'action');
  button.type = 'button';
  root.append(button);
  return {
    update(user) {
      const status = user.twoFactor.status;
      setText(
        button,
        status === 'enabled' ? 'Disable 2FA' : status === 'invited' ? 'Send reminder' : 'Invite to enable 2FA',
      );
      button.className = status === 'enabled' ? 'action danger' : 'action';
    },
  };
};

/** The five columns, in order: name and email, role, 2FA status, require switch, action. */
export const columns = [
  nameCell,
  roleCell,
  statusCell,
  (root: HTMLElement, onToggle: ToggleHandler) => new RequireCell(root, onToggle),
  actionCell,
] as const;

/** The five cells of a row; `update(user)` skips a row already showing that very user object. */
export class RowCells {
  user: FirmUser | undefined;
  readonly require: RequireCell;
  #cells: Cell[];

  constructor(roots: HTMLElement[], onToggle: ToggleHandler) {
    this.#cells = columns.map((make, i) => make(roots[i] as HTMLElement, onToggle));
    this.require = this.#cells[3] as RequireCell;
  }

  get switch(): HTMLInputElement {
    return this.require.switch;
  }

  update(user: FirmUser): void {
    if (this.user === user) return;
    this.user = user;
    for (const cell of this.#cells) cell.update(user);
  }
}

/**
 * The require toggle both peers do, as ours: show the new state at once, PUT it with the version the
 * row was read at, write the server's answer in, roll back if it refuses.
 */
export const requireToggle =
  (client: FirmSecurityClient, replace: (before: FirmUser, after: FirmUser) => void): ToggleHandler =>
  (user, required) => {
    // A copy: a peer may update its item objects in place.
    const original = { ...user };
    const optimistic: FirmUser = {
      ...user,
      requirement: { ...user.requirement, status: required ? 'required' : 'not_required' },
    };
    replace(user, optimistic);
    client.users.setRequirement(user.id, required, { ifMatch: user.version }).then(
      (saved) => replace(optimistic, saved),
      () => replace(optimistic, original),
    );
  };

/** The toolbar both peers show above their table: the search field and the user count. */
export const peerToolbar = (host: HTMLElement) => {
  const toolbar = el('div', 'peer-toolbar');
  const label = el('label');
  label.textContent = 'Search';
  const search = el('input');
  search.type = 'search';
  search.placeholder = 'Name or email';
  label.append(search);
  const summary = el('span', 'summary');
  toolbar.append(label, summary);
  host.append(toolbar);
  return { search, summary };
};
