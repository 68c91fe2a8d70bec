/**
 * Child process of router-overhead: one router, as `services/router` runs it (config from the
 * environment, route consumer, model gateway on NATS, `/v1/chat/completions`), plus an IPC side
 * door for the bench: `reset` clears the gateway's own-work samples and starts a CPU count,
 * `stats` returns their percentiles and the CPU used since, `profile-start` / `profile-stop:FILE`
 * record a V8 CPU profile of just the phase between them (through the inspector, so start-up and
 * warm-up stay out of it).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createRouterService, loadRouterConfig, type RouterService } from '@forge/service-router';
import { serveParent } from '../lib/child.js';
import type { RouterStats } from './router-stats.js';

let service: RouterService | undefined;
let profiler: Session | undefined;
let cpuSince = process.cpuUsage();
let wallSince = performance.now();

const parent = serveParent(
  async (command) => {
    const router = service;
    if (!router) throw new Error('the router is not started');
    switch (command) {
      case 'reset':
        router.stats.reset();
        cpuSince = process.cpuUsage();
        wallSince = performance.now();
        return true;
      case 'stats': {
        const cpu = process.cpuUsage(cpuSince);
        const stats: RouterStats = {
          count: router.stats.count,
          p50: router.stats.percentile(50) ?? null,
          p90: router.stats.percentile(90) ?? null,
          p99: router.stats.percentile(99) ?? null,
          cpuMs: (cpu.user + cpu.system) / 1000,
          wallMs: performance.now() - wallSince,
        };
        return stats;
      }
      case 'settle':
        return settle();
      case 'profile-start':
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
        return true;
      default: {
        if (command.startsWith('profile-stop:') && profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          profiler.disconnect();
          profiler = undefined;
          await writeFile(command.slice('profile-stop:'.length), JSON.stringify(profile));
          return true;
        }
        throw new Error(`unknown command ${command}`);
      }
    }
  },
  async () => {
    await service?.stop();
  },
);

/** The router counts as idle below this share of one core over a probe window. */
const IDLE_CPU_SHARE = 0.1;
const PROBE_MS = 250;
const SETTLE_MAX_MS = 20_000;

/**
 * Waits until the router has worked off what it still holds from the last phase (calls its
 * clients gave up on, ledger batches), judged by its own CPU over short windows: true once idle,
 * false if still busy after SETTLE_MAX_MS. Keeps one phase's backlog out of the next one's numbers.
 */
async function settle(): Promise<boolean> {
  const deadline = performance.now() + SETTLE_MAX_MS;
  while (performance.now() < deadline) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 < IDLE_CPU_SHARE * PROBE_MS) return true;
  }
  return false;
}

try {
  // The bench's switch (`--replies direct`): each reply written as it is made, as before coalescing.
  const coalesceReplies = process.env.FORGE_BUS_COALESCE_REPLIES !== '0';
  service = createRouterService(loadRouterConfig(process.env), { bus: { coalesceReplies } });
  await service.start();
  parent.ready({ url: service.url });
} catch (error) {
  await service?.stop().catch(() => undefined);
  parent.failed(error);
}
