import type { ArtifactChunk } from '@forge/contracts';
import type { TaskRecord } from '@forge/store';
import type { Logger } from '@forge/telemetry';

type Listener = (record: TaskRecord, artifact?: ArtifactChunk) => void;

/**
 * Committed task changes handed from this process's worker to this process's feeds directly.
 * A service runs its edge and its worker together, so a task is often relayed by the process
 * that runs it: its feed then gets each change (with the whole committed record) the moment the
 * worker announces it, instead of one NATS round trip later, and a blocking call can answer
 * from that record instead of reading it again. The NATS status event still goes out for every
 * other replica; a feed hears both and keeps the first of each `seq`.
 */
export class LocalStatus {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Listens to one task's committed changes; returns the way to stop. */
  subscribe(taskId: string, listener: Listener): () => void {
    let set = this.#listeners.get(taskId);
    if (!set) {
      set = new Set();
      this.#listeners.set(taskId, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(taskId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(taskId);
    };
  }

  /** Hands a committed change to this process's listeners of its task. Never throws. */
  publish(record: TaskRecord, artifact?: ArtifactChunk): void {
    const set = this.#listeners.get(record.id);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(record, artifact);
      } catch (error) {
        this.#logger.warn({ taskId: record.id, err: String(error) }, 'local status listener failed');
      }
    }
  }

  /** Tasks with listeners right now (for tests: every feed lets go when it closes). */
  get size(): number {
    return this.#listeners.size;
  }
}
