import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { Late } from '@forge/day';
import type { PublisherDeps, PublisherRuntime } from './publisher-deps.js';
import { outboxSkill } from './skills/outbox.js';
import { publishDueSkill } from './skills/publish-due.js';
import { renderCardSkill } from './skills/render-card.js';
import { scheduleApprovedSkill } from './skills/schedule-approved.js';
import { schedulePostSkill } from './skills/schedule-post.js';

/**
 * The publisher: slots (`schedule-post`), approved posts into slots (`schedule-approved`),
 * publishing when due exactly once (`publish-due`), the outbox view and the image card; all code.
 */
export function createPublisherAgent(runtime: PublisherRuntime): AgentDefinition {
  return defineAgent({
    name: 'publisher',
    description:
      "Schedules approved posts into each channel's posting windows (time zone and DST aware, spaced from booked " +
      'slots) and publishes each exactly once when due, through an outbox, a webhook or Mastodon; renders image cards.',
    defaultSkill: 'schedule-post',
    skills: [
      defineSkill(schedulePostSkill),
      defineSkill(scheduleApprovedSkill(runtime)),
      defineSkill(publishDueSkill(runtime)),
      defineSkill(outboxSkill(runtime)),
      defineSkill(renderCardSkill),
    ],
  });
}

/** The agent's definition for its card and manifests (its runtime is never bound). */
export const publisherAgent = createPublisherAgent(new Late<PublisherDeps>('the publisher'));
