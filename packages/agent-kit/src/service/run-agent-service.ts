import { runServiceProcess, type ServiceProcess } from '@forge/service-runtime';
import type { AgentDefinition } from '../skills/define-agent.js';
import { type AgentService, createAgentService } from './agent-service.js';
import { type AgentConfig, loadAgentConfig } from './config.js';

export interface RunOptions {
  /** Flushed last on shutdown, e.g. the Telemetry the service's instrumentation.ts started. */
  telemetry?: { shutdown(): Promise<void> };
  /** Where signals come from and the process goes; tests pass their own. Default `process`. */
  process?: ServiceProcess;
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
  await runServiceProcess<AgentConfig, AgentService>({
    name: `forge-${agent.name}`,
    loadConfig: () => loadAgentConfig(env),
    create: (config) => createAgentService(agent, config),
    shutdownGraceMs: (config) => config.shutdownGraceMs,
    telemetry: options.telemetry,
    process: options.process,
  });
}
