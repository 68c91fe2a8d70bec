import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { ForgeError } from '@forge/contracts';
import { redactUrl } from '@forge/telemetry';
import type { Env } from './args.js';
import { findOnPath, stopChild } from './child-process.js';

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
  readonly process: ChildProcess | null;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Uses the NATS server at `natsUrl`; when none answers, the URL is local and `nats-server` is on
 * PATH, starts one with JetStream, its data under `dataDir`. Throws UNAVAILABLE with a line that
 * says what to do otherwise, and BAD_CONFIG when the server has no JetStream.
 */
export async function ensureNats(opts: {
  natsUrl: string;
  dataDir: string;
  env: Env;
  onOutput?: (child: ChildProcess) => void;
}): Promise<NatsHandle> {
  const shown = redactNatsUrl(opts.natsUrl);
  const existing = await probeNats(opts.natsUrl);
  if (existing) {
    if (!existing.jetstream) {
      throw new ForgeError('BAD_CONFIG', `NATS at ${shown} has no JetStream; start nats-server with -js`);
    }
    return { url: opts.natsUrl, startedByForge: false, info: existing, process: null, stop: async () => {} };
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
  const child = spawn(binary, ['-a', host, '-p', String(port), '-js', '-sd', opts.dataDir], {
    // Its own process group: Ctrl-C reaches forge up, which stops NATS last, after the services.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  opts.onOutput?.(child);
  const exited = new Promise<null>((resolve) => child.once('exit', () => resolve(null)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const info = await Promise.race([probeNats(opts.natsUrl, 500), exited]);
    if (info) {
      return {
        url: opts.natsUrl,
        startedByForge: true,
        info,
        process: child,
        stop: async () => {
          await stopChild(child, 5_000);
        },
      };
    }
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopChild(child, 1_000);
  throw new ForgeError(
    'UNAVAILABLE',
    `cannot reach NATS at ${shown}: the nats-server forge up started did not answer`,
  );
}
