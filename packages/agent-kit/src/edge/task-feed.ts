import { INTERRUPTED_STATES, isTerminal, type StatusEvent, type TaskState } from '@forge/contracts';
import type { TaskRecord } from '@forge/store';
import { changeFromEvent, changeFromRecord, type TaskChange } from './task-mapping.js';

/** How a feed is opened. */
export interface SubscribeOptions {
  /**
   * The caller's next step is to publish the task through the dispatcher of the same ports (subscribe,
   * then publish): the subscription only has to be in place before that publish, not before this
   * resolves, so a source whose dispatcher shares its connection may skip the round trip that
   * waits for the server (NATS takes one connection's SUB and PUB in order).
   */
  publishingNext?: boolean;
}

/** Where a feed hears a task's status events (core NATS `status.<taskId>` in production). */
export interface StatusSource {
  /** Subscribes to one task's events; resolves once the server has the subscription, so an event
   *  published after this resolves is delivered (with `publishingNext`, see `SubscribeOptions`).
   *  `record` comes with an event when this process committed the change itself (see `LocalStatus`). */
  subscribe(
    taskId: string,
    onEvent: (event: StatusEvent, record?: TaskRecord) => void,
    opts?: SubscribeOptions,
  ): Promise<{ unsubscribe(): void }>;
}

/** Where a relay stops, by the state a change moved the task to. */
export type RelayEnd = (state: TaskState) => boolean;

/** A blocking SendMessage (A2A v1.0 §3.2.2): the task ended, or waits on someone outside Forge. */
export function endsRelay(state: TaskState): boolean {
  return isTerminal(state) || INTERRUPTED_STATES.has(state);
}

/**
 * SendStreamingMessage (§3.1.2, §11.7): the task ended, or waits for the caller's input (the
 * caller answers with a new message). `auth-required` keeps the stream open: the credential may
 * come out of band and the task go on (§7.6.1).
 */
export function endsSendStream(state: TaskState): boolean {
  return isTerminal(state) || state === 'input-required';
}

/** SubscribeToTask (§3.1.6): only the end of the task ends the stream. */
export function endsSubscription(state: TaskState): boolean {
  return isTerminal(state);
}

/**
 * A subscription to one task's status, opened before the task is published (or before its record
 * is read, for a resubscribe), so no change falls between the read and the subscription.
 * Events are only notifications: they are ordered and de-duplicated by `seq`, and when the stream
 * goes quiet for `quietMs` the feed re-reads Postgres, so a lost core-NATS message delays a caller
 * by at most `quietMs` and never hangs it.
 */
export class TaskFeed {
  private readonly queue: Array<{ event: StatusEvent; record: TaskRecord | undefined }> = [];
  private wake: (() => void) | undefined;
  private subscription: { unsubscribe(): void } | undefined;
  private closed = false;

  private constructor(
    readonly taskId: string,
    private readonly load: () => Promise<TaskRecord | null>,
    private readonly quietMs: number,
  ) {}

  /** Subscribes, then resolves. `load` reads the task's current record (scoped to its owner);
   *  `publishingNext` when the caller publishes the task next (see `SubscribeOptions`). */
  static async open(
    source: StatusSource,
    taskId: string,
    load: () => Promise<TaskRecord | null>,
    quietMs: number,
    opts: SubscribeOptions = {},
  ): Promise<TaskFeed> {
    const feed = new TaskFeed(taskId, load, quietMs);
    feed.subscription = await source.subscribe(
      taskId,
      (event, record) => {
        if (event.taskId !== taskId || feed.closed) return;
        feed.queue.push({ event, record });
        feed.wake?.();
      },
      opts,
    );
    return feed;
  }

  /**
   * Yields each committed change after `from` (by `seq`), in order, until a change's state ends
   * the relay (`until`, default: terminal or interrupted) or `signal` aborts. Changes skipped by a
   * gap in the events are not replayed one by one: the re-read record stands for them (marked
   * `snapshot`, so a stream can resend the artifacts as they are). When `from` already ends the
   * relay nothing is yielded, unless `resuming` (the caller just answered an interrupted task and
   * waits for what follows).
   */
  async *follow(
    from: TaskRecord,
    signal: AbortSignal,
    opts: { resuming?: boolean; until?: RelayEnd } = {},
  ): AsyncGenerator<TaskChange, void, undefined> {
    const ends = opts.until ?? endsRelay;
    let last = from.seq;
    if (ends(from.state) && !(opts.resuming && !isTerminal(from.state))) return;
    while (!signal.aborted && !this.closed) {
      const next = this.queue.shift();
      let change: TaskChange | undefined;
      if (next) {
        if (next.event.seq <= last) continue;
        change = next.record
          ? changeFromRecord(next.record, next.event.artifact)
          : changeFromEvent(next.event);
      } else {
        const woke = await this.waitForEvent(signal);
        if (woke || signal.aborted || this.closed) continue;
        const record = await this.load();
        if (record && record.seq > last) change = { ...changeFromRecord(record), snapshot: true };
      }
      if (!change) continue;
      last = change.seq;
      yield change;
      if (ends(change.state)) return;
    }
  }

  /** Resolves true when an event arrives, false after `quietMs` of silence or on abort. */
  private waitForEvent(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (woke: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(woke);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), this.quietMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(true);
    });
  }

  /** Unsubscribes; a pending `follow` ends. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.unsubscribe();
    this.wake?.();
  }
}
