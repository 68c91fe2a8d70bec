import { randomUUID } from 'node:crypto';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { createFromEnvelope } from './create-from-envelope.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

describe('createFromEnvelope (a task row rebuilt from its envelope)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let tasks: PgTaskRepository;

  beforeAll(async () => {
    brain = await testBrain('rebuild');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    tasks = new PgTaskRepository(pool, schema);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('makes the missing row, and finds it again on a second call', async () => {
    const task = envelope();
    const made = await createFromEnvelope(tasks, task);
    expect(made).toMatchObject({ record: { id: task.id, state: 'submitted' } });
    expect(await createFromEnvelope(tasks, task)).toMatchObject({ record: { id: task.id } });
  });

  it('answers duplicateOf when the key names another task of the caller; that task is untouched', async () => {
    const b = envelope();
    await tasks.create(b);
    const before = await tasks.get(b.id);
    const a = { ...b, id: randomUUID() };
    expect(await createFromEnvelope(tasks, a)).toEqual({ duplicateOf: b.id });
    expect(await tasks.get(a.id)).toBeNull();
    expect(await tasks.get(b.id)).toEqual(before);
  });

  it('answers duplicateOf when the key names a follow-up message of another task of the caller', async () => {
    const b = envelope();
    await tasks.create(b);
    const key = `alice:${randomUUID()}`;
    await tasks.appendMessage(
      b.id,
      { messageId: 'm2', role: 'user', parts: [] },
      { idempotencyKey: key, owner: 'alice' },
    );
    const a = envelope({ idempotencyKey: key });
    expect(await createFromEnvelope(tasks, a)).toEqual({ duplicateOf: b.id });
    expect(await tasks.get(a.id)).toBeNull();
  });

  it('still refuses a key another caller holds (CONFLICT, not a duplicate)', async () => {
    const b = envelope({ owner: 'bob' });
    await tasks.create(b);
    const a = envelope({ idempotencyKey: b.idempotencyKey });
    const error = await createFromEnvelope(tasks, a).catch((e: unknown) => e);
    expect(isForgeError(error, 'CONFLICT')).toBe(true);
    expect(await tasks.get(a.id)).toBeNull();
  });
});
