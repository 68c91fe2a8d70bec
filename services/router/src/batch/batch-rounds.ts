import type { ModelCallReply, ModelUsage, Tier } from '@forge/contracts';
import {
  type BatchApi,
  type BatchItemResult,
  costMicros,
  isProviderError,
  type ProviderRequest,
  zeroUsage,
} from '@forge/models';
import { type ModelCandidate, nextEscalation } from '@forge/policy';
import type { DeferredRequest, ModelBatch, ModelBatchRepository, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { BudgetGate } from '../budgets/budget-gate.js';
import type { CallContext, CallInput } from '../gateway/call-context.js';
import { toReply } from '../gateway/call-reply.js';
import { confidenceOf } from '../gateway/confidence.js';
import type { ModelGateway } from '../gateway/model-gateway.js';
import { CallLedger } from '../ledger/call-ledger.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { RoutingConfigSource } from '../routing/routing-config-source.js';
import { batchSuccess, withNote } from './deferred-reply.js';

export interface DeferredCallsDeps {
  brain: string;
  source: RoutingConfigSource;
  gateway: ModelGateway;
  gate: BudgetGate;
  writer: LedgerWriter;
  repo: ModelBatchRepository;
  tasks: TaskRepository;
  logger: Logger;
}

export interface BatchRoundsDeps extends DeferredCallsDeps {
  /** This replica's name on the leases it takes. */
  owner: string;
}

/** How long a replica may take to submit a batch it claimed before another may take it over. */
const SUBMIT_LEASE_MS = 120_000;
/** Batches polled per round, and overdue calls taken per round. */
const POLL_LIMIT = 20;
const OVERDUE_LIMIT = 20;
/** One exchange with a vendor's batch API (submit, status, results, cancel). */
const EXCHANGE_TIMEOUT_MS = 60_000;
/** A normal call replacing a batch call numbers its ledger rows from here (the batch's row is 0). */
const FALLBACK_SEQ_STRIDE = 100;

/**
 * The rounds that move deferred calls through vendor batches, every `gateway.batch.collectMs`:
 * gather queued calls into one batch per model and submit it; poll submitted batches not polled
 * for `pollMs`, and when one ends, bill each result at the batch price, answer its call (a
 * normal call takes over for a result that failed, and one tier up for a structured answer below
 * its confidence threshold), and settle its hold; cancel a batch whose calls were all answered
 * otherwise; and make a normal call for each call past its due time. Every step claims its rows
 * under a lease first, so replicas share the work and one that dies hands it over.
 */
export class BatchRounds {
  readonly #deps: BatchRoundsDeps;
  readonly #abort = new AbortController();
  readonly #normalCalls = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: BatchRoundsDeps) {
    this.#deps = deps;
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    const schedule = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        this.tick().finally(schedule);
      }, this.#deps.source.current.config.gateway.batch.collectMs);
      this.#timer.unref();
    };
    schedule();
  }

  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const settle = Promise.allSettled([this.#round, ...this.#normalCalls]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    if ((await Promise.race([settle.then(() => 'done' as const), grace])) === 'late') {
      this.#abort.abort();
      await settle;
    }
    clearTimeout(timer);
  }

  /** One round (a round still running is joined, never doubled). */
  tick(): Promise<void> {
    this.#round ??= this.#run().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #run(): Promise<void> {
    for (const [step, what] of [
      [() => this.#collect(), 'gathering deferred calls into batches'],
      [() => this.#poll(), 'polling batches'],
      [() => this.#due(), 'answering due calls'],
    ] as const) {
      if (this.#stopped && this.#abort.signal.aborted) return;
      try {
        await step();
      } catch (error) {
        this.#deps.logger.warn(
          { err: String(error) },
          `batch round failed while ${what}; next round retries`,
        );
      }
    }
  }

  get #lease() {
    return { owner: this.#deps.owner, leaseMs: SUBMIT_LEASE_MS };
  }

  #exchange() {
    return { timeoutMs: EXCHANGE_TIMEOUT_MS, signal: this.#abort.signal };
  }

  async #collect(): Promise<void> {
    const { repo, source, logger } = this.#deps;
    for (;;) {
      const { config, providers } = source.current;
      const claimed = await repo.claimForBatch(this.#lease, config.gateway.batch.maxRequests);
      if (!claimed) return;
      const { batch, requests } = claimed;
      const api = providers.batchApi(batch.provider);
      if (!api) {
        await repo.markSubmitFailed(batch.id, `no ${batch.provider} key is configured any more`, false);
        continue;
      }
      const items = requests.map((r) => ({ customId: r.customId, request: r.request as ProviderRequest }));
      try {
        const status = await api.submit(items, this.#exchange());
        await repo.markSubmitted(batch.id, status.id);
        logger.info(
          { batch: status.id, model: batch.model, requests: items.length },
          'deferred calls submitted as a batch',
        );
      } catch (error) {
        // A refused request (4xx) will be refused again: its calls fall due and get normal calls.
        const retry = isProviderError(error) && error.kind !== 'client';
        await repo.markSubmitFailed(batch.id, String(error instanceof Error ? error.message : error), retry);
        logger.warn({ model: batch.model, retry, err: String(error) }, 'batch submission failed');
      }
    }
  }

  async #poll(): Promise<void> {
    const { repo, source } = this.#deps;
    const { config, providers } = source.current;
    const batches = await repo.claimForPoll(this.#lease, config.gateway.batch.pollMs, POLL_LIMIT);
    for (const batch of batches) {
      const api = providers.batchApi(batch.provider);
      try {
        if (!api || !batch.vendorBatchId) {
          await repo.releaseBatch(batch.id);
          continue;
        }
        const status = await api.status(batch.vendorBatchId, this.#exchange());
        if (status.state === 'ended') await this.#finish(batch, api);
        else if (status.state === 'failed') {
          await repo.markSubmitFailed(batch.id, status.error ?? 'the vendor failed the batch', false);
        } else if (
          batch.state === 'submitted' &&
          (await repo.requestsOf(batch.id)).every((r) => r.state === 'done')
        ) {
          // Every call was answered by a normal call: what has not run yet need not be paid for.
          await api.cancel(batch.vendorBatchId, this.#exchange());
          await repo.releaseBatch(batch.id, 'canceling');
        } else await repo.releaseBatch(batch.id);
      } catch (error) {
        this.#deps.logger.warn({ batch: batch.vendorBatchId, err: String(error) }, 'batch poll failed');
        await repo.releaseBatch(batch.id).catch(() => undefined);
      }
    }
  }

  async #finish(batch: ModelBatch, api: BatchApi): Promise<void> {
    const rows = await this.#deps.repo.requestsOf(batch.id);
    const requests = new Map(rows.map((r) => [r.customId, r.request as ProviderRequest]));
    const results = new Map(
      (await api.results(batch.vendorBatchId!, requests, this.#exchange())).map((r) => [r.customId, r]),
    );
    await Promise.all(rows.map((row) => this.#settle(row, results.get(row.customId), batch)));
    await this.#deps.repo.endBatch(batch.id, 'ended');
  }

  /** Bills one call's batch result, settles its hold, and answers the call (unless answered already). */
  async #settle(row: DeferredRequest, item: BatchItemResult | undefined, batch: ModelBatch): Promise<void> {
    const { config } = this.#deps.source.current;
    const ctx = row.context as CallContext;
    const price = config.prices[row.model];
    const error = item && !item.ok ? item.error : undefined;
    const usage: ModelUsage =
      item?.ok === true
        ? item.result.usage
        : ((error && isProviderError(error) ? error.usage : undefined) ?? zeroUsage());
    const cost = price ? costMicros(usage, price, { batch: true }) : 0;
    const superseded = row.state === 'done';
    const discount =
      price?.batchDiscount === undefined ? 'list price' : `${Math.round(price.batchDiscount * 100)}% off`;
    const why =
      item === undefined
        ? 'no result for the call'
        : item.ok
          ? undefined
          : `${item.outcome}: ${item.error.message}`;
    new CallLedger(ctx, this.#deps.brain, this.#deps.writer).record({
      tier: row.tier as Tier,
      candidate: { model: row.model, provider: row.provider, shadowOf: null } as ModelCandidate,
      usage,
      rawUsage: item?.ok ? item.result.rawUsage : null,
      usageEstimated: false,
      costMicros: cost,
      shadowCostMicros: 0,
      latencyMs: Date.now() - row.createdAt.getTime(),
      outcome: superseded ? 'superseded' : item?.ok ? 'ok' : `batch_${item?.outcome ?? 'missing'}`,
      escalated: false,
      fellBack: false,
      reason: [`batch ${batch.vendorBatchId} (${discount})`, why].filter(Boolean).join('; '),
    });
    if (row.reservationId) {
      this.#deps.gate.settle(
        { admitted: true, reservationId: row.reservationId, amountMicros: row.reservedMicros },
        cost,
      );
    }
    if (superseded) return;
    if (!item?.ok) {
      // The round's last step makes the normal call, under a lease, as for any call past due.
      await this.#deps.repo.makeDue(row);
      return;
    }
    const note = `answered by the ${row.provider} batch ${batch.vendorBatchId} at the batch price (${discount})`;
    const answer = batchSuccess({
      result: item.result,
      tier: row.tier as Tier,
      model: row.model,
      usage,
      costMicros: cost,
      notes: [note],
    });
    await this.#deps.repo.resolve(row, await this.#escalateIfUnsure(row, answer), 'batch');
  }

  /** A structured batch answer below its confidence threshold goes one tier up, as the gateway does. */
  async #escalateIfUnsure(row: DeferredRequest, reply: ModelCallReply): Promise<ModelCallReply> {
    if (!reply.ok) return reply;
    const ctx = row.context as CallContext;
    const confidence = (row.input as CallInput).output === undefined ? undefined : confidenceOf(reply.output);
    if (confidence === undefined || confidence >= ctx.escalation.confidenceBelow) return reply;
    const next = nextEscalation({ currentTier: ctx.tier, maxTier: ctx.maxTier, critical: ctx.critical });
    const why = `confidence ${confidence} is below ${ctx.escalation.confidenceBelow}`;
    if (next === null || next === 'tool') return withNote(reply, `${why}; no escalation above ${ctx.tier}`);
    const escalated = await this.#normalCall(
      { ...row, context: { ...ctx, tier: next } },
      1,
      `escalating ${ctx.tier} → ${next}: ${why}`,
    );
    // A failed escalation leaves the batch's answer as the best there is.
    return escalated.ok
      ? escalated
      : withNote(reply, `escalation to ${next} failed: ${escalated.error.message}`);
  }

  async #due(): Promise<void> {
    const { repo, source, gate } = this.#deps;
    const leaseMs = source.current.config.gateway.timeouts.totalMs * 2;
    const rows = await repo.claimOverdue({ owner: this.#deps.owner, leaseMs }, OVERDUE_LIMIT);
    await Promise.all(
      rows.map(async (row) => {
        // Never sent to a vendor, and now it never will be: its batch hold goes back.
        if (row.state === 'queued' && row.reservationId && row.fallbackClaims === 1) {
          gate.settle(
            { admitted: true, reservationId: row.reservationId, amountMicros: row.reservedMicros },
            0,
          );
        }
        const seqFrom = 1 + (row.fallbackClaims - 1) * FALLBACK_SEQ_STRIDE;
        const reply = await this.#normalCall(row, seqFrom, 'the batch gave no usable answer in time');
        if (reply.ok || !this.#abort.signal.aborted) await repo.resolve(row, reply, 'normal call when due');
      }),
    );
  }

  /** The gateway's normal path for a deferred call, its ledger rows numbered after the batch's. */
  #normalCall(row: DeferredRequest, seqFrom: number, why: string): Promise<ModelCallReply> {
    const ctx: CallContext = { ...(row.context as CallContext), ledgerSeqFrom: seqFrom };
    const running = this.#deps.gateway
      .call(ctx, row.input as CallInput, { signal: this.#abort.signal })
      .then((outcome) => withNote(toReply(outcome), `${why}: a normal call answered`));
    this.#normalCalls.add(running);
    void running.finally(() => this.#normalCalls.delete(running));
    return running;
  }
}
