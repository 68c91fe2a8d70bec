import { defineAgent, defineSkill } from '@forge/agent-kit';
import { draftReplySkill } from './skills/draft-reply.js';
import { fitReplySkill } from './skills/fit-reply.js';

/**
 * The engagement agent: drafts replies to other operators' posts in the operator's voice
 * (`draft-reply`, mid tier) and fits any draft to a channel's limits (`fit-reply`, tool tier).
 */
export const engagementAgent = defineAgent({
  name: 'engagement',
  description:
    "Drafts replies to other operators' posts in the operator's voice and fits them to the channel: " +
    'under 280 characters on X, no sycophantic openers, no repeated hashtags.',
  defaultSkill: 'fit-reply',
  skills: [defineSkill(fitReplySkill), defineSkill(draftReplySkill)],
});
