import { DayConfig, Late, type TaskSubmitter } from '@forge/day';
import type { Lesson } from '@forge/store';
import type { EngagementDeps } from './engagement-deps.js';

/** A runtime for unit tests: a day config from `overrides`, submissions recorded, lessons given. */
export function testRuntime(opts: { lessons?: Lesson[]; voice?: Partial<DayConfig['voice']> } = {}) {
  const submitted: Parameters<TaskSubmitter['submit']>[0][] = [];
  const day = DayConfig.parse({
    version: 't',
    voice: {
      name: 'Brad',
      traits: ['plain, direct'],
      bannedPhrases: ['game changer'],
      maxRedrafts: 2,
      ...opts.voice,
    },
    publisher: { windows: [{ timeZone: 'UTC', days: ['mon'], start: '09:00', end: '17:00' }] },
  });
  const runtime = new Late<EngagementDeps>('engagement');
  runtime.bind({
    day,
    brain: 'test',
    recall: async () => opts.lessons ?? [],
    submitter: {
      async submit(task) {
        submitted.push(task);
        return {
          taskId: `00000000-0000-4000-8000-00000000000${String(submitted.length % 10)}`,
          created: true,
        };
      },
    },
  });
  return { runtime, submitted, day };
}
