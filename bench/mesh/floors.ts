/**
 * The floors of `bench mesh`, measured in the same run: what one hop of each transport costs on
 * this machine right now. A task of the mesh makes several of each; none can be cheaper than these.
 */
import { randomUUID } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import type pg from 'pg';
import { percentile } from '../lib/latency.js';

export interface Floor {
  /** One at a time. */
  p50Ms: number;
  p99Ms: number;
  /** Closed loop at `concurrency` in flight. */
  perSec: number;
  concurrency: number;
}

/** `count` calls one at a time (latency), then `count` with `concurrency` in flight (throughput). */
async function measure(count: number, concurrency: number, call: () => Promise<unknown>): Promise<Floor> {
  for (let i = 0; i < Math.min(200, count); i++) await call();
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call();
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await call();
    }),
  );
  const elapsed = performance.now() - began;
  return {
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    perSec: Math.round(count / (elapsed / 1000)),
    concurrency,
  };
}

const round = (v: number) => Number(v.toFixed(3));

/** Bare JetStream: publish (awaiting the PubAck) → a `consume()` pull consumer → ack, JSON only. */
export async function jetstreamFloor(url: string, count: number, concurrency: number): Promise<Floor> {
  const nc = await connect({ servers: url, name: 'bench-mesh-floor', noAsyncTraces: true });
  const stream = 'MESHFLOOR';
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: ['meshfloor.>'] });
  await jsm.consumers.add(stream, {
    durable_name: 'floor',
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(30_000),
    max_ack_pending: 10_000,
  });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, 'floor');
  const messages = await consumer.consume({ max_messages: Math.max(64, concurrency * 2) });
  const waiting = new Map<string, () => void>();
  const loop = (async () => {
    for await (const msg of messages) {
      const { id } = msg.json<{ id: string }>();
      msg.ack();
      waiting.get(id)?.();
      waiting.delete(id);
    }
  })();
  try {
    return await measure(count, concurrency, async () => {
      const id = randomUUID();
      const handled = new Promise<void>((resolve) => waiting.set(id, resolve));
      await js.publish('meshfloor.task', JSON.stringify({ id, input: { text: 'hi' } }), { msgID: id });
      await handled;
    });
  } finally {
    await messages.close();
    await loop;
    await jsm.streams.delete(stream);
    await nc.close();
  }
}

/** One committed INSERT (autocommit) in a table of the bench's own, on the shared Postgres. */
export async function postgresFloor(pool: pg.Pool, schema: string, count: number, concurrency: number) {
  const table = `"${schema}".mesh_floor`;
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id uuid PRIMARY KEY, at timestamptz NOT NULL)`);
  return measure(count, concurrency, () =>
    pool.query(`INSERT INTO ${table} (id, at) VALUES ($1, now())`, [randomUUID()]),
  );
}

/** One HTTP round trip: `GET /livez` of the agent (express, keep-alive). */
export function httpFloor(url: string, count: number, concurrency: number): Promise<Floor> {
  return measure(count, concurrency, async () => {
    const res = await fetch(`${url}/livez`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET /livez: ${res.status}`);
  });
}
