import type { CostLedgerEntry } from '@forge/store';
import { FORGE_METRICS, forgeMeter, MODEL_DURATION_BUCKETS, TOKEN_BUCKETS } from '@forge/telemetry';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';

const MICROS_PER_USD = 1_000_000;

/**
 * The model gateway's metrics, taken from each ledger row as it is queued (every attempt of
 * every call is one row, so the metrics and the ledger cannot disagree):
 * `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` (GenAI conventions; an
 * attempt the budget refused never reached a provider and has neither), `forge.spend` and
 * `forge.spend.shadow` by tier and agent.
 */
export class ModelMetrics {
  readonly #duration: Histogram;
  readonly #tokens: Histogram;
  readonly #spend: Counter;
  readonly #shadow: Counter;

  constructor() {
    const meter = forgeMeter('router');
    const { modelDuration, modelTokens, spend, shadowSpend } = FORGE_METRICS;
    this.#duration = meter.createHistogram(modelDuration.name, {
      unit: modelDuration.unit,
      description: modelDuration.description,
      advice: { explicitBucketBoundaries: MODEL_DURATION_BUCKETS },
    });
    this.#tokens = meter.createHistogram(modelTokens.name, {
      unit: modelTokens.unit,
      description: modelTokens.description,
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.#spend = meter.createCounter(spend.name, { unit: spend.unit, description: spend.description });
    this.#shadow = meter.createCounter(shadowSpend.name, {
      unit: shadowSpend.unit,
      description: shadowSpend.description,
    });
  }

  /** Records one attempt (one ledger row). */
  record(entry: CostLedgerEntry): void {
    // Calls through the OpenAI-compatible endpoint have no agent: they are paid as `api`.
    const payer = { 'forge.tier': entry.tier, 'forge.agent': entry.agent ?? 'api' };
    if (entry.costMicros > 0) {
      this.#spend.add(entry.costMicros / MICROS_PER_USD, {
        ...payer,
        'gen_ai.provider.name': entry.provider,
      });
    }
    if (entry.shadowCostMicros > 0) this.#shadow.add(entry.shadowCostMicros / MICROS_PER_USD, payer);
    if (entry.outcome === 'refused') return;
    const call: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': entry.provider,
      'gen_ai.request.model': entry.model,
      ...payer,
      ...(entry.outcome === 'ok' ? {} : { 'error.type': entry.outcome }),
    };
    this.#duration.record(entry.latencyMs / 1000, call);
    const input =
      entry.inputTokens + entry.cacheReadTokens + entry.cacheWrite5mTokens + entry.cacheWrite1hTokens;
    this.#tokens.record(input, { ...call, 'gen_ai.token.type': 'input' });
    this.#tokens.record(entry.outputTokens, { ...call, 'gen_ai.token.type': 'output' });
  }
}
