import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { ForgeError } from '@forge/contracts';
import { redactUrl } from '@forge/telemetry';
import type { Env } from './args.js';
import { findOnPath } from './child-process.js';
import { SupervisedProcess, type SupervisorHooks } from './supervised-process.js';

/** What a NATS server says first on a fresh connection (the fields Forge cares about). */
export interface NatsInfo {
  readonly serverName: string;
  readonly version: string;
  readonly jetstream: boolean;
}

/** The first server of a (possibly comma-separated) NATS_URL, as host and port. */
export function firstNatsServer(natsUrl: string): { host: string; port: number } {
  const url = new URL(natsUrl.split(',')[0]!.trim());
  return { host: url.hostname, port: url.port ? Number(url.port) : 4222 };
}

/** NATS_URL with any credentials masked, every server of the list. */
export function redactNatsUrl(natsUrl: string): string {
  return natsUrl
    .split(',')
    .map((part) => redactUrl(part.trim()).replace(/\/$/, ''))
    .join(',');
}

/**
 * Opens a TCP connection and reads the server's INFO line: enough to know a NATS server answers
 * and whether it has JetStream, without a client library. Null when nothing NATS-like answers
 * within `timeoutMs`.
 */
export function probeNats(natsUrl: string, timeoutMs = 1_000): Promise<NatsInfo | null> {
  const { host, port } = firstNatsServer(natsUrl);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buffered = '';
    const finish = (info: NatsInfo | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('error', () => finish(null));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      const line = buffered.slice(0, end);
      if (!line.startsWith('INFO ')) return finish(null);
      try {
        const info = JSON.parse(line.slice(5)) as {
          server_name?: string;
          version?: string;
          jetstream?: boolean;
        };
        finish({
          serverName: info.server_name ?? '',
          version: info.version ?? '',
          jetstream: info.jetstream === true,
        });
      } catch {
        finish(null);
      }
    });
  });
}

/** NATS as `forge up` uses it: the URL, and a stop for a server it started itself. */
export interface NatsHandle {
  readonly url: string;
  readonly startedByForge: boolean;
  readonly info: NatsInfo;
  /** The current pid of a nats-server forge up started (it may have been restarted); else null. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Uses the NATS server at `natsUrl`; when none answers, the URL is local and `nats-server` is on
 * PATH, starts one with JetStream, its data under `dataDir`, as a supervised process named
 * `nats` (restarted like the services when it exits on its own; JetStream keeps its streams on
 * disk, and the services reconnect). Throws UNAVAILABLE with a line that says what to do
 * otherwise, and BAD_CONFIG when the server has no JetStream.
 */
export async function ensureNats(opts: {
  natsUrl: string;
  dataDir: string;
  env: Env;
  supervisor: SupervisorHooks;
  timeoutMs?: number;
}): Promise<NatsHandle> {
  const shown = redactNatsUrl(opts.natsUrl);
  const existing = await probeNats(opts.natsUrl);
  if (existing) {
    if (!existing.jetstream) {
      throw new ForgeError('BAD_CONFIG', `NATS at ${shown} has no JetStream; start nats-server with -js`);
    }
    return { url: opts.natsUrl, startedByForge: false, info: existing, pid: null, stop: async () => {} };
  }
  const { host, port } = firstNatsServer(opts.natsUrl);
  const binary = findOnPath('nats-server', opts.env);
  if (!binary || !LOCAL_HOSTS.has(host)) {
    const hint = binary
      ? 'it is not local, so forge up does not start one'
      : 'is nats-server running? install it with `apt-get install -y nats-server`, or set NATS_URL';
    throw new ForgeError('UNAVAILABLE', `cannot reach NATS at ${shown} (${hint})`);
  }
  await mkdir(opts.dataDir, { recursive: true });
  // Its own process group (as every supervised process): Ctrl-C reaches forge up, which stops
  // NATS last, after the services.
  const proc = new SupervisedProcess({
    name: 'nats',
    command: binary,
    args: natsServerArgs(host, port, opts.dataDir),
    cwd: opts.dataDir,
    env: { PATH: opts.env.PATH ?? '/usr/bin:/bin' },
    ...opts.supervisor,
  });
  proc.start();
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline && !proc.gaveUp) {
    const info = await probeNats(opts.natsUrl, 500);
    if (info) {
      return {
        url: opts.natsUrl,
        startedByForge: true,
        info,
        get pid() {
          return proc.pid;
        },
        stop: async () => {
          await proc.stop(5_000);
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await proc.stop(1_000);
  throw new ForgeError(
    'UNAVAILABLE',
    `cannot reach NATS at ${shown}: the nats-server forge up started did not answer; see its log lines above`,
  );
}

/** The command line of a nats-server forge up starts: JetStream, its store in `dataDir`. */
export function natsServerArgs(host: string, port: number, dataDir: string): string[] {
  return ['-a', host, '-p', String(port), '-js', '-sd', dataDir];
}
