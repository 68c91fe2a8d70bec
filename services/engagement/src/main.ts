import { runAgentService } from '@forge/agent-kit';
import { Late, type LoadedDayConfig, loadDayConfig } from '@forge/day';
import { createEngagementAgent } from './agent.js';
import type { EngagementDeps } from './engagement-deps.js';
import { engagementExtension } from './extension.js';
import { telemetry } from './instrumentation.js';

// The process entry: the day config, then the kit wires, serves and stops on SIGTERM; the
// extension consumes surfaced stories.
let loaded: LoadedDayConfig;
try {
  loaded = await loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-engagement: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const runtime = new Late<EngagementDeps>('engagement');
await runAgentService(createEngagementAgent(runtime), process.env, {
  telemetry,
  extension: engagementExtension(runtime, loaded),
});
