import { defineAgent, defineSkill } from '@forge/agent-kit';
import { schedulePostSkill } from './skills/schedule-post.js';

/** The publisher: finds each post's slot and the key that makes its publish happen once. */
export const publisherAgent = defineAgent({
  name: 'publisher',
  description:
    "Schedules posts into each channel's posting windows (time zone and DST aware, spaced from booked " +
    'slots) and gives every post an idempotency key so a retried publish happens once.',
  defaultSkill: 'schedule-post',
  skills: [defineSkill(schedulePostSkill)],
});
