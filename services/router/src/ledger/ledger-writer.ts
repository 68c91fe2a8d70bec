import { isForgeError } from '@forge/contracts';
import {
  type BudgetRepository,
  type CostLedger,
  type CostLedgerEntry,
  type Settlement,
  withoutQueryDeadline,
} from '@forge/store';
import type { Logger } from '@forge/telemetry';

export interface LedgerWriterOptions {
  ledger: CostLedger;
  budgets: BudgetRepository;
  /** Longest a row waits before it is written. */
  flushMs: number;
  logger: Logger;
  /** Rows (and settlements) per statement; a full batch is written at once. Default 200. */
  maxBatch?: number;
  /** Wait before retrying a failed write. Default 500 ms. */
  retryMs?: number;
  /** Sees every row as it is queued (the model metrics). */
  onRecord?: (entry: CostLedgerEntry) => void;
}

/**
 * Write-behind for the model gateway's accounting: ledger rows and budget settlements are queued
 * in memory and written in batches (one statement each) at most `flushMs` later, so a model call
 * pays no database round trip after the provider answers. A failed write is kept and retried.
 * Trade-off: a process that dies without `stop()` loses the rows of the last `flushMs` (their
 * holds then expire after the reservation TTL, so budgets err on the safe side); a clean stop
 * flushes everything first. Replayed rows and settlements are harmless (both are idempotent).
 */
export class LedgerWriter {
  readonly #opts: Required<Omit<LedgerWriterOptions, 'logger' | 'ledger' | 'budgets' | 'onRecord'>>;
  readonly #ledger: CostLedger;
  readonly #budgets: BudgetRepository;
  readonly #logger: Logger;
  #entries: CostLedgerEntry[] = [];
  #settlements: Settlement[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #failures = 0;
  readonly #onRecord: ((entry: CostLedgerEntry) => void) | undefined;

  constructor(options: LedgerWriterOptions) {
    this.#ledger = options.ledger;
    this.#budgets = options.budgets;
    this.#onRecord = options.onRecord;
    this.#logger = options.logger.child({ component: 'ledger-writer' });
    this.#opts = {
      flushMs: options.flushMs,
      maxBatch: options.maxBatch ?? 200,
      retryMs: options.retryMs ?? 500,
    };
  }

  /** Rows and settlements not yet written. */
  get pending(): number {
    return this.#entries.length + this.#settlements.length;
  }

  /** Queues one ledger row. */
  record(entry: CostLedgerEntry): void {
    this.#onRecord?.(entry);
    this.#entries.push(entry);
    this.#schedule();
  }

  /** Queues a settlement: the reservation's actual cost (0 releases it). */
  settle(settlement: Settlement): void {
    this.#settlements.push(settlement);
    this.#schedule();
  }

  /** Writes everything queued so far (and whatever arrives meanwhile); rejects if a write fails. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.pending > 0 || this.#writing) {
      if (this.#writing) {
        await this.#writing.catch(() => undefined);
        continue;
      }
      this.#writing = this.#writeBatch().finally(() => {
        this.#writing = undefined;
      });
      await this.#writing;
    }
  }

  /**
   * Flushes, retrying failed writes until everything is written or `deadlineMs` passes; what is
   * still queued then is logged with its count (never silently dropped).
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch (error) {
        if (Date.now() + this.#opts.retryMs > deadline) {
          this.#logger.error(
            { err: String(error), entries: this.#entries.length, settlements: this.#settlements.length },
            'ledger rows could not be written before shutdown',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.#opts.retryMs));
      }
    }
  }

  #schedule(delay = this.#opts.flushMs): void {
    // A full batch goes at once, unless writes are failing: then it waits `retryMs` like any retry
    // (a store that fails at once would otherwise be retried in a loop that never yields).
    if (this.pending >= this.#opts.maxBatch && !this.#writing && this.#failures === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#background();
      return;
    }
    if (this.#timer || this.#writing) return;
    // Made outside the caller's context, so the timer does not hold on to it (the write itself
    // runs without its query deadline either way: see `#background`).
    void withoutQueryDeadline(async () => {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#background();
      }, delay);
      this.#timer.unref();
    });
  }

  /**
   * A write in the background. It serves every call whose rows it holds, not the one whose row
   * happened to start it (its timer and retries would otherwise run in that call's context, under
   * its query deadline, perhaps long past): no query deadline.
   */
  #background(): void {
    if (this.#writing) return;
    this.#writing = withoutQueryDeadline(() => this.#writeBatch())
      .then(() => {
        this.#failures = 0;
      })
      .catch((error: unknown) => {
        this.#failures += 1;
        this.#logger.warn(
          { err: String(error), failures: this.#failures },
          'ledger write failed; will retry',
        );
      })
      .finally(() => {
        this.#writing = undefined;
        if (this.pending > 0) this.#schedule(this.#failures > 0 ? this.#opts.retryMs : this.#opts.flushMs);
      });
  }

  async #writeBatch(): Promise<void> {
    const entries = this.#entries.splice(0, this.#opts.maxBatch);
    const settlements = this.#settlements.splice(0, this.#opts.maxBatch);
    const [ledger, budgets] = await Promise.allSettled([
      // The call ledger's own rows, made by typed code: no schema pass per row. A refused batch
      // is written again one by one with it (below), so a bad row is named and dropped alone.
      entries.length > 0 ? this.#ledger.append(entries, { checked: true }) : Promise.resolve(0),
      settlements.length > 0 ? this.#budgets.settle(settlements) : Promise.resolve(0),
    ]);
    // What failed for a passing reason goes back to the front, in order, for the next attempt.
    // A batch the store refuses for good would fail forever: its items are written one by one,
    // so one bad row never costs the others their place in the ledger (or a settlement its
    // spend); only the items refused on their own are logged in full and dropped.
    const retry = { entries: [] as CostLedgerEntry[], settlements: [] as Settlement[] };
    let failure: unknown;
    if (ledger.status === 'rejected') {
      failure = ledger.reason;
      if (isRefusal(ledger.reason)) {
        retry.entries = await this.#oneByOne(entries, (e) => this.#ledger.append([e]), 'entry');
      } else retry.entries = entries;
    }
    if (budgets.status === 'rejected') {
      failure ??= budgets.reason;
      if (isRefusal(budgets.reason)) {
        retry.settlements = await this.#oneByOne(settlements, (s) => this.#budgets.settle([s]), 'settlement');
      } else retry.settlements = settlements;
    }
    this.#entries.unshift(...retry.entries);
    this.#settlements.unshift(...retry.settlements);
    if (retry.entries.length > 0 || retry.settlements.length > 0) throw failure;
  }

  /** Writes items one at a time; returns those that failed for a passing reason (to retry). */
  async #oneByOne<T>(items: T[], write: (item: T) => Promise<unknown>, what: string): Promise<T[]> {
    const again: T[] = [];
    for (const [i, item] of items.entries()) {
      try {
        await write(item);
      } catch (error) {
        if (!isRefusal(error)) {
          // The store is unreachable now: keep this item and every one after it, in order.
          again.push(...items.slice(i));
          break;
        }
        this.#logger.error(
          { err: (error as Error).message, code: (error as { code?: string }).code, [what]: item },
          `ledger ${what} refused for good; dropped`,
        );
      }
    }
    return again;
  }
}

/** The store refused the write for good (invalid, or a write Postgres rejects every time). */
function isRefusal(error: unknown): boolean {
  return isForgeError(error) && !error.retryable;
}
