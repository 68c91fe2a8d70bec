import type { ServiceExtensionFactory } from '@forge/agent-kit';
import { createTaskSubmitter, type LoadedDayConfig } from '@forge/day';
import {
  PgDiaryRepository,
  PgPublicationRepository,
  PgSpendRepository,
  PgTaskRepository,
} from '@forge/store';
import type { MarketingRuntime } from './marketing-deps.js';

/** Marketing beside its skills: the tables its briefs and reports read, bound for the skills. */
export function marketingExtension(
  runtime: MarketingRuntime,
  loaded: LoadedDayConfig,
): ServiceExtensionFactory {
  return ({ pool, schema, bus, brain, dispatch }) => {
    runtime.bind({
      publications: new PgPublicationRepository(pool, schema),
      spend: new PgSpendRepository(pool, schema),
      diary: new PgDiaryRepository(pool, schema),
      submitter: createTaskSubmitter({ tasks: new PgTaskRepository(pool, schema), bus, dispatch }),
      day: loaded.day,
      brain,
    });
    return {};
  };
}
