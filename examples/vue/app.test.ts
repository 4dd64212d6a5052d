// The Vue example: `onFirmInvite` on the custom element through h().
import { it } from 'vitest';
import { inviteStory } from '../invite-story.js';
import { mount } from './main.js';

it('renders the demo firm and hears firm-invite through onFirmInvite', () =>
  inviteStory((container, handlers) => {
    const app = mount(container, handlers);
    return () => app.unmount();
  }));
