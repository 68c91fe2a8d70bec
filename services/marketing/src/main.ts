import { runAgentService } from '@forge/agent-kit';
import { Late, type LoadedDayConfig, loadDayConfig } from '@forge/day';
import { createMarketingAgent } from './agent.js';
import { marketingExtension } from './extension.js';
import { telemetry } from './instrumentation.js';
import type { MarketingDeps } from './marketing-deps.js';

// The process entry: the day config (cadence, themes), then the kit wires, serves and stops.
let loaded: LoadedDayConfig;
try {
  loaded = await loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-marketing: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const runtime = new Late<MarketingDeps>('marketing');
await runAgentService(createMarketingAgent(runtime), process.env, {
  telemetry,
  extension: marketingExtension(runtime, loaded),
});
