import { NatsModelClient } from '@forge/agent-kit';
import type { ModelCallReply, TaskEnvelope } from '@forge/contracts';
import { budgetPeriod } from '@forge/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

let h: Harness;

const question = [{ role: 'user' as const, content: 'Distil these 50 observations into three lessons.' }];

beforeAll(async () => {
  h = await startHarness({
    replicas: 2,
    config: await testRoutingConfig({
      tiers: {
        small: ['anthropic:claude-haiku-5.5'],
        mid: ['openai:gpt-6-sol', 'anthropic:claude-sonnet-5.5'],
        frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra'],
      },
      routes: {
        'diary.synthesize': { tier: 'frontier', deferrable: { maxWait: '1h' } },
        'diary.report': { tier: 'mid', deferrable: { maxWait: '1h' } },
        'diary.urgent': { tier: 'frontier', deferrable: { maxWait: '2s' } },
        'diary.live': { tier: 'frontier' },
      },
      gateway: {
        timeouts: { firstTokenMs: 2000, idleMs: 2000, totalMs: 6000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
        batch: { collectMs: 50, pollMs: 50, clientPollMs: 50, maxWait: '1h', fallbackMarginMs: 1000 },
      },
    }),
  });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.fake.reset();
  h.fake.setBatchDelay(0);
});

/** Asks until the answer is no longer `deferred`; returns every reply seen. */
async function askUntilAnswered(task: TaskEnvelope, callId: number, attempt = 1): Promise<ModelCallReply[]> {
  const replies: ModelCallReply[] = [];
  await waitFor(
    async () => {
      const reply = await h.call(task, {
        callId,
        attempt,
        deferrable: true,
        purpose: 'summarize',
        messages: question,
        maxTokens: 300,
      });
      replies.push(reply);
      return reply.ok || reply.deferred === undefined;
    },
    20_000,
    'the deferred call to be answered',
  );
  return replies;
}

describe('deferred calls through the vendors’ batch APIs', () => {
  it('Anthropic: the call waits in a Message Batch and is billed at half price', async () => {
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    h.fake.script({ text: 'three lessons', usage: { inputTokens: 3_400, outputTokens: 600 } });
    const replies = await askUntilAnswered(task, 0);
    const first = replies[0]!;
    expect(first.ok).toBe(false);
    expect(!first.ok && first.deferred).toMatchObject({
      model: 'anthropic:claude-opus-5.5',
      pollAfterMs: 50,
    });
    expect(!first.ok && first.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const answer = ok(replies.at(-1)!);
    // Opus 5.5 list: 3,400 × 4 + 600 × 20 = 25,600 µ$; the batch price is half.
    expect(answer).toMatchObject({
      text: 'three lessons',
      model: 'anthropic:claude-opus-5.5',
      costMicros: 12_800,
    });
    expect(answer.notes.join(' ')).toMatch(/batch .* at the batch price \(50% off\)/);
    expect(h.fake.batches).toHaveLength(1);
    expect(h.fake.batches[0]).toMatchObject({
      route: 'anthropic',
      status: 'ended',
      models: ['claude-opus-5.5'],
    });
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ seq: 0, outcome: 'ok', costMicros: 12_800, inputTokens: 3_400 });
    expect(rows[0]?.reason).toMatch(/^batch msgbatch_/);
    // The hold (reserved at the batch price) settled to the actual cost.
    const usage = await h.budgets.usage(budgetPeriod(), ['agent:diary']);
    expect(usage.get('agent:diary')?.spentMicros).toBe(12_800);
  });

  it('OpenAI: the call goes up in a JSONL file and comes back from the output file', async () => {
    const task = await h.task({ skill: 'diary.report', tierHint: 'mid' });
    h.fake.script({
      text: 'weekly report',
      usage: { inputTokens: 1_000, cacheReadTokens: 2_000, outputTokens: 500 },
    });
    const answer = ok((await askUntilAnswered(task, 0)).at(-1)!);
    // Sol list: 1,000 × 2 + 2,000 × 0.2 + 500 × 10 = 7,400 µ$; half of it.
    expect(answer).toMatchObject({ text: 'weekly report', model: 'openai:gpt-6-sol', costMicros: 3_700 });
    const uploads = h.fake.requests.filter((r) => r.path === '/v1/files');
    expect(uploads).toHaveLength(1);
    expect(h.fake.batches[0]).toMatchObject({ route: 'openai', status: 'ended' });
  });

  it('an expired batch hands the call to a normal call at the list price; both are in the ledger', async () => {
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    h.fake.setBatchDelay(Number.POSITIVE_INFINITY);
    h.fake.script({ text: 'late but here', usage: { inputTokens: 100, outputTokens: 10 } });
    await h.call(task, {
      callId: 0,
      deferrable: true,
      purpose: 'summarize',
      messages: question,
      maxTokens: 300,
    });
    await waitFor(() => h.fake.batches.length === 1, 10_000, 'the batch to be submitted');
    h.fake.expireBatches();
    const answer = ok((await askUntilAnswered(task, 0)).at(-1)!);
    expect(answer.text).toBe('late but here');
    expect(answer.notes.join(' ')).toMatch(/a normal call answered/);
    // List price: 100 × 4 + 10 × 20.
    expect(answer.costMicros).toBe(600);
    await h.flush();
    const rows = [...(await h.ledger.forTask(task.id))].sort((a, b) => a.seq - b.seq);
    expect(rows.map((r) => [r.seq, r.outcome, r.costMicros])).toEqual([
      [0, 'batch_expired', 0],
      [1, 'ok', 600],
    ]);
  });

  it('at its due time the call is answered normally; the batch, no longer needed, is canceled', async () => {
    const task = await h.task({ skill: 'diary.urgent', tierHint: 'frontier' });
    h.fake.setBatchDelay(Number.POSITIVE_INFINITY);
    h.fake.script({ text: 'answered in time', usage: { inputTokens: 100, outputTokens: 10 } });
    const replies = await askUntilAnswered(task, 0);
    const answer = ok(replies.at(-1)!);
    expect(answer.text).toBe('answered in time');
    await waitFor(() => h.fake.batches[0]?.ending === 'canceled', 10_000, 'the batch to be canceled');
    await waitFor(
      async () => {
        await h.flush();
        return (await h.ledger.forTask(task.id)).some((r) => r.outcome === 'superseded');
      },
      10_000,
      'the canceled batch row',
    );
    const rows = [...(await h.ledger.forTask(task.id))].sort((a, b) => a.seq - b.seq);
    expect(rows.map((r) => [r.seq, r.outcome, r.costMicros])).toEqual([
      [0, 'superseded', 0],
      [1, 'ok', 600],
    ]);
  });

  it('a redelivered task asking the same call joins it; a caller that cannot wait gets a normal call', async () => {
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    h.fake.setBatchDelay(Number.POSITIVE_INFINITY);
    const first = await h.call(task, {
      callId: 0,
      deferrable: true,
      purpose: 'summarize',
      messages: question,
      maxTokens: 300,
    });
    const again = await h.call(task, {
      callId: 0,
      attempt: 2,
      deferrable: true,
      purpose: 'summarize',
      messages: question,
      maxTokens: 300,
    });
    expect(!first.ok && !again.ok && again.deferred?.dueBy).toBe(!first.ok && first.deferred?.dueBy);
    h.fake.script({ text: 'now', usage: { inputTokens: 10, outputTokens: 1 } });
    const now = ok(
      await h.call(task, { callId: 1, purpose: 'summarize', messages: question, maxTokens: 300 }),
    );
    expect(now.notes.join(' ')).not.toMatch(/batch/);
    await waitFor(() => h.fake.batches.length === 1, 10_000, 'the batch to be submitted');
    h.fake.completeBatches();
    await askUntilAnswered(task, 0, 2);
    expect(h.fake.batches.flatMap((b) => b.customIds)).toHaveLength(1);
  });

  it('the batch state is in Postgres: another replica finishes what a stopped one submitted', async () => {
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    h.fake.setBatchDelay(Number.POSITIVE_INFINITY);
    await h.call(task, {
      callId: 0,
      deferrable: true,
      purpose: 'summarize',
      messages: question,
      maxTokens: 300,
    });
    await waitFor(() => h.fake.batches.length === 1, 10_000, 'the batch to be submitted');
    const [stopped, survivor] = h.routers;
    await stopped!.stop();
    h.fake.script({ text: 'from the survivor', usage: { inputTokens: 10, outputTokens: 1 } });
    h.fake.completeBatches();
    await survivor!.deferred.tick();
    const answer = ok((await askUntilAnswered(task, 0)).at(-1)!);
    expect(answer.text).toBe('from the survivor');
  });
});

describe('a skill waiting for its batch', () => {
  it('the kit’s model client asks again until the answer comes, telling the task what it waits for', async () => {
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    h.fake.setBatchDelay(300);
    h.fake.script({ text: 'lessons', usage: { inputTokens: 10, outputTokens: 1 } });
    const client = new NatsModelClient(
      h.bus,
      { taskId: task.id, attempt: 1, skill: task.skill },
      { timeoutMs: 5_000 },
    );
    const lines: string[] = [];
    const reply = await client.call(
      { purpose: 'summarize', messages: question, maxTokens: 300 },
      { onWaiting: (line) => lines.push(line) },
    );
    expect(reply.text).toBe('lessons');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/Anthropic Message Batches on anthropic:claude-opus-5.5 at the batch price/);
  });
});
