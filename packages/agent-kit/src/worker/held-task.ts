import { ForgeError } from '@forge/contracts';

/** Why a running task was ended from outside its handler. */
export type EarlyEnd = { readonly kind: 'canceled'; readonly by: string } | { readonly kind: 'deadline' };

/**
 * A task this worker holds, from before its move to `working` until its message is settled.
 * A cancel or a deadline ends it early: the handler's signal aborts at once and the worker writes
 * the end state itself as soon as the task is `working` (not when the handler gets round to
 * returning), so a handler that ignores its signal cannot keep a caller waiting.
 */
export class HeldTask {
  readonly controller = new AbortController();
  /** The run of the delivery that holds the task (settles as that delivery's handler does). */
  outcome: Promise<void> = Promise.resolve();
  /** The seq of this delivery's claim (its move to `working`), once made. */
  claimSeq: number | undefined;
  #running = false;
  #early: EarlyEnd | undefined;
  #commit: Promise<void> | undefined;

  constructor(
    readonly id: string,
    /** The stream sequence of the message it came in: the same for every redelivery of it. */
    readonly streamSequence: number,
    private readonly commitEnd: (end: EarlyEnd) => Promise<void>,
  ) {}

  get early(): EarlyEnd | undefined {
    return this.#early;
  }

  /** Ends the task early; only the first reason counts. */
  end(end: EarlyEnd): void {
    if (this.#early) return;
    this.#early = end;
    const reason =
      end.kind === 'canceled'
        ? new ForgeError('CANCELED', `canceled by ${end.by}`, { retryable: false })
        : new ForgeError('DEADLINE_EXCEEDED', 'the task deadline passed', { retryable: false });
    this.controller.abort(reason);
    if (this.#running) this.#commit = this.commitEnd(end);
  }

  /** Call once the task is `working`; commits an end that arrived before. */
  started(): void {
    this.#running = true;
    if (this.#early && !this.#commit) this.#commit = this.commitEnd(this.#early);
  }

  /** Resolves once an early end (if any) is committed. */
  settled(): Promise<void> {
    return this.#commit ?? Promise.resolve();
  }
}
