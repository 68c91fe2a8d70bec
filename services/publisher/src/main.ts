import { runAgentService } from '@forge/agent-kit';
import { Late, type LoadedDayConfig, loadDayConfig } from '@forge/day';
import { createPublisherAgent } from './agent.js';
import { publisherExtension } from './extension.js';
import { telemetry } from './instrumentation.js';
import type { PublisherDeps } from './publisher-deps.js';

// The process entry: the day config (channel, windows), then the kit wires, serves and stops.
let loaded: LoadedDayConfig;
try {
  loaded = await loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-publisher: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const runtime = new Late<PublisherDeps>('the publisher');
await runAgentService(createPublisherAgent(runtime), process.env, {
  telemetry,
  extension: publisherExtension(runtime, loaded),
});
