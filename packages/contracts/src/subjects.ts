import { BrainName } from './names.js';
import { STORY_SURFACED } from './story-surfaced.js';
import { parseOrThrow } from './validation.js';

/** Names of a JetStream stream and the subjects it captures. */
export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
}

/**
 * Every NATS subject, stream and durable consumer name of one brain. All services take their
 * names from here, so two brains on one NATS server never see each other's traffic:
 *
 * - `forge.<brain>.task.route`          submissions waiting for a routing decision (stream TASKS)
 * - `forge.<brain>.task.run.<agent>`    routed tasks, one durable queue per agent type (stream TASKS)
 * - `forge.<brain>.dlq.<source>`         what failed its attempts, with the reason in headers (stream DLQ)
 * - `forge.<brain>.event.<agent>.<kind>` agent events for the diary and console (stream EVENTS)
 * - `forge.<brain>.status.<taskId>`      task state changes, core NATS, outside `task.>`
 * - `forge.<brain>.cancel.<agent>`       cancel requests to whichever worker holds the task, core NATS
 * - `forge.<brain>.model.call`           model gateway request/reply, core NATS
 * - `forge.<brain>.scheduler.control`    the scheduler's list/run/pause/resume, core NATS request/reply
 * - `forge.<brain>.partner.ask`          a skill's question to a partner brain, answered by the gateway
 *
 * Named events (on `event.<agent>.<kind>`): `storySurfaced` = `event.scout.story-surfaced`.
 */
export interface ForgeSubjects {
  readonly brain: BrainName;
  readonly prefix: string;
  readonly streams: {
    readonly tasks: StreamSpec;
    readonly deadLetter: StreamSpec;
    readonly events: StreamSpec;
  };
  readonly taskRoute: string;
  taskRun(agent: string): string;
  readonly taskRunAll: string;
  status(taskId: string): string;
  readonly statusAll: string;
  cancel(agent: string): string;
  event(agent: string, kind: string): string;
  readonly eventAll: string;
  /** The dead-letter subject for a message that came from `sourceSubject`. */
  deadLetter(sourceSubject: string): string;
  readonly modelCall: string;
  /** The scout's surfaced stories (`StorySurfacedEvent`), what the engagement agent drafts takes on. */
  readonly storySurfaced: string;
  /** Requests to the scheduler (`SchedulerControlRequest` → `SchedulerControlReply`). */
  readonly schedulerControl: string;
  /** Questions to partner brains (`PartnerAskRequest` → `PartnerAskReply`), served by the gateway. */
  readonly partnerAsk: string;
  readonly consumers: { readonly router: string; agent(agent: string): string };
}

export function forgeSubjects(brain: string): ForgeSubjects {
  const name = parseOrThrow(BrainName, brain, 'brain name', 'brain');
  const prefix = `forge.${name}`;
  const stream = `FORGE_${name.toUpperCase()}`;
  return {
    brain: name,
    prefix,
    streams: {
      tasks: { name: `${stream}_TASKS`, subjects: [`${prefix}.task.>`] },
      deadLetter: { name: `${stream}_DLQ`, subjects: [`${prefix}.dlq.>`] },
      events: { name: `${stream}_EVENTS`, subjects: [`${prefix}.event.>`] },
    },
    taskRoute: `${prefix}.task.route`,
    taskRun: (agent) => `${prefix}.task.run.${agent}`,
    taskRunAll: `${prefix}.task.run.*`,
    status: (taskId) => `${prefix}.status.${taskId}`,
    statusAll: `${prefix}.status.*`,
    cancel: (agent) => `${prefix}.cancel.${agent}`,
    event: (agent, kind) => `${prefix}.event.${agent}.${kind}`,
    eventAll: `${prefix}.event.>`,
    deadLetter: (source) =>
      `${prefix}.dlq.${source.startsWith(`${prefix}.`) ? source.slice(prefix.length + 1) : source}`,
    modelCall: `${prefix}.model.call`,
    storySurfaced: `${prefix}.event.${STORY_SURFACED.agent}.${STORY_SURFACED.kind}`,
    schedulerControl: `${prefix}.scheduler.control`,
    partnerAsk: `${prefix}.partner.ask`,
    consumers: { router: 'router', agent: (agent) => `agent-${agent}` },
  };
}

/** NATS header names Forge sets. Trace context uses the W3C names (`traceparent`, `tracestate`). */
export const HEADERS = {
  taskId: 'Forge-Task-Id',
  deadReason: 'Forge-Dead-Reason',
  deadCode: 'Forge-Dead-Code',
  deadSubject: 'Forge-Dead-Subject',
  deadStream: 'Forge-Dead-Stream',
  deadSequence: 'Forge-Dead-Sequence',
  deadDeliveries: 'Forge-Dead-Deliveries',
} as const;
