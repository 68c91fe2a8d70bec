import { parseOrThrow } from '@forge/contracts';
import OpenAI, { toFile } from 'openai';
import { z } from 'zod';
import type { BatchApi, BatchCallOptions, BatchItem, BatchItemResult, BatchStatus } from './batch-api.js';
import { CallControl } from './call-control.js';
import { openAIBody, openAIResult } from './openai-chat.js';
import { type ProviderRequest, ProviderRequest as ProviderRequestSchema } from './provider.js';
import { ProviderError, type ProviderErrorKind } from './provider-error.js';
import { ProviderOptions } from './provider-options.js';
import { toForgeError } from './sdk-error.js';
import { objectRoot } from './structured-output.js';

const ENDPOINT = '/v1/chat/completions';

/** One line of a batch's output or error file. */
const OutputLine = z.looseObject({
  custom_id: z.string(),
  response: z.looseObject({ status_code: z.number().int(), body: z.unknown() }).nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

function stateOf(status: OpenAI.Batch['status']): BatchStatus['state'] {
  switch (status) {
    case 'validating':
    case 'in_progress':
    case 'finalizing':
      return 'in_progress';
    case 'cancelling':
      return 'canceling';
    case 'completed':
    case 'expired':
    case 'cancelled':
      return 'ended';
    case 'failed':
      return 'failed';
    default:
      // A status this SDK does not know yet: keep polling rather than read results too early.
      return 'in_progress';
  }
}

function statusOf(batch: OpenAI.Batch): BatchStatus {
  const c = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const state = stateOf(batch.status);
  const errors = batch.errors?.data?.map((e) => `${e.code ?? 'error'}: ${e.message ?? ''}`.trim()) ?? [];
  return {
    id: batch.id,
    state,
    vendorStatus: batch.status,
    counts: {
      total: c.total,
      succeeded: c.completed,
      failed: c.failed,
      processing: Math.max(0, c.total - c.completed - c.failed),
    },
    ...(state === 'failed' ? { error: errors.join('; ') || 'the batch failed validation' } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'client';
}

/**
 * OpenAI's Batch API through the `openai` SDK: the requests go up as a JSONL file (`files`, purpose
 * `batch`), each a chat-completions body as `OpenAIProvider` sends it (prompt cache key
 * included), run within the 24-hour window; results come back as the batch's output and error
 * files, read with the adapter's own completion reader. The SDK never retries.
 */
export class OpenAIBatches implements BatchApi {
  readonly kind = 'openai' as const;
  readonly #client: OpenAI;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: ProviderOptions) {
    const { apiKey, baseUrl } = parseOrThrow(ProviderOptions, options, 'OpenAI batch options');
    this.#client = new OpenAI({
      apiKey,
      baseURL: baseUrl ?? 'https://api.openai.com/v1',
      organization: null,
      project: null,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  submit(items: readonly BatchItem[], options?: BatchCallOptions): Promise<BatchStatus> {
    const lines = items.map((item) => {
      const req = parseOrThrow(ProviderRequestSchema, item.request, 'provider request');
      const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
      return JSON.stringify({
        custom_id: item.customId,
        method: 'POST',
        url: ENDPOINT,
        body: openAIBody(req, root, 'openai'),
      });
    });
    return this.#exchange('submit', options, async (o) => {
      const file = await this.#client.files.create(
        {
          file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'forge-batch.jsonl', {
            type: 'application/jsonl',
          }),
          purpose: 'batch',
        },
        o,
      );
      const batch = await this.#client.batches.create(
        { input_file_id: file.id, endpoint: ENDPOINT, completion_window: '24h' },
        o,
      );
      return statusOf(batch);
    });
  }

  status(id: string, options?: BatchCallOptions): Promise<BatchStatus> {
    return this.#exchange('status', options, async (o) =>
      statusOf(await this.#client.batches.retrieve(id, o)),
    );
  }

  cancel(id: string, options?: BatchCallOptions): Promise<BatchStatus> {
    return this.#exchange('cancel', options, async (o) => statusOf(await this.#client.batches.cancel(id, o)));
  }

  results(
    id: string,
    requests: ReadonlyMap<string, ProviderRequest>,
    options?: BatchCallOptions,
  ): Promise<BatchItemResult[]> {
    return this.#exchange('results', options, async (o) => {
      const batch = await this.#client.batches.retrieve(id, o);
      const out: BatchItemResult[] = [];
      const seen = new Set<string>();
      for (const fileId of [batch.output_file_id, batch.error_file_id]) {
        if (!fileId) continue;
        const text = await (await this.#client.files.content(fileId, o)).text();
        for (const raw of text.split('\n')) {
          if (raw.trim() === '') continue;
          // A line that cannot be read leaves its request without a result: the caller treats
          // a missing result as failed, so one bad line never loses the others.
          const line = OutputLine.safeParse(parseJson(raw));
          if (!line.success) continue;
          const req = requests.get(line.data.custom_id);
          if (!req || seen.has(line.data.custom_id)) continue;
          seen.add(line.data.custom_id);
          out.push(this.#read(line.data, req, batch.status));
        }
      }
      return out;
    });
  }

  #read(line: z.infer<typeof OutputLine>, req: ProviderRequest, batchStatus: string): BatchItemResult {
    const customId = line.custom_id;
    const response = line.response;
    if (response && response.status_code >= 200 && response.status_code < 300) {
      const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
      try {
        return { customId, ok: true, result: openAIResult(req, root, response.body, 'openai') };
      } catch (error) {
        return { customId, ok: false, outcome: 'errored', error: error as ProviderError };
      }
    }
    const code = line.error?.code ?? '';
    const message =
      line.error?.message ??
      (response ? `status ${response.status_code}` : `no response (batch ${batchStatus})`);
    const outcome =
      code === 'batch_expired' ? 'expired' : code === 'batch_cancelled' ? 'canceled' : ('errored' as const);
    const error = new ProviderError(`openai ${req.model}: batch request ${outcome}: ${message}`, {
      kind: response ? kindOfStatus(response.status_code) : 'server',
      provider: 'openai',
      model: req.model,
      beforeFirstToken: true,
      ...(response ? { status: response.status_code } : {}),
    });
    return { customId, ok: false, outcome, error };
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
