import { loadRouterConfig, type RouterConfig } from './config.js';
import { createRouterService, type RouterService } from './router-service.js';

export interface RunRouterOptions {
  /** Flushed last on shutdown: the Telemetry that instrumentation.ts started. */
  telemetry?: { shutdown(): Promise<void> };
  /** Where signals come from and the process goes; tests pass their own. Default `process`. */
  process?: Pick<NodeJS.Process, 'on' | 'once' | 'exit' | 'stderr'>;
}

/** Extra time over the shutdown grace before the process is ended regardless. */
const HARD_STOP_MARGIN_MS = 2_000;

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/**
 * The router's `main`: reads the config from `env` (every bad variable listed at once), starts the
 * router (a routing config that fails validation is reported with its field paths, exit 1),
 * reloads the routing config and API keys on SIGHUP (an invalid new file keeps the old one and is
 * logged), and stops on SIGTERM or SIGINT through the service's one shutdown path under a
 * deadline of `FORGE_SHUTDOWN_GRACE_MS` plus a small margin.
 */
export async function runRouter(
  env: Record<string, string | undefined>,
  options: RunRouterOptions = {},
): Promise<RouterService | undefined> {
  const proc = options.process ?? process;
  const fail = (what: string, error: unknown): never => {
    proc.stderr.write(`forge-router: ${what}: ${oneLine(error)}\n`);
    return proc.exit(1);
  };
  let config: RouterConfig;
  try {
    config = loadRouterConfig(env);
  } catch (error) {
    return fail('bad configuration', error);
  }
  const service = createRouterService(config);
  try {
    await service.start();
  } catch (error) {
    await service.stop().catch(() => undefined);
    await options.telemetry?.shutdown().catch(() => undefined);
    return fail('cannot start', error);
  }
  proc.on('SIGHUP', () => {
    void service.reload();
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => {
      proc.stderr.write(`forge-router: shutdown took longer than ${config.shutdownGraceMs} ms; exiting\n`);
      proc.exit(1);
    }, config.shutdownGraceMs + HARD_STOP_MARGIN_MS);
    hard.unref();
    service
      .stop()
      .then(() => options.telemetry?.shutdown())
      .then(
        () => proc.exit(0),
        (error: unknown) => fail(`stop after ${signal} failed`, error),
      );
  };
  proc.once('SIGTERM', () => shutdown('SIGTERM'));
  proc.once('SIGINT', () => shutdown('SIGINT'));
  return service;
}
