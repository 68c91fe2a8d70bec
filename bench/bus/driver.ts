import { randomUUID } from 'node:crypto';
import type { BenchPath, BenchTask } from './sides.js';

/** What one path did in one round. */
export interface RoundResult {
  elapsedMs: number;
  latenciesMs: number[];
  redeliveries: number;
}

/**
 * How a round offers load: `window` keeps that many tasks published-but-unhandled (closed loop,
 * measures throughput); `rate` publishes on a fixed schedule whatever the consumer does (open
 * loop, measures latency without queueing behind a window).
 */
export type Load = { kind: 'window'; window: number } | { kind: 'rate'; perSecond: number };

const TEXT = 'Score this headline against the relevance rubric: '.padEnd(200, 'lorem ipsum ');

/** A task stamped with the instant it is handed to the publisher. */
export function benchTask(brain: string): BenchTask {
  const id = randomUUID();
  return {
    v: 1,
    id,
    skill: 'scout.score-headline',
    input: { sentAt: performance.now(), text: TEXT },
    origin: { kind: 'schedule', brain, by: 'bench' },
    idempotencyKey: `bench:${id}`,
    contextId: 'bench',
    createdAt: new Date().toISOString(),
  };
}

/**
 * Publishes `count` tasks through `path` under `load` and waits until every one reached a
 * handler. Latency is publish call → handler start, in one process (one clock). A task seen
 * twice counts once; the extra delivery is counted as a redelivery.
 */
export async function runRound(
  path: BenchPath,
  brain: string,
  count: number,
  load: Load,
  timeoutMs: number,
): Promise<RoundResult> {
  const latenciesMs: number[] = [];
  const seen = new Set<string>();
  let redeliveries = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Awaited below; this only keeps an early failure from counting as unhandled meanwhile.
  done.catch(() => undefined);

  path.onHandled = (id, sentAt, deliveryCount) => {
    if (deliveryCount > 1 || seen.has(id)) {
      redeliveries++;
      if (seen.has(id)) return;
    }
    seen.add(id);
    latenciesMs.push(performance.now() - sentAt);
    inFlight--;
    const next = wake;
    wake = undefined;
    next?.();
    if (seen.size === count) finish();
  };
  const publish = () => {
    inFlight++;
    path.publish(benchTask(brain)).catch(fail);
  };

  const timer = setTimeout(
    () => fail(new Error(`${path.name}: only ${seen.size} of ${count} tasks handled after ${timeoutMs} ms`)),
    timeoutMs,
  );
  const started = performance.now();
  try {
    if (load.kind === 'window') {
      for (let i = 0; i < count; i++) {
        while (inFlight >= load.window) {
          const slot = new Promise<void>((resolve) => {
            wake = resolve;
          });
          await Promise.race([slot, done]);
        }
        publish();
      }
    } else {
      // Each timer tick publishes every task whose scheduled instant has passed.
      const intervalMs = 1000 / load.perSecond;
      let sent = 0;
      while (sent < count) {
        const due = Math.min(count, Math.floor((performance.now() - started) / intervalMs) + 1);
        while (sent < due) {
          publish();
          sent++;
        }
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 1)), done]);
      }
    }
    await done;
  } finally {
    clearTimeout(timer);
  }
  return { elapsedMs: performance.now() - started, latenciesMs, redeliveries };
}
