import type { StatusEvent, TaskState } from '@forge/contracts';
import type { TaskRecord } from '@forge/store';
import { describe, expect, it } from 'vitest';
import { type StatusSource, TaskFeed } from './task-feed.js';

const ID = '6f1c7f0e-0f59-4a4e-8d6a-1f6f3e1f9a10';

function record(seq: number, state: TaskState, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: ID,
    skill: 'a.b',
    agent: 'a',
    owner: 'alice',
    origin: { kind: 'a2a', brain: 'x', by: 'alice' },
    idempotencyKey: 'k',
    contextId: 'c',
    state,
    seq,
    attempt: 1,
    input: {},
    a2a: { history: [], artifacts: [], metadata: {} },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const event = (seq: number, state: TaskState): StatusEvent => ({
  v: 1,
  taskId: ID,
  seq,
  state,
  at: '2026-01-01T00:00:01.000Z',
});

/** A source whose events the test sends by hand. */
function handSource() {
  const listeners = new Set<(e: StatusEvent) => void>();
  const source: StatusSource = {
    async subscribe(_taskId, onEvent) {
      listeners.add(onEvent);
      return { unsubscribe: () => listeners.delete(onEvent) };
    },
  };
  const send = (e: StatusEvent) => {
    for (const listener of listeners) listener(e);
  };
  return { source, send, listeners };
}

async function collect(feed: TaskFeed, from: TaskRecord, signal = AbortSignal.timeout(3_000)) {
  const seen: string[] = [];
  for await (const change of feed.follow(from, signal)) seen.push(`${change.state}#${change.seq}`);
  return seen;
}

describe('TaskFeed', () => {
  it('relays changes in seq order, drops stale and repeated ones, stops at a terminal state', async () => {
    const { source, send, listeners } = handSource();
    const feed = await TaskFeed.open(source, ID, async () => null, 10_000);
    // Events that arrive before following are kept: the subscription came first.
    send(event(1, 'working'));
    send(event(1, 'working'));
    send(event(0, 'submitted'));
    const done = collect(feed, record(0, 'submitted'));
    send(event(3, 'completed'));
    send(event(4, 'failed')); // after the end: never relayed
    expect(await done).toEqual(['working#1', 'completed#3']);
    feed.close();
    expect(listeners.size).toBe(0);
  });

  it('re-reads the record when events go quiet, so a lost event never hangs the caller', async () => {
    const { source } = handSource();
    let reads = 0;
    const feed = await TaskFeed.open(
      source,
      ID,
      async () => {
        reads += 1;
        return reads < 2 ? record(0, 'submitted') : record(2, 'completed', { output: { ok: true } });
      },
      30,
    );
    const started = Date.now();
    const seen: unknown[] = [];
    for await (const change of feed.follow(record(0, 'submitted'), AbortSignal.timeout(2_000)))
      seen.push(change);
    expect(seen).toEqual([expect.objectContaining({ state: 'completed', seq: 2, output: { ok: true } })]);
    expect(Date.now() - started).toBeLessThan(1_000);
    feed.close();
  });

  it('ends at input-required, yet waits past it when the caller is resuming', async () => {
    const { source, send } = handSource();
    const feed = await TaskFeed.open(source, ID, async () => null, 10_000);
    expect(await collect(feed, record(3, 'input-required'))).toEqual([]);
    const resumed: string[] = [];
    const following = (async () => {
      for await (const c of feed.follow(record(3, 'input-required'), AbortSignal.timeout(3_000), {
        resuming: true,
      }))
        resumed.push(c.state);
    })();
    send(event(4, 'working'));
    send(event(5, 'input-required'));
    await following;
    expect(resumed).toEqual(['working', 'input-required']);
    feed.close();
  });

  it('stops when its signal aborts or it is closed', async () => {
    const { source } = handSource();
    const feed = await TaskFeed.open(source, ID, async () => record(0, 'submitted'), 10_000);
    const controller = new AbortController();
    const following = collect(feed, record(0, 'submitted'), controller.signal);
    controller.abort();
    expect(await following).toEqual([]);
    const second = collect(feed, record(0, 'submitted'));
    feed.close();
    expect(await second).toEqual([]);
  });
});
