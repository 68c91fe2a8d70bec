import type { DayConfig, Late, TaskSubmitter } from '@forge/day';
import type { PgDiaryRepository, PgPublicationRepository, PgSpendRepository } from '@forge/store';

/** What marketing's data-driven skills read, bound once the service is connected. */
export interface MarketingDeps {
  readonly publications: PgPublicationRepository;
  readonly spend: PgSpendRepository;
  /** Agents' events (stories, competitor moves, engagement, approvals) as the diary keeps them. */
  readonly diary: PgDiaryRepository;
  readonly submitter: TaskSubmitter;
  readonly day: DayConfig;
  readonly brain: string;
}

export type MarketingRuntime = Late<MarketingDeps>;
