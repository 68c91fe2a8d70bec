import { type AgentService, createAgentService } from './agent-service.js';
import { type AgentConfig, loadAgentConfig } from './config.js';
import type { AgentDefinition } from './define-agent.js';

export interface RunOptions {
  /** Flushed last on shutdown, e.g. the Telemetry the service's instrumentation.ts started. */
  telemetry?: { shutdown(): Promise<void> };
  /** Where the process goes; tests pass their own. Default `process`. */
  process?: Pick<NodeJS.Process, 'once' | 'exit' | 'stderr'>;
}

/** Extra time over the shutdown grace before the process is ended regardless. */
const HARD_STOP_MARGIN_MS = 2_000;

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

/**
 * A service's `main`: reads the config from `env` (every bad variable listed at once), wires and
 * starts the agent, and stops it on SIGTERM or SIGINT through the service's one shutdown path,
 * under a deadline of `FORGE_SHUTDOWN_GRACE_MS` plus a small margin. When the config is wrong or
 * NATS or Postgres cannot be reached at start, it writes one line (no stack) to stderr and exits 1.
 */
export async function runAgentService(
  agent: AgentDefinition,
  env: Record<string, string | undefined> = process.env,
  options: RunOptions = {},
): Promise<void> {
  const proc = options.process ?? process;
  const name = `forge-${agent.name}`;
  const fail = (what: string, error: unknown): never => {
    proc.stderr.write(`${name}: ${what}: ${oneLine(error)}\n`);
    return proc.exit(1);
  };
  let config: AgentConfig;
  try {
    config = loadAgentConfig(env);
  } catch (error) {
    return fail('bad configuration', error);
  }
  const service: AgentService = createAgentService(agent, config);
  try {
    await service.start();
  } catch (error) {
    await service.stop().catch(() => undefined);
    await options.telemetry?.shutdown().catch(() => undefined);
    return fail('cannot start', error);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => {
      proc.stderr.write(`${name}: shutdown took longer than ${config.shutdownGraceMs} ms; exiting\n`);
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
}
