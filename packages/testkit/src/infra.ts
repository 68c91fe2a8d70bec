import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';

/** The machine's real NATS JetStream (STACK.md); override with `NATS_URL`. */
export function testNatsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** The machine's real Postgres, database `test`; override with `TEST_DATABASE_URL`. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/**
 * A name no other test uses, valid as a brain name (and so as a subject token, stream-name part
 * and schema suffix): `t<prefix><random>`, at most 31 characters.
 */
export function uniqueBrain(prefix = ''): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12);
  return `t${clean}${randomBytes(6).toString('hex')}`;
}

export async function connectTestNats(name = 'forge-test'): Promise<NatsConnection> {
  return connect({ servers: testNatsUrl(), name });
}

/** Deletes every JetStream stream whose name starts with `FORGE_<BRAIN>_`. */
export async function deleteBrainStreams(nc: NatsConnection, brain: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const prefix = `FORGE_${brain.toUpperCase()}_`;
  for await (const info of jsm.streams.list()) {
    if (info.config.name.startsWith(prefix)) await jsm.streams.delete(info.config.name);
  }
}

/** Drops the brain's Postgres schema (`forge_<brain>`) and everything in it. */
export async function dropBrainSchema(databaseUrl: string, brain: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "forge_${brain}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * A brain of a test's own: a unique name, plus a cleanup that removes its streams and schema.
 * Use with `await using brain = await testBrain('bus')` or call `cleanup()` in `afterEach`.
 */
export interface TestBrain extends AsyncDisposable {
  readonly name: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  cleanup(): Promise<void>;
}

export async function testBrain(prefix = ''): Promise<TestBrain> {
  const name = uniqueBrain(prefix);
  const natsUrl = testNatsUrl();
  const databaseUrl = testDatabaseUrl();
  const cleanup = async () => {
    const nc = await connect({ servers: natsUrl, name: 'forge-test-cleanup' });
    try {
      await deleteBrainStreams(nc, name);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(databaseUrl, name);
  };
  return { name, natsUrl, databaseUrl, cleanup, [Symbol.asyncDispose]: cleanup };
}
