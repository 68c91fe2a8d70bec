import { runServiceProcess, type ServiceProcess } from '@forge/service-runtime';
import { loadRouterConfig, type RouterConfig } from './config.js';
import { createRouterService, type RouterService } from './router-service.js';

export interface RunRouterOptions {
  /** Flushed last on shutdown: the Telemetry that instrumentation.ts started. */
  telemetry?: { shutdown(): Promise<void> };
  /** Where signals come from and the process goes; tests pass their own. Default `process`. */
  process?: ServiceProcess;
}

/**
 * The router's `main`: reads the config from `env` (every bad variable listed at once), starts the
 * router (a routing config that fails validation is reported with its field paths, exit 1),
 * reloads the routing config and API keys on SIGHUP (an invalid new file keeps the old one and is
 * logged), and stops on SIGTERM or SIGINT through the service's one shutdown path under a
 * deadline of `FORGE_SHUTDOWN_GRACE_MS` plus a small margin.
 */
export function runRouter(
  env: Record<string, string | undefined>,
  options: RunRouterOptions = {},
): Promise<RouterService | undefined> {
  return runServiceProcess<RouterConfig, RouterService>({
    name: 'forge-router',
    loadConfig: () => loadRouterConfig(env),
    create: (config) => createRouterService(config),
    shutdownGraceMs: (config) => config.shutdownGraceMs,
    telemetry: options.telemetry,
    process: options.process,
    onReload: (service) => {
      void service.reload();
    },
  });
}
