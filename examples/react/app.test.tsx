// The React example: typed `onInvite` through the @firm-security/react wrappers.
import { it } from 'vitest';
import { inviteStory } from '../invite-story.js';
import { mount } from './main.js';

it('renders the demo firm and hands the typed firm-invite event to onInvite', () =>
  inviteStory((container, handlers) => {
    const root = mount(container, handlers);
    return () => root.unmount();
  }));
