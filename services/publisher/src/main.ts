import { runAgentService } from '@forge/agent-kit';
import { publisherAgent } from './agent.js';
import { telemetry } from './instrumentation.js';

// The process entry: the kit reads the environment, wires, serves, and stops on SIGTERM.
await runAgentService(publisherAgent, process.env, { telemetry });
