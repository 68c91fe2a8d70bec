export { createPublisherAgent, publisherAgent } from './agent.js';
export { renderTerminalCard } from './card/terminal-card.js';
export { MastodonChannel } from './channels/mastodon-channel.js';
export { OutboxChannel } from './channels/outbox-channel.js';
export {
  PermanentPublishError,
  type PublishChannel,
  type PublishReceipt,
} from './channels/publish-channel.js';
export { WebhookChannel } from './channels/webhook-channel.js';
export { channelFor, publisherExtension } from './extension.js';
export { publishDuePosts } from './publish-due-posts.js';
export type { PublisherDeps, PublisherRuntime } from './publisher-deps.js';
export { PublishDueOutput } from './skills/publish-due.js';
export { RenderCardInput, RenderCardOutput, renderCard } from './skills/render-card.js';
export { publicationKey, ScheduleApprovedOutput } from './skills/schedule-approved.js';
export {
  contentHash,
  postIdempotencyKey,
  SchedulePostInput,
  SchedulePostOutput,
  schedulePost,
} from './skills/schedule-post.js';
