import type { DayConfig, Late } from '@forge/day';
import type { PgDiaryRepository } from '@forge/store';

/** What the diary's memory skills need beyond their input, bound once the service is connected. */
export interface DiaryDeps {
  readonly diary: PgDiaryRepository;
  readonly day: DayConfig;
}

export type DiaryRuntime = Late<DiaryDeps>;
