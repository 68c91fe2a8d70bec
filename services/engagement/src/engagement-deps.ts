import type { DayConfig, Late, TaskSubmitter } from '@forge/day';
import type { Lesson } from '@forge/store';

/** What engagement's skills need beyond their input, bound once the service is connected. */
export interface EngagementDeps {
  readonly submitter: TaskSubmitter;
  /** The diary's lessons relevant to a text (full-text search), for the drafting prompt. */
  recall(query: string, limit: number): Promise<Lesson[]>;
  readonly day: DayConfig;
  readonly brain: string;
}

export type EngagementRuntime = Late<EngagementDeps>;
