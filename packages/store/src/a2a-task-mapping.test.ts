import { Message, TaskState as SdkTaskState } from '@a2a-js/sdk';
import { isForgeError, TASK_STATES } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { envelope } from '../test/fixtures.js';
import { fromSdkState, recordToTask, taskToExtras, toSdkState } from './a2a-task-mapping.js';
import { InMemoryTaskRepository } from './in-memory-task-repository.js';

describe('A2A task mapping', () => {
  it('maps every Forge state to a distinct SDK state and back', () => {
    const sdk = TASK_STATES.map(toSdkState);
    expect(new Set(sdk).size).toBe(TASK_STATES.length);
    expect(sdk).not.toContain(SdkTaskState.TASK_STATE_UNSPECIFIED);
    for (const state of TASK_STATES) expect(fromSdkState(toSdkState(state))).toBe(state);
    expect(fromSdkState(SdkTaskState.TASK_STATE_UNSPECIFIED)).toBeUndefined();
    let error: unknown;
    try {
      fromSdkState(SdkTaskState.UNRECOGNIZED);
    } catch (e) {
      error = e;
    }
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
  });

  it('turns a task back into extras without the derived result or reserved metadata', async () => {
    const repo = new InMemoryTaskRepository();
    const { record } = await repo.create(envelope());
    await repo.transition(record.id, { to: 'working' });
    const done = await repo.transition(record.id, { to: 'completed', output: { n: 1 }, message: 'ok' });
    const task = recordToTask(done);
    expect(task.artifacts.map((a) => a.artifactId)).toEqual(['result']);
    expect(task.status?.message?.messageId).toBe(`${record.id}:status:2`);
    expect(recordToTask(done, { includeArtifacts: false }).artifacts).toEqual([]);

    const extras = taskToExtras({ ...task, metadata: { ...task.metadata, mine: true } });
    expect(extras.artifacts).toEqual([]);
    expect(extras.metadata).toEqual({ mine: true });
    expect(extras.history).toEqual([]);

    const withHistory = taskToExtras({ ...task, history: [task.status!.message!] });
    expect(Message.fromJSON(withHistory.history[0])).toEqual(task.status?.message);
  });
});
