import Anthropic from '@anthropic-ai/sdk';
import { assertNever, parseOrThrow } from '@forge/contracts';
import { anthropicBody, anthropicResult } from './anthropic-message.js';
import type { BatchApi, BatchCallOptions, BatchItem, BatchItemResult, BatchStatus } from './batch-api.js';
import { CallControl } from './call-control.js';
import { type ProviderRequest, ProviderRequest as ProviderRequestSchema } from './provider.js';
import { ProviderError, type ProviderErrorKind } from './provider-error.js';
import { ProviderOptions } from './provider-options.js';
import { toForgeError } from './sdk-error.js';
import { objectRoot } from './structured-output.js';

function statusOf(batch: Anthropic.Messages.MessageBatch): BatchStatus {
  const c = batch.request_counts;
  const failed = c.errored + c.expired + c.canceled;
  return {
    id: batch.id,
    state: batch.processing_status,
    vendorStatus: batch.processing_status,
    counts: {
      total: c.processing + c.succeeded + failed,
      succeeded: c.succeeded,
      failed,
      processing: c.processing,
    },
  };
}

function kindOfErrorType(type: string): ProviderErrorKind {
  if (type === 'rate_limit_error') return 'rate_limited';
  if (type === 'api_error' || type === 'overloaded_error') return 'server';
  if (type === 'timeout_error') return 'timeout';
  return 'client';
}

/**
 * Anthropic's Message Batches through `@anthropic-ai/sdk` (`messages.batches`): each request is a
 * messages-API body as `AnthropicProvider` would send it (stable parts and cache breakpoints
 * included; the vendor caches across a batch's requests where it can). Results come as JSON
 * lines and are read with the adapter's own message reader. The SDK never retries.
 */
export class AnthropicBatches implements BatchApi {
  readonly kind = 'anthropic' as const;
  readonly #client: Anthropic;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: ProviderOptions) {
    const { apiKey, baseUrl } = parseOrThrow(ProviderOptions, options, 'Anthropic batch options');
    this.#client = new Anthropic({
      apiKey,
      authToken: null,
      baseURL: baseUrl ?? 'https://api.anthropic.com',
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  submit(items: readonly BatchItem[], options?: BatchCallOptions): Promise<BatchStatus> {
    const requests = items.map((item) => {
      const req = parseOrThrow(ProviderRequestSchema, item.request, 'provider request');
      const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
      return { custom_id: item.customId, params: anthropicBody(req, root) };
    });
    return this.#exchange('submit', options, async (o) =>
      statusOf(await this.#client.messages.batches.create({ requests }, o)),
    );
  }

  status(id: string, options?: BatchCallOptions): Promise<BatchStatus> {
    return this.#exchange('status', options, async (o) =>
      statusOf(await this.#client.messages.batches.retrieve(id, {}, o)),
    );
  }

  cancel(id: string, options?: BatchCallOptions): Promise<BatchStatus> {
    return this.#exchange('cancel', options, async (o) =>
      statusOf(await this.#client.messages.batches.cancel(id, {}, o)),
    );
  }

  results(
    id: string,
    requests: ReadonlyMap<string, ProviderRequest>,
    options?: BatchCallOptions,
  ): Promise<BatchItemResult[]> {
    return this.#exchange('results', options, async (o) => {
      const out: BatchItemResult[] = [];
      const lines = await this.#client.messages.batches.results(id, {}, o);
      for await (const line of lines) {
        const req = requests.get(line.custom_id);
        if (!req) continue;
        out.push(this.#read(line, req));
      }
      return out;
    });
  }

  #read(line: Anthropic.Messages.MessageBatchIndividualResponse, req: ProviderRequest): BatchItemResult {
    const customId = line.custom_id;
    const result = line.result;
    switch (result.type) {
      case 'succeeded': {
        const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
        try {
          return { customId, ok: true, result: anthropicResult(req, root, result.message) };
        } catch (error) {
          return { customId, ok: false, outcome: 'errored', error: error as ProviderError };
        }
      }
      case 'errored': {
        const detail = result.error.error;
        const error = new ProviderError(`anthropic ${req.model}: batch request failed: ${detail.message}`, {
          kind: kindOfErrorType(detail.type),
          provider: 'anthropic',
          model: req.model,
          beforeFirstToken: true,
        });
        return { customId, ok: false, outcome: 'errored', error };
      }
      case 'expired':
      case 'canceled':
        return {
          customId,
          ok: false,
          outcome: result.type,
          error: new ProviderError(`anthropic ${req.model}: batch request ${result.type}`, {
            kind: 'server',
            provider: 'anthropic',
            model: req.model,
            beforeFirstToken: true,
          }),
        };
      default:
        return assertNever(result, 'batch result');
    }
  }

  async #exchange<T>(
    what: string,
    options: BatchCallOptions | undefined,
    run: (o: { signal: AbortSignal; timeout: number }) => Promise<T>,
  ): Promise<T> {
    const control = new CallControl(options);
    try {
      return await run({ signal: control.signal, timeout: control.timeoutMs });
    } catch (error) {
      throw toForgeError(error, control, {
        provider: this.kind,
        model: `batch ${what}`,
        beforeFirstToken: true,
      });
    } finally {
      control.dispose();
    }
  }
}
