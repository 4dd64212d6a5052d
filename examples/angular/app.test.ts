// The Angular example: `(firm-invite)` in a standalone component with CUSTOM_ELEMENTS_SCHEMA.
import { it } from 'vitest';
import { inviteStory } from '../invite-story.js';
import { mount } from './main.js';

it('renders the demo firm and hears firm-invite through (firm-invite)', () =>
  inviteStory(async (container, handlers) => {
    const app = await mount(container, handlers);
    return () => app.destroy();
  }));
