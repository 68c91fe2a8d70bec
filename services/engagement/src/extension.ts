import type { ServiceExtensionFactory } from '@forge/agent-kit';
import { createTaskSubmitter, type LoadedDayConfig } from '@forge/day';
import { PgDiaryRepository, PgTaskRepository } from '@forge/store';
import type { EngagementRuntime } from './engagement-deps.js';
import { storySubscriber } from './story-subscriber.js';

/** Engagement beside its skills: the surfaced-story consumer, and what the skills need bound. */
export function engagementExtension(
  runtime: EngagementRuntime,
  loaded: LoadedDayConfig,
): ServiceExtensionFactory {
  return ({ pool, schema, bus, logger, brain, dispatch }) => {
    const submitter = createTaskSubmitter({ tasks: new PgTaskRepository(pool, schema), bus, dispatch });
    const diary = new PgDiaryRepository(pool, schema);
    runtime.bind({ submitter, recall: (q, n) => diary.recall(q, n), day: loaded.day, brain });
    const stories = storySubscriber({
      bus,
      submitter,
      brain,
      minScore: loaded.day.engagement.minStoryScore,
      logger,
    });
    return { start: () => stories.start(), stop: () => stories.stop() };
  };
}
