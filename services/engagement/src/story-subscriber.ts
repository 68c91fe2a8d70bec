import type { Bus, TaskConsumer } from '@forge/bus';
import { AgentEvent, ForgeError, parseOrThrow, STORY_SURFACED, StorySurfaced } from '@forge/contracts';
import type { TaskSubmitter } from '@forge/day';
import type { Logger } from '@forge/telemetry';
import { type SurfacedStory, surfacedStoryFrom } from './take/surfaced-story.js';

/** The durable consumer engagement reads surfaced stories with (one per brain; replicas share it). */
export const STORY_CONSUMER = 'engagement-stories';

/**
 * Consumes the scout's `story-surfaced` events (`StorySurfaced`, mapped to the take's view) and starts one `engagement.draft-take` per story
 * scored at least `minScore`, keyed `take:<storyId>` so a redelivered event (or the same story
 * surfaced twice) drafts once. A malformed event is dead-lettered naming the field.
 */
export function storySubscriber(deps: {
  bus: Bus;
  submitter: TaskSubmitter;
  brain: string;
  minScore: number;
  logger: Logger;
}): TaskConsumer {
  const { bus } = deps;
  return bus.consumer({
    stream: bus.subjects.streams.events.name,
    durable: STORY_CONSUMER,
    filterSubject: bus.subjects.event(STORY_SURFACED.agent, STORY_SURFACED.kind),
    schema: AgentEvent,
    concurrency: 4,
    handler: async (event) => {
      let story: SurfacedStory;
      try {
        story = surfacedStoryFrom(parseOrThrow(StorySurfaced, event.data, 'surfaced story', 'data'));
      } catch (error) {
        throw new ForgeError('BAD_INPUT', (error as Error).message, { retryable: false, cause: error });
      }
      if (story.score < deps.minScore) {
        deps.logger.debug({ storyId: story.storyId, score: story.score }, 'story below the take threshold');
        return;
      }
      const { taskId, created } = await deps.submitter.submit({
        skill: 'engagement.draft-take',
        input: { source: { kind: 'story', story } },
        origin: { kind: 'agent', brain: deps.brain, by: 'scout' },
        idempotencyKey: `take:${story.storyId}`,
        ...(event.taskId ? { parentId: event.taskId } : {}),
      });
      deps.logger.info({ storyId: story.storyId, taskId, created }, 'take requested for a surfaced story');
    },
  });
}
