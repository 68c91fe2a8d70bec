import type { ServiceExtensionFactory } from '@forge/agent-kit';
import type { LoadedDayConfig } from '@forge/day';
import { PgDiaryRepository } from '@forge/store';
import type { DiaryRuntime } from './diary-deps.js';
import { eventObserver } from './memory/event-observer.js';

/** The diary beside its skills: every agent's notable events become observations. */
export function diaryExtension(runtime: DiaryRuntime, loaded: LoadedDayConfig): ServiceExtensionFactory {
  return ({ pool, schema, bus, logger }) => {
    const diary = new PgDiaryRepository(pool, schema);
    runtime.bind({ diary, day: loaded.day });
    const observer = eventObserver({ bus, diary, notable: loaded.day.diary.notable, logger });
    return { start: () => observer.start(), stop: () => observer.stop() };
  };
}
