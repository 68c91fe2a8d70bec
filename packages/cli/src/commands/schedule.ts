import { Bus } from '@forge/bus';
import {
  ForgeError,
  isForgeError,
  SchedulerControlReply as ReplySchema,
  SCHEDULER_CONTROL_VERSION,
  type SchedulerControlReply,
  SchedulerControlRequest,
} from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import type { ScheduleOptions } from '../args.js';
import type { Io } from '../io.js';
import { readLiveMeshFile } from '../mesh-file.js';
import { brainPaths } from '../paths.js';
import { runLine, scheduleTable } from '../schedule-table.js';

const DEFAULT_NATS = 'nats://127.0.0.1:4222';

/** NATS_URL, else the running mesh's NATS (stored redacted: only usable without credentials). */
async function natsUrlFor(options: ScheduleOptions): Promise<string> {
  if (options.natsUrl) return options.natsUrl;
  const mesh = await readLiveMeshFile(brainPaths(options.stateDir, options.brain).mesh);
  if (mesh && !mesh.nats.url.includes('***')) return mesh.nats.url;
  if (mesh)
    throw new ForgeError('UNAVAILABLE', `brain ${options.brain}'s NATS URL holds credentials; set NATS_URL`, {
      retryable: false,
    });
  return DEFAULT_NATS;
}

function request(options: ScheduleOptions): SchedulerControlRequest {
  const v = SCHEDULER_CONTROL_VERSION;
  switch (options.action) {
    case 'list':
      return { v, op: 'list' };
    case 'run':
      return { v, op: 'run', name: options.name!, by: 'operator' };
    case 'pause':
      return {
        v,
        op: 'pause',
        name: options.name!,
        by: 'operator',
        ...(options.reason ? { reason: options.reason } : {}),
      };
    case 'resume':
      return { v, op: 'resume', name: options.name!, by: 'operator' };
  }
}

function print(reply: SchedulerControlReply, io: Io): number {
  switch (reply.op) {
    case 'list':
      for (const line of scheduleTable(
        reply.schedules,
        `${reply.schedules.length} schedules, clock ${reply.clock}, now ${reply.now}`,
      ))
        io.out(line);
      return 0;
    case 'run': {
      const { schedule, run } = reply;
      io.out(
        `${schedule.name}: ${runLine(run, schedule.timeZone)}${run.taskId ? ` (task ${run.taskId})` : ''}`,
      );
      if (run.reason) io.out(`  ${run.reason}`);
      return run.outcome === 'submitted' ? 0 : 1;
    }
    case 'pause':
      io.out(
        `${reply.schedule.name}: paused by ${reply.schedule.pausedBy}; its ticks do not run until it is resumed`,
      );
      return 0;
    case 'resume':
      io.out(`${reply.schedule.name}: resumed; next run ${reply.schedule.nextRunAt ?? 'never'}`);
      return 0;
  }
}

/**
 * `forge schedule list|run|pause|resume`: asks the brain's scheduler over NATS
 * (`forge.<brain>.scheduler.control`); `--json` prints its reply as it came. Exit 1 when a manual
 * run was not submitted (skipped or failed), or no scheduler answers.
 */
export async function runSchedule(options: ScheduleOptions, io: Io): Promise<number> {
  const url = await natsUrlFor(options);
  const logger = createLogger({ name: 'forge-cli', level: 'silent' });
  let bus: Bus;
  try {
    bus = await Bus.connect({ servers: url, name: 'forge-cli', brain: options.brain, logger });
  } catch (error) {
    throw new ForgeError(
      'UNAVAILABLE',
      `cannot reach NATS at ${url}: is \`forge up\` running? (${(error as Error).message})`,
      {
        retryable: false,
        cause: error,
      },
    );
  }
  try {
    const reply = await bus
      .request(bus.subjects.schedulerControl, SchedulerControlRequest, request(options), ReplySchema, {
        timeoutMs: options.timeoutMs,
      })
      .catch((error: unknown) => {
        if (!isForgeError(error, 'UNAVAILABLE')) throw error;
        throw new ForgeError(
          'UNAVAILABLE',
          `no scheduler answered for brain ${options.brain} within ${options.timeoutMs / 1000}s: is \`forge up\` running?`,
          { retryable: false, cause: error },
        );
      });
    if (options.json) {
      io.out(JSON.stringify(reply));
      return reply.op === 'run' && reply.run.outcome !== 'submitted' ? 1 : 0;
    }
    return print(reply, io);
  } finally {
    await bus.drain().catch(() => undefined);
  }
}
