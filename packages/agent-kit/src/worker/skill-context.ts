import { randomUUID } from 'node:crypto';
import { AgentEvent, type ArtifactChunk, ForgeError, isForgeError, parseOrThrow } from '@forge/contracts';
import type { TaskRecord, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { ModelClient } from '../models/model-client.js';
import { NO_PARTNERS, type PartnerClient } from '../partners/partner-client.js';
import type { EventPublisher, StatusPublisher } from '../ports/ports.js';
import type {
  ArtifactWriter,
  Skill,
  SkillArtifact,
  SkillContext,
  SkillMessage,
} from '../skills/define-skill.js';
import { InputRequiredSignal } from '../skills/input-required.js';
import { mediaTypeOf, partFromJson, partToJson, type SkillPart, toParts } from '../skills/skill-parts.js';
import { RejectSignal } from '../skills/skill-result.js';

export interface SkillContextDeps {
  brain: string;
  agent: string;
  skill: Skill;
  record: TaskRecord;
  signal: AbortSignal;
  logger: Logger;
  models: ModelClient;
  /** Default: none (every ask is UNAVAILABLE). */
  partners?: PartnerClient;
  tasks: TaskRepository;
  status: StatusPublisher;
  events: EventPublisher;
}

/** The id the JSON output's artifact has; no other artifact may take it. */
const RESULT_ID = 'result';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A stored A2A message (protocol JSON) as a skill sees it; null for one that is not a message. */
export function skillMessageOf(json: unknown): SkillMessage | null {
  if (!isObject(json) || typeof json.messageId !== 'string') return null;
  const parts = Array.isArray(json.parts)
    ? json.parts.filter(isObject).flatMap((p) => {
        const parsed = partFromJson(p);
        return parsed ? [parsed] : [];
      })
    : [];
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
  return {
    messageId: json.messageId,
    role: json.role === 'ROLE_AGENT' ? 'agent' : 'user',
    contextId: typeof json.contextId === 'string' ? json.contextId : '',
    taskId: typeof json.taskId === 'string' ? json.taskId : '',
    parts,
    metadata: isObject(json.metadata) ? json.metadata : {},
    referenceTaskIds: strings(json.referenceTaskIds),
    extensions: strings(json.extensions),
  };
}

/** Builds the context one run of one skill handler gets. */
export function createSkillContext(deps: SkillContextDeps): SkillContext {
  const { record, skill } = deps;
  // Read from the stored JSON only when a handler asks: most skills never look.
  let messages: SkillMessage[] | undefined;
  const history = (): SkillMessage[] =>
    (messages ??= record.a2a.history.flatMap((json) => {
      const message = skillMessageOf(json);
      return message ? [message] : [];
    }));

  /** Refuses parts of a type the skill's card does not list: the card must stay true. */
  const checkParts = (parts: readonly SkillPart[]): void => {
    for (const p of parts) {
      const type = mediaTypeOf(p);
      const listed = skill.outputModes.some((mode) => {
        const m = mode.toLowerCase();
        return m === '*/*' || m === type || (m.endsWith('/*') && type.startsWith(m.slice(0, -1)));
      });
      if (!listed) {
        throw new ForgeError(
          'INTERNAL',
          `${record.skill} sent ${type}, which its outputModes (${skill.outputModes.join(', ')}) do not list`,
          { retryable: false },
        );
      }
    }
  };

  const commitChunk = async (chunk: ArtifactChunk): Promise<void> => {
    let updated: TaskRecord;
    try {
      updated = await deps.tasks.appendArtifact(record.id, chunk, ['working']);
    } catch (error) {
      // The first claim commits without waiting for the WAL flush (claim-task.ts): a Postgres
      // crash right after it leaves the task `submitted` while this run goes on. Nothing else
      // puts a running task back there, so the claim is redone, durably, and the chunk kept.
      const from = isForgeError(error, 'ILLEGAL_TRANSITION') ? error.details?.from : undefined;
      if (from !== 'submitted' || record.state !== 'working') throw error;
      deps.logger.warn('the claim was lost with a Postgres restart: claimed again');
      await deps.tasks.transition(record.id, { to: 'working', from: ['submitted'], newAttempt: true });
      updated = await deps.tasks.appendArtifact(record.id, chunk, ['working']);
    }
    deps.status.publish(updated, chunk);
  };

  const artifactId = (id: string | undefined): string => {
    const chosen = id ?? randomUUID();
    if (chosen === RESULT_ID) {
      throw new ForgeError(
        'INTERNAL',
        `${record.skill}: artifact id "result" is reserved for the JSON output`,
        {
          retryable: false,
        },
      );
    }
    return chosen;
  };

  const meta = (a: Omit<SkillArtifact, 'parts'>) => ({
    ...(a.name === undefined ? {} : { name: a.name }),
    ...(a.description === undefined ? {} : { description: a.description }),
    ...(a.metadata === undefined ? {} : { metadata: a.metadata }),
  });

  const progress = async (message: string): Promise<void> => {
    try {
      // working → working without a new attempt: a status line, committed like any change. Naming
      // the claim redoes it in the same statement if a Postgres crash lost it (claim-task.ts).
      const updated = await deps.tasks.transition(record.id, {
        to: 'working',
        from: ['working'],
        message: message.slice(0, 4000),
        ...(record.state === 'working' ? { claimSeq: record.seq } : {}),
      });
      deps.status.publish(updated);
    } catch (error) {
      // The task ended meanwhile (canceled, deadline): the handler's signal says so already.
      if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
      deps.logger.debug({ message }, 'progress after the task ended: dropped');
    }
  };
  const waiting = (message: string): void => {
    progress(message).catch((error: unknown) =>
      deps.logger.warn({ err: String(error) }, 'could not record that the model call waits in a batch'),
    );
  };
  return {
    task: {
      id: record.id,
      skill: record.skill,
      origin: record.origin,
      contextId: record.contextId,
      attempt: record.attempt,
      routing: record.routing,
      parentId: record.parentId,
      deadline: record.deadline,
    },
    signal: deps.signal,
    logger: deps.logger,
    get message() {
      return history().findLast((m) => m.role === 'user');
    },
    history: (length?: number) =>
      length === undefined ? history() : length <= 0 ? [] : history().slice(-Math.floor(length)),
    // A call that names no signal of its own stops with the task (cancel, deadline, shutdown):
    // otherwise a canceled handler would wait out its model call (up to minutes) and then go on
    // to make the next one, spending budget on a task that has ended.
    // A call waiting in a vendor batch shows as the task's `working` status line.
    models: {
      call: (request, opts) =>
        deps.models.call(request, {
          ...opts,
          signal: opts?.signal ?? deps.signal,
          onWaiting: opts?.onWaiting ?? waiting,
        }),
    },
    partners: {
      ask: (target, input, opts) =>
        (deps.partners ?? NO_PARTNERS).ask(target, input, { ...opts, signal: opts?.signal ?? deps.signal }),
    },
    progress,
    async emit(kind: string, data: Record<string, unknown>): Promise<void> {
      const event = parseOrThrow(
        AgentEvent,
        {
          v: 1,
          id: randomUUID(),
          brain: deps.brain,
          agent: deps.agent,
          kind,
          taskId: record.id,
          at: new Date().toISOString(),
          data,
        },
        'agent event',
      );
      await deps.events.publish(event);
    },
    requireInput(reason: string): never {
      throw new InputRequiredSignal(reason);
    },
    reject(reason: string): never {
      throw new RejectSignal(reason);
    },
    async artifact(artifact: SkillArtifact): Promise<string> {
      const parts = toParts(artifact.parts);
      checkParts(parts);
      const id = artifactId(artifact.id);
      await commitChunk({
        artifactId: id,
        ...meta(artifact),
        parts: parts.map(partToJson),
        append: false,
        lastChunk: true,
      });
      return id;
    },
    artifactStream(artifact: Omit<SkillArtifact, 'parts'> = {}): ArtifactWriter {
      const id = artifactId(artifact.id);
      let started = false;
      let ended = false;
      const send = async (content: string | readonly SkillPart[] | undefined, last: boolean) => {
        if (ended) throw new ForgeError('INTERNAL', `artifact ${id} was already ended`, { retryable: false });
        const parts = content === undefined ? [] : toParts(content);
        checkParts(parts);
        await commitChunk({
          artifactId: id,
          ...(started ? {} : meta(artifact)),
          parts: parts.map(partToJson),
          append: started,
          lastChunk: last,
        });
        started = true;
        ended = last;
      };
      return {
        id,
        write: (parts) => send(parts, false),
        end: (parts) => send(parts, true),
      };
    },
  };
}
