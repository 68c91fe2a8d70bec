import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';
import { type MeshFile, writeMeshFile } from './mesh-file.js';
import { brainPaths } from './paths.js';

/** A stand-in service over real HTTP: /readyz answers `readyStatus`, the card is a card. */
async function fakeService(name: string, readyStatus: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(readyStatus).end();
    } else if (req.url === '/.well-known/agent-card.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, skills: [{ id: 'ping', name: 'Ping' }] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('forge status', () => {
  let dir: string;
  const servers: Server[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-status-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  async function writeMesh(services: { name: string; port: number; agent?: false }[], pid = process.pid) {
    const paths = brainPaths(dir, 'st');
    await mkdir(paths.dir, { recursive: true });
    const mesh: MeshFile = {
      v: 1,
      brain: 'st',
      pid,
      startedAt: new Date().toISOString(),
      nats: { url: 'nats://127.0.0.1:4222', startedByForge: false },
      postgres: { url: 'postgres://postgres@127.0.0.1:1/postgres', embedded: true, pid: null },
      operatorKeyFile: paths.operatorKey,
      services: services.map(({ name, port, agent }) => ({
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        card: agent === false ? null : `http://127.0.0.1:${port}/.well-known/agent-card.json`,
        pid: null,
      })),
    };
    await writeMeshFile(paths.mesh, mesh);
  }

  it('reports each service of the live mesh file, healthy only when ready with a card', async () => {
    const up = await fakeService('scout', 200);
    const draining = await fakeService('diary', 503);
    servers.push(up.server, draining.server);
    await writeMesh([
      { name: 'scout', port: up.port },
      { name: 'diary', port: draining.port },
    ]);
    const io = memoryIo();
    const code = await runCli(['status', '--brain', 'st', '--state-dir', dir, '--json'], io);
    expect(code).toBe(1);
    expect(io.stdout).toHaveLength(1);
    const body = JSON.parse(io.stdout[0]!);
    expect(body.services).toEqual([
      expect.objectContaining({
        name: 'scout',
        healthy: true,
        card: `http://127.0.0.1:${up.port}/.well-known/agent-card.json`,
        skills: ['ping'],
      }),
      expect.objectContaining({ name: 'diary', healthy: false, ready: false }),
    ]);
  });

  it('exits 0 when every service is healthy, a service without a card on /readyz alone', async () => {
    const up = await fakeService('scout', 200);
    const router = await fakeService('router', 200);
    servers.push(up.server, router.server);
    await writeMesh([
      { name: 'scout', port: up.port },
      { name: 'router', port: router.port, agent: false },
    ]);
    const io = memoryIo();
    expect(await runCli(['status', '--brain', 'st', '--state-dir', dir], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/scout +healthy/);
    expect(io.stdout.join('\n')).toMatch(
      new RegExp(`router +healthy +http://127\\.0\\.0\\.1:${router.port} \\(no card\\)`),
    );
  });

  it('ignores a stale mesh file and falls back to the port table', async () => {
    const up = await fakeService('scout', 200);
    servers.push(up.server);
    // A pid that cannot be alive: the mesh file is left over from a forge up that is gone.
    await writeMesh([{ name: 'scout', port: up.port }], 2 ** 22 + 1);
    const io = memoryIo();
    const code = await runCli(
      ['status', '--brain', 'st', '--state-dir', dir, '--port-base', '1100', '--json'],
      io,
    );
    expect(code).toBe(1);
    const names = JSON.parse(io.stdout[0]!).services.map((row: { name: string; port: number }) => [
      row.name,
      row.port,
    ]);
    expect(names).toEqual([
      ['router', 1100],
      ['scout', 1101],
      ['engagement', 1102],
      ['compliance', 1103],
      ['publisher', 1104],
      ['marketing', 1105],
      ['diary', 1106],
      ['scheduler', 1107],
      ['day', 1108],
      ['console', 1109],
    ]);
  });
});
