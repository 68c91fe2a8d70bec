export { publisherAgent } from './agent.js';
export {
  contentHash,
  postIdempotencyKey,
  SchedulePostInput,
  SchedulePostOutput,
  schedulePost,
} from './skills/schedule-post.js';
