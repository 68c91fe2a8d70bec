import { runAgentService } from '@forge/agent-kit';
import { Late, type LoadedDayConfig, loadDayConfig } from '@forge/day';
import { createComplianceAgent } from './agent.js';
import type { ComplianceDeps } from './compliance-deps.js';
import { complianceExtension } from './extension.js';
import { telemetry } from './instrumentation.js';

// The process entry: the day config, then the kit reads the environment, wires, serves, and
// stops on SIGTERM; the extension adds the approval queue.
let loaded: LoadedDayConfig;
try {
  loaded = await loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-compliance: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const runtime = new Late<ComplianceDeps>('the approval queue');
await runAgentService(createComplianceAgent(runtime), process.env, {
  telemetry,
  extension: complianceExtension(runtime, loaded),
});
