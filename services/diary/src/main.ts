import { runAgentService } from '@forge/agent-kit';
import { diaryAgent } from './agent.js';
import { telemetry } from './instrumentation.js';

// The process entry: the kit reads the environment, wires, serves, and stops on SIGTERM.
await runAgentService(diaryAgent, process.env, { telemetry });
