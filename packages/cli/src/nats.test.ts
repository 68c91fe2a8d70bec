import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureNats, probeNats, redactNatsUrl } from './nats.js';
import { isPortFree } from './ports.js';
import type { SupervisorEvent, SupervisorHooks } from './supervised-process.js';

/** A supervisor that keeps what it is told, with a short first backoff. */
function recordingSupervisor(): SupervisorHooks & { events: SupervisorEvent[] } {
  const events: SupervisorEvent[] = [];
  return {
    events,
    policy: { initialDelayMs: 100, maxDelayMs: 1_000, maxCrashes: 5, windowMs: 60_000 },
    onLine: () => {},
    onEvent: (event) => events.push(event),
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('NATS for forge up', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-nats-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('recognises the machine NATS and its JetStream from the INFO line', async () => {
    const info = await probeNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
    expect(info).toMatchObject({ jetstream: true, version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('finds nothing where nothing listens', async () => {
    expect(await probeNats(`nats://127.0.0.1:${await freePort()}`, 500)).toBeNull();
  });

  it('uses a running server without starting one', async () => {
    const nats = await ensureNats({
      natsUrl: 'nats://127.0.0.1:4222',
      dataDir: dir,
      env: process.env,
      supervisor: recordingSupervisor(),
    });
    expect(nats.startedByForge).toBe(false);
    expect(nats.pid).toBeNull();
  });

  it('starts nats-server with JetStream when none answers, restarts it when killed, and stops it', async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const supervisor = recordingSupervisor();
    const nats = await ensureNats({ natsUrl: url, dataDir: join(dir, 'nats'), env: process.env, supervisor });
    try {
      expect(nats.startedByForge).toBe(true);
      expect((await probeNats(url))?.jetstream).toBe(true);
      const first = nats.pid!;
      process.kill(first, 'SIGKILL');
      // The supervisor says so and starts it again; it answers on the same port.
      const back = await waitUntil(
        async () => nats.pid !== null && nats.pid !== first && (await probeNats(url, 500)) !== null,
        20_000,
      );
      expect(back).toBe(true);
      expect(supervisor.events).toContainEqual(
        expect.objectContaining({ kind: 'crashed', name: 'nats', signal: 'SIGKILL', crashes: 1 }),
      );
      expect(supervisor.events).toContainEqual(
        expect.objectContaining({ kind: 'started', name: 'nats', restarts: 1 }),
      );
    } finally {
      await nats.stop();
    }
    expect(await isPortFree(port)).toBe(true);
    expect(supervisor.events.filter((event) => event.kind === 'crashed')).toHaveLength(1);
  });

  it('says what to do when none answers and nats-server is not on PATH', async () => {
    const url = `nats://user:hunter2@127.0.0.1:${await freePort()}`;
    const failure = ensureNats({
      natsUrl: url,
      dataDir: dir,
      env: { PATH: dir },
      supervisor: recordingSupervisor(),
    });
    await expect(failure).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(failure).rejects.toThrow(
      /^cannot reach NATS at nats:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+ \(is nats-server running\?/,
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('masks credentials of every server in a NATS_URL list', () => {
    expect(redactNatsUrl('nats://a:b@h1:4222, nats://tok@h2:4223')).toBe(
      'nats://***:***@h1:4222,nats://***@h2:4223',
    );
  });
});
