import {
  type ChatMessage,
  describeIssues,
  ForgeError,
  type ModelCallSuccess,
  type ModelPurpose,
  type StablePromptPart,
} from '@forge/contracts';
import { z } from 'zod';
import type { ModelClient } from '../models/model-client.js';

/** A model call that must come back as JSON matching `schema`. */
export interface StructuredCall<S extends z.ZodType> {
  purpose: ModelPurpose;
  /** Instructions that vary between calls; the stable ones go in `stable`. */
  system?: string;
  /**
   * The prompt's stable parts (instructions, rule packs, voice guides, reference material): the
   * gateway puts them first and caches them when that pays (see `ModelCallRequest.stable`).
   */
  stable?: StablePromptPart[];
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
  /** Name of the output, sent with the JSON Schema (`[a-zA-Z0-9_-]{1,64}`). */
  name: string;
  schema: S;
}

/** The JSON Schema sent to the gateway, built once per zod schema. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema) as Record<string, unknown>;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** The JSON in a reply's text: the whole text, or the body of a ```json fence around it. */
function jsonFromText(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  return JSON.parse(fenced ? (fenced[1] ?? '') : trimmed);
}

/**
 * Asks the model for structured output and validates it. The gateway already retries and may
 * escalate on a schema failure, so what still fails here is final: PROVIDER_ERROR, not
 * retryable (a redelivery would pay for the same failure again), naming each bad field.
 */
export async function callForOutput<S extends z.ZodType>(
  models: ModelClient,
  call: StructuredCall<S>,
  signal?: AbortSignal,
): Promise<{ output: z.output<S>; reply: ModelCallSuccess }> {
  const reply = await models.call(
    {
      purpose: call.purpose,
      ...(call.system === undefined ? {} : { system: call.system }),
      ...(call.stable === undefined ? {} : { stable: call.stable }),
      messages: call.messages,
      maxTokens: call.maxTokens,
      ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      output: { name: call.name, jsonSchema: jsonSchemaOf(call.schema) },
    },
    signal ? { signal } : undefined,
  );
  let raw: unknown = reply.output;
  if (raw === undefined) {
    try {
      raw = jsonFromText(reply.text);
    } catch (error) {
      throw new ForgeError('PROVIDER_ERROR', `model output for ${call.name} is not JSON`, {
        retryable: false,
        cause: error,
        details: { model: reply.model },
      });
    }
  }
  const parsed = call.schema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, call.name);
    throw new ForgeError('PROVIDER_ERROR', `model output failed its schema: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues, model: reply.model },
    });
  }
  return { output: parsed.data, reply };
}
