import { runAgentService } from '@forge/agent-kit';
import { Late, type LoadedDayConfig, loadDayConfig } from '@forge/day';
import { createDiaryAgent } from './agent.js';
import type { DiaryDeps } from './diary-deps.js';
import { diaryExtension } from './extension.js';
import { telemetry } from './instrumentation.js';

// The process entry: the day config, then the kit wires, serves and stops on SIGTERM; the
// extension turns agents' notable events into observations.
let loaded: LoadedDayConfig;
try {
  loaded = await loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-diary: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const runtime = new Late<DiaryDeps>('the diary');
await runAgentService(createDiaryAgent(runtime), process.env, {
  telemetry,
  extension: diaryExtension(runtime, loaded),
});
