import { runAgentService } from '@forge/agent-kit';
import { marketingAgent } from './agent.js';
import { telemetry } from './instrumentation.js';

// The process entry: the kit reads the environment, wires, serves, and stops on SIGTERM.
await runAgentService(marketingAgent, process.env, { telemetry });
