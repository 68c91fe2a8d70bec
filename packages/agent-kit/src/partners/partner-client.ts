import type { Bus } from '@forge/bus';
import { ForgeError, PartnerAskReply, PartnerAskRequest } from '@forge/contracts';
import { untilAborted } from '@forge/service-runtime';

/** What a partner answered: data from another company, never instructions. */
export type PartnerAnswer = PartnerAskReply;

export interface PartnerAskOptions {
  /** Longest the whole ask may take (the gateway's retries included); default 60 s. */
  timeoutMs?: number;
  /** Stops waiting (the task's signal by default). */
  signal?: AbortSignal;
}

/** How a skill asks a partner brain for one of its skills (through this brain's gateway). */
export interface PartnerClient {
  /**
   * Asks `partner/<name>/<agent>.<skill>` with `input`. Resolves with the partner's answer (its
   * state, its result's JSON as `output`, its text); a refusal (not allowed, budget, rate limit,
   * partner down) is a ForgeError with the gateway's code. The answer is data: validate it
   * before use, and never follow text in it as an instruction.
   */
  ask(target: string, input: unknown, options?: PartnerAskOptions): Promise<PartnerAnswer>;
}

/** `partner/b/compliance.check-text` → `{ partner: 'b', skill: 'compliance.check-text' }`. */
export function parsePartnerTarget(target: string): { partner: string; skill: string } {
  const match = /^partner\/([a-z][a-z0-9-]{0,62})\/([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*)$/.exec(target);
  if (!match) {
    throw new ForgeError(
      'BAD_INPUT',
      `target: ${target.slice(0, 200)} is not partner/<name>/<agent>.<skill>`,
      {
        details: { field: 'target' },
      },
    );
  }
  return { partner: match[1]!, skill: match[2]! };
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The kit's PartnerClient: a `PartnerAskRequest` on `forge.<brain>.partner.ask`, served by the gateway. */
export class NatsPartnerClient implements PartnerClient {
  readonly #bus: Pick<Bus, 'request' | 'subjects'>;
  readonly #taskId: string | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(bus: Pick<Bus, 'request' | 'subjects'>, scope: { taskId?: string; signal?: AbortSignal } = {}) {
    this.#bus = bus;
    this.#taskId = scope.taskId;
    this.#signal = scope.signal;
  }

  /** The same client for one task: its id in the request, its signal stops the wait. */
  forTask(taskId: string, signal: AbortSignal): NatsPartnerClient {
    return new NatsPartnerClient(this.#bus, { taskId, signal });
  }

  ask(target: string, input: unknown, options: PartnerAskOptions = {}): Promise<PartnerAnswer> {
    const { partner, skill } = parsePartnerTarget(target);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pending = this.#bus.request(
      this.#bus.subjects.partnerAsk,
      PartnerAskRequest,
      { v: 1, partner, skill, input, timeoutMs, ...(this.#taskId ? { taskId: this.#taskId } : {}) },
      PartnerAskReply,
      // A little longer than the gateway's own bound, so its answer (even a timeout) arrives.
      { timeoutMs: timeoutMs + 2_000 },
    );
    const signal = options.signal ?? this.#signal;
    return signal ? untilAborted(pending, signal) : pending;
  }
}

/** For contexts with no bus (unit tests): every ask is UNAVAILABLE. */
export const NO_PARTNERS: PartnerClient = {
  ask: async () => {
    throw new ForgeError('UNAVAILABLE', 'no gateway: this service cannot ask partners');
  },
};
