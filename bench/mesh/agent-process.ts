/**
 * The agent child of `bench mesh`: one agent service with a tool-tier `echo` skill, started from
 * its environment as a service's main.ts starts it (config via loadAgentConfig, telemetry from
 * `--import ./agent-instrumentation.ts`). Unlike the agent-kit bench it takes the production path:
 * the edge publishes to `task.route`, the router decides and forwards to `task.run.benchmesh`, the
 * worker runs the skill. Announces its URL and pid; `stop` ends it (a `--cpu-prof` is written then).
 */
import { createAgentService, defineAgent, defineSkill, loadAgentConfig } from '@forge/agent-kit';
import { createLogger } from '@forge/telemetry';
import { z } from 'zod';
import { serveParent } from '../lib/child.js';

const agent = defineAgent({
  name: 'benchmesh',
  description: 'The mesh bench agent.',
  skills: [
    defineSkill({
      id: 'echo',
      description: 'Echoes its text (tool tier: no model).',
      input: z.object({ text: z.string() }),
      output: z.object({ echo: z.string() }),
      tier: 'tool',
      handler: async ({ text }) => ({ echo: text }),
    }),
  ],
});

const service = createAgentService(agent, loadAgentConfig(process.env), {
  logger: createLogger({ name: 'bench-mesh-agent', level: 'warn', destination: process.stderr }),
});

const parent = serveParent(
  async (command) => {
    throw new Error(`unknown command ${command}`);
  },
  () => service.stop(),
);

try {
  await service.start();
  parent.ready({ url: service.url, pid: String(process.pid) });
} catch (error) {
  await service.stop().catch(() => undefined);
  parent.failed(error);
}
