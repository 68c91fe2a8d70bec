import { randomUUID } from 'node:crypto';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { type NewDeferredRequest, PgModelBatchRepository } from './model-batch-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

let brain: TestBrain;
let pool: pg.Pool;
let repo: PgModelBatchRepository;
let schema: string;

beforeAll(async () => {
  brain = await testBrain('batches');
  schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() });
  repo = new PgModelBatchRepository(pool, schema);
});
afterAll(async () => {
  await pool?.end();
  await brain?.cleanup();
});

function call(overrides: Partial<NewDeferredRequest> = {}): NewDeferredRequest {
  return {
    taskId: randomUUID(),
    callId: 0,
    fingerprint: 'fp1',
    attempt: 1,
    customId: `r${randomUUID().replaceAll('-', '')}`,
    skill: 'diary.synthesize-lessons',
    provider: 'anthropic',
    model: 'anthropic:claude-opus-5.5',
    tier: 'frontier',
    context: { taskId: 'x' },
    input: { purpose: 'summarize' },
    request: { model: 'claude-opus-5.5' },
    reservationId: randomUUID(),
    reservedMicros: 12_345,
    dueBy: new Date(Date.now() + 3_600_000),
    ...overrides,
  };
}

const lease = (owner: string) => ({ owner, leaseMs: 60_000 });

describe('PgModelBatchRepository', () => {
  it('stores a call once; the same key (a redelivered attempt) joins it', async () => {
    const first = call();
    const stored = await repo.enqueue(first);
    expect(stored.created).toBe(true);
    expect(stored.request).toMatchObject({ state: 'queued', reservedMicros: 12_345, fallbackClaims: 0 });
    const again = await repo.enqueue({ ...first, attempt: 2, customId: 'other' });
    expect(again.created).toBe(false);
    expect(again.request.attempt).toBe(1);
    expect(await repo.find({ ...first, fingerprint: 'other' })).toBeNull();
  });

  it('claims one model per batch, never the same call twice across replicas', async () => {
    await pool.query(`DELETE FROM "${schema}".model_batch_requests`);
    const opus = [call(), call(), call()];
    for (const c of opus) await repo.enqueue(c);
    await repo.enqueue(call({ model: 'openai:gpt-6-astra', provider: 'openai' }));
    const [a, b] = await Promise.all([repo.claimForBatch(lease('a'), 2), repo.claimForBatch(lease('b'), 2)]);
    const claimed = [...(a?.requests ?? []), ...(b?.requests ?? [])];
    expect(new Set(claimed.map((r) => r.customId)).size).toBe(claimed.length);
    const c = await repo.claimForBatch(lease('c'), 10);
    const all = [...claimed, ...(c?.requests ?? [])];
    expect(all).toHaveLength(4);
    for (const result of [a, b, c]) {
      if (!result) continue;
      expect(new Set(result.requests.map((r) => r.model)).size).toBe(1);
      expect(result.batch.requestCount).toBe(result.requests.length);
      expect(result.requests.every((r) => r.state === 'submitted' && r.batchId === result.batch.id)).toBe(
        true,
      );
    }
    expect(await repo.claimForBatch(lease('d'), 10)).toBeNull();
  });

  it('requeues a refused batch, or makes its calls due now', async () => {
    await pool.query(`DELETE FROM "${schema}".model_batch_requests`);
    const one = call();
    await repo.enqueue(one);
    const first = await repo.claimForBatch(lease('a'), 5);
    await repo.markSubmitFailed(first!.batch.id, 'connection refused', true);
    expect((await repo.find(one))?.state).toBe('queued');
    const second = await repo.claimForBatch(lease('a'), 5);
    await repo.markSubmitFailed(second!.batch.id, 'bad request', false);
    const overdue = await repo.claimOverdue(lease('a'), 10);
    expect(overdue.map((r) => r.customId)).toEqual([one.customId]);
    expect(overdue[0]?.fallbackClaims).toBe(1);
    // Leased: another replica does not claim it again until the lease runs out.
    expect(await repo.claimOverdue(lease('b'), 10)).toEqual([]);
  });

  it('polls submitted batches under a lease, and the first answer of a call stands', async () => {
    await pool.query(`DELETE FROM "${schema}".model_batch_requests`);
    const one = call();
    await repo.enqueue(one);
    const claimed = await repo.claimForBatch(lease('a'), 5);
    await repo.markSubmitted(claimed!.batch.id, 'msgbatch_1');
    const polled = await repo.claimForPoll(lease('a'), 0, 10);
    expect(polled.map((b) => b.vendorBatchId)).toContain('msgbatch_1');
    expect((await repo.claimForPoll(lease('b'), 0, 10)).map((b) => b.id)).not.toContain(claimed!.batch.id);
    await repo.releaseBatch(claimed!.batch.id);
    // Polled a moment ago: not due for another poll within a minute.
    expect((await repo.claimForPoll(lease('b'), 60_000, 10)).map((b) => b.id)).not.toContain(
      claimed!.batch.id,
    );
    expect(await repo.resolve(one, { ok: true }, 'batch')).toBe(true);
    expect(await repo.resolve(one, { ok: false }, 'normal call')).toBe(false);
    expect((await repo.find(one))?.reply).toEqual({ ok: true });
    await repo.endBatch(claimed!.batch.id, 'ended');
    expect((await repo.requestsOf(claimed!.batch.id)).map((r) => r.state)).toEqual(['done']);
  });
});
