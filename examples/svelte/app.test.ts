// The Svelte example: `onfirm-invite` on the custom element.
import { it } from 'vitest';
import { inviteStory } from '../invite-story.js';
import { mount } from './main.js';

it('renders the demo firm and hears firm-invite through onfirm-invite', () =>
  inviteStory((container, handlers) => mount(container, handlers)));
