import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForExit } from './child-process.js';
import { stopLeftovers } from './leftovers.js';
import { type MeshFile, writeMeshFile } from './mesh-file.js';

describe('stopLeftovers', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-leftovers-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  function spawnIdle(args: string[]): ChildProcess {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    children.push(child);
    return child;
  }

  async function meshWith(
    upPid: number,
    services: { name: string; pid: number }[],
    postgres: { pid: number; dataDir: string } | null = null,
  ): Promise<string> {
    const path = join(dir, 'mesh.json');
    const mesh: MeshFile = {
      v: 1,
      brain: 'left',
      pid: upPid,
      startedAt: new Date().toISOString(),
      nats: { url: 'nats://127.0.0.1:4222', startedByForge: false },
      postgres: { url: 'postgres://postgres@127.0.0.1:1/postgres', embedded: true, pid: null, ...postgres },
      operatorKeyFile: join(dir, 'operator.key'),
      services: services.map(({ name, pid }) => ({
        name,
        pid,
        port: 1,
        url: 'http://x',
        card: 'http://x/c',
      })),
    };
    await writeMeshFile(path, mesh);
    return path;
  }

  it('stops the services a dead forge up left, and nothing else', async () => {
    const main = join(dir, 'services', 'scout', 'dist', 'main.js');
    await mkdir(join(dir, 'services', 'scout', 'dist'), { recursive: true });
    await writeFile(main, 'setInterval(() => {}, 1000);\n');
    const scout = spawnIdle([main]);
    const stranger = spawnIdle(['-e', 'setInterval(() => {}, 1000)']);
    const deadUp = spawnSync(process.execPath, ['-e', '']).pid!;
    const path = await meshWith(deadUp, [
      { name: 'scout', pid: scout.pid! },
      { name: 'diary', pid: stranger.pid! },
    ]);
    expect(await stopLeftovers(path, join(dir, 'nats'), 2_000)).toEqual(['scout']);
    expect(await waitForExit(scout, 2_000)).toBe(true);
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
  });

  it('stops the embedded Postgres a dead forge up left with SIGINT (its fast shutdown), found by its data folder', async () => {
    const dataDir = join(dir, 'brain', 'pgdata');
    // Stands in for `postgres -D <dataDir>`: exits 0 on SIGINT only, as a fast shutdown does.
    const postgres = spawnIdle([
      '-e',
      "process.on('SIGINT', () => process.exit(0)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)",
      '--',
      '-D',
      dataDir,
    ]);
    const elsewhere = spawnIdle(['-e', 'setInterval(() => {}, 1000)', '--', '-D', join(dir, 'other')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const deadUp = spawnSync(process.execPath, ['-e', '']).pid!;
    const path = await meshWith(deadUp, [], { pid: postgres.pid!, dataDir });
    expect(await stopLeftovers(path, join(dir, 'nats'), 2_000)).toEqual(['postgres']);
    expect(await waitForExit(postgres, 2_000)).toBe(true);
    expect(postgres.exitCode).toBe(0);
    const strangers = await meshWith(deadUp, [], { pid: elsewhere.pid!, dataDir });
    expect(await stopLeftovers(strangers, join(dir, 'nats'), 2_000)).toEqual([]);
    expect(elsewhere.exitCode).toBeNull();
  });

  it('leaves everything alone while the forge up that wrote the file runs', async () => {
    const main = join(dir, 'services', 'scout', 'dist', 'main.js');
    await mkdir(join(dir, 'services', 'scout', 'dist'), { recursive: true });
    await writeFile(main, 'setInterval(() => {}, 1000);\n');
    const scout = spawnIdle([main]);
    const path = await meshWith(process.pid, [{ name: 'scout', pid: scout.pid! }]);
    expect(await stopLeftovers(path, join(dir, 'nats'))).toEqual([]);
    expect(await stopLeftovers(join(dir, 'missing.json'), join(dir, 'nats'))).toEqual([]);
    expect(scout.exitCode).toBeNull();
  });
});
