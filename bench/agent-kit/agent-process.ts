/**
 * The agent child of the agent-kit bench: one agent service with a trivial `echo` skill, started
 * from its environment as a service's main.ts starts it (config via loadAgentConfig, telemetry
 * from `--import ./instrumentation.ts`), plus probes and an IPC side door for the bench:
 * `probes-on` / `probes-off` (returns the marks), `cpu-reset` / `cpu` (CPU ms since the reset).
 * It also answers core NATS requests on `bench-echo.<brain>`, the transport floor.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createLogger } from '@forge/telemetry';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { serveParent } from './ipc.js';
import { enable, installProbes, mark, takeMarks } from './probes.js';

// `--kit` loads another copy of the kit (e.g. the source before a change) to compare in one sitting.
type Kit = typeof import('@forge/agent-kit');
const kit = (await import(process.env.BENCH_AGENT_KIT_ENTRY ?? '@forge/agent-kit')) as Kit;
const { createAgentService, defineAgent, defineSkill, loadAgentConfig } = kit;

const agent = defineAgent({
  name: 'benchecho',
  description: 'The agent-kit bench agent.',
  skills: [
    defineSkill({
      id: 'echo',
      description: 'Echoes its text.',
      input: z.object({ text: z.string() }),
      output: z.object({ echo: z.string() }),
      tier: 'tool',
      handler: async ({ text }) => {
        mark('handler');
        return { echo: text };
      },
    }),
  ],
});

const config = loadAgentConfig(process.env);
const nc = await connect({ servers: config.natsUrl, name: 'bench-echo', noAsyncTraces: true });
installProbes(nc);
nc.subscribe(`bench-echo.${config.brain}`, {
  callback: (_e, msg) => {
    msg.respond(msg.data);
  },
});

// The kit alone is measured (no router): tasks go straight to the agent, the test-only path.
const service = createAgentService(agent, config, {
  logger: createLogger({ name: 'bench-agent', level: 'warn', destination: process.stderr }),
  testOnlyDirectDispatch: true,
});
let cpuSince = process.cpuUsage();
let profiler: Session | undefined;

const parent = serveParent(
  async (command) => {
    switch (command) {
      case 'probes-on':
        enable(true);
        return true;
      case 'probes-off':
        enable(false);
        return takeMarks();
      case 'time-origin':
        return performance.timeOrigin;
      case 'cpu-reset':
        cpuSince = process.cpuUsage();
        return true;
      case 'profile-start': {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
        return true;
      }
      case 'profile-stop': {
        if (!profiler) return null;
        const { profile } = await profiler.post('Profiler.stop');
        const path = `${process.env.BENCH_CPU_PROF_DIR ?? '.'}/agent-${Date.now()}.cpuprofile`;
        await writeFile(path, JSON.stringify(profile));
        profiler.disconnect();
        profiler = undefined;
        return path;
      }
      case 'cpu': {
        const cpu = process.cpuUsage(cpuSince);
        return (cpu.user + cpu.system) / 1000;
      }
      default:
        throw new Error(`unknown command ${command}`);
    }
  },
  async () => {
    await service.stop();
    await nc.close();
  },
);

try {
  await service.start();
  parent.ready(service.url);
} catch (error) {
  await service.stop().catch(() => undefined);
  parent.failed(error);
}
