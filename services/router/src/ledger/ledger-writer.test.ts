import { randomUUID } from 'node:crypto';
import { ForgeError } from '@forge/contracts';
import {
  type BudgetRepository,
  type CostLedger,
  type CostLedgerEntry,
  queryDeadline,
  type Settlement,
  withQueryDeadline,
} from '@forge/store';
import { describe, expect, it } from 'vitest';
import { capturingLogger, waitFor } from '../../test/harness.js';
import { LedgerWriter } from './ledger-writer.js';

/** In-memory store stand-ins whose next writes can be made to fail. */
function stores() {
  const rows: CostLedgerEntry[] = [];
  const settled: Settlement[] = [];
  const failures: unknown[] = [];
  /** Entries the store refuses for good, as Postgres or the schema would. */
  const invalid = new Set<number>();
  const ledger: CostLedger = {
    async append(entries) {
      const failure = failures.shift();
      if (failure) throw failure;
      const bad = entries.find((e) => invalid.has(e.seq));
      if (bad) {
        throw new ForgeError('BAD_INPUT', `entries.${entries.indexOf(bad)}.reason: too long`, {
          retryable: false,
        });
      }
      rows.push(...entries);
      return entries.length;
    },
    async forTask() {
      return [];
    },
  };
  const budgets: BudgetRepository = {
    async admit() {
      return { admitted: true };
    },
    async settle(items) {
      settled.push(...items);
      return items.length;
    },
    async usage() {
      return new Map();
    },
  };
  return { rows, settled, failures, invalid, ledger, budgets };
}

function entry(seq: number): CostLedgerEntry {
  return {
    taskId: randomUUID(),
    attempt: 1,
    callId: 0,
    seq,
    source: 'task',
    skill: 'scout.score',
    agent: 'scout',
    brain: 'alpha',
    partner: null,
    principal: null,
    tier: 'small',
    provider: 'anthropic',
    model: 'anthropic:claude-haiku-5.5',
    offline: false,
    standsInFor: null,
    inputTokens: 10,
    outputTokens: 2,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    usageEstimated: false,
    rawUsage: null,
    costMicros: 2,
    shadowCostMicros: 0,
    latencyMs: 5,
    outcome: 'ok',
    escalated: false,
    fellBack: false,
    reason: null,
    createdAt: new Date().toISOString(),
  };
}

describe('LedgerWriter', () => {
  it('writes nothing until the flush interval, then everything queued, in batches', async () => {
    const s = stores();
    const writer = new LedgerWriter({ ...s, flushMs: 60_000, maxBatch: 3, logger: capturingLogger().logger });
    for (let i = 0; i < 7; i++) writer.record(entry(i));
    writer.settle({ reservationId: randomUUID(), actualMicros: 5 });
    // A full batch is written at once; the rest waits for the interval or a flush.
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.rows.length).toBeLessThan(7);
    await writer.stop();
    expect(s.rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.settled).toHaveLength(1);
    expect(writer.pending).toBe(0);
  });

  it('writes in the background without the query deadline of the call whose row started it', async () => {
    const s = stores();
    // As the store's deadline-aware statements do: past the current query deadline, OVERLOADED.
    const deadlines: Array<number | undefined> = [];
    const append = s.ledger.append.bind(s.ledger);
    s.ledger.append = async (entries, opts) => {
      const deadline = queryDeadline();
      deadlines.push(deadline);
      if (deadline !== undefined && deadline <= Date.now())
        throw new ForgeError('OVERLOADED', 'the query deadline passed', { retryable: true });
      return append(entries, opts);
    };
    const { logger, lines } = capturingLogger();
    const writer = new LedgerWriter({ ...s, flushMs: 30, maxBatch: 2, retryMs: 5, logger });
    // A call whose deadline passes before its row's timed flush, and one that fills a batch at once.
    await withQueryDeadline(Date.now() + 5, async () => writer.record(entry(0)));
    await withQueryDeadline(Date.now() - 1, async () => {
      writer.record(entry(1));
      writer.record(entry(2));
    });
    await waitFor(() => s.rows.length === 3, 2_000, 'every row written without a flush');
    expect(deadlines.every((d) => d === undefined)).toBe(true);
    expect(lines.filter((l) => l.msg === 'ledger write failed; will retry')).toEqual([]);
    await writer.stop();
  });

  it('keeps and retries a batch whose write failed for a passing reason', async () => {
    const s = stores();
    s.failures.push(new ForgeError('UNAVAILABLE', 'postgres unreachable', { retryable: true }));
    const writer = new LedgerWriter({ ...s, flushMs: 1, retryMs: 5, logger: capturingLogger().logger });
    writer.record(entry(0));
    await writer.stop(2_000);
    expect(s.rows).toHaveLength(1);
  });

  it('logs and drops a batch the store refuses for good, instead of retrying it forever', async () => {
    const s = stores();
    s.invalid.add(0);
    const { logger, lines } = capturingLogger();
    const writer = new LedgerWriter({ ...s, flushMs: 1, retryMs: 5, logger });
    writer.record(entry(0));
    await writer.stop(500);
    expect(s.rows).toHaveLength(0);
    expect(writer.pending).toBe(0);
    const dropped = lines.find((l) => l.msg === 'ledger entry refused for good; dropped');
    expect(dropped?.entry).toMatchObject({ seq: 0 });
  });

  it('drops only the row the store refuses, writing the rest of its batch', async () => {
    const s = stores();
    s.invalid.add(2);
    const { logger, lines } = capturingLogger();
    const writer = new LedgerWriter({ ...s, flushMs: 1, retryMs: 5, logger });
    for (let i = 0; i < 5; i++) writer.record(entry(i));
    await writer.stop(2_000);
    expect(s.rows.map((r) => r.seq)).toEqual([0, 1, 3, 4]);
    expect(writer.pending).toBe(0);
    const dropped = lines.filter((l) => String(l.msg).includes('refused for good'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.entry).toMatchObject({ seq: 2 });
  });
});
