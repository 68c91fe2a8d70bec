import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ForgeError } from '@forge/contracts';
import type { UpOptions } from '../args.js';
import type { Io } from '../io.js';
import { GATEWAY_PUBLIC_OFFSET } from '../service-table.js';
import type { UpReport } from '../up-report.js';
import { runUp, type UpHooks } from './up.js';

/** Each brain's ports: `port-base + 100 * i` (its embedded Postgres at +50 of that). */
export const BRAIN_PORT_STRIDE = 100;

/** `<brains dir>/<brain>/federation.yaml` (the repository's config/brains by default). */
export function brainFederationConfig(brain: string, brainsDir: string): string {
  return join(brainsDir, brain, 'federation.yaml');
}

/**
 * `forge up --brains a,b`: every brain a whole mesh of its own (its subject prefix and streams,
 * its Postgres schema, its ports from `port-base + 100 * i`, its keys) with its gateway, from
 * `<brains dir>/<name>/federation.yaml` (FORGE_BRAINS_DIR, default config/brains); each gateway is told where the others are
 * (FORGE_PARTNER_<NAME>_URL). The brains start one after another (the first starts NATS when
 * none runs) and stop together on SIGINT/SIGTERM or when one of them fails.
 */
export async function runUpBrains(
  options: UpOptions,
  io: Io,
  hooks: UpHooks = {},
  runBrain: typeof runUp = runUp,
): Promise<number> {
  const { brains } = options;
  const configs = brains.map((brain) => brainFederationConfig(brain, options.brainsDir));
  const missing = configs.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new ForgeError('BAD_CONFIG', `--brains: no federation config at ${missing.join(', ')}`);
  }
  const base = (i: number) => options.portBase + BRAIN_PORT_STRIDE * i;
  const gatewayUrl = (i: number) => `http://127.0.0.1:${base(i) + GATEWAY_PUBLIC_OFFSET}`;
  const stop = new AbortController();
  if (hooks.stop?.aborted) stop.abort();
  hooks.stop?.addEventListener('abort', () => stop.abort(), { once: true });
  const reports: UpReport[] = [];
  const runs: Promise<number>[] = [];
  /** The first brain that failed (to start or later); thrown once every brain has stopped. */
  let failure = undefined as { error: unknown } | undefined;
  for (const [i, brain] of brains.entries()) {
    if (stop.signal.aborted) break;
    const localPartners = Object.fromEntries(
      brains.flatMap((other, j) => (other === brain ? [] : [[other, gatewayUrl(j)]])),
    );
    let started = () => {};
    // Settles when the brain is ready, or when its run ends first (it failed, or was stopped).
    const ready = new Promise<void>((resolve) => {
      started = resolve;
    });
    const run = runBrain(
      {
        ...options,
        brain,
        brains: [],
        portBase: base(i),
        pgPort: options.pgPort - options.portBase + base(i),
        federationConfig: configs[i],
        localPartners,
      },
      io,
      {
        ...(hooks.root ? { root: hooks.root } : {}),
        stop: stop.signal,
        onReady: (report) => {
          reports.push(report);
          started();
        },
      },
    )
      .catch((error: unknown) => {
        failure ??= { error };
        return 1;
      })
      .finally(() => {
        stop.abort();
        started();
      });
    runs.push(run);
    await ready;
  }
  if (!stop.signal.aborted && reports.length === brains.length) hooks.onReady?.(reports[reports.length - 1]!);
  // Every brain stops (together) before the command ends, a failure or not.
  const codes = await Promise.all(runs);
  if (failure) throw failure.error;
  return Math.max(0, ...codes);
}
