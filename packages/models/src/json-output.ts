import { describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export type JsonCheck = { ok: true; value: unknown } | { ok: false; reason: string };

const MAX_CACHED = 256;
/** Compiled validators by schema text: the same skill asks with the same schema many times. */
const compiled = new Map<string, z.ZodType>();

function validatorFor(jsonSchema: JsonSchema): z.ZodType {
  const key = JSON.stringify(jsonSchema);
  const hit = compiled.get(key);
  if (hit) return hit;
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new ForgeError('BAD_INPUT', `output.jsonSchema: unsupported JSON Schema: ${String(error)}`, {
      retryable: false,
      cause: error,
    });
  }
  if (compiled.size >= MAX_CACHED) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(key, schema);
  return schema;
}

/**
 * Checks a value against a JSON Schema (draft 2020-12, as zod's `toJSONSchema` writes it). The
 * reason names every failing field. Throws BAD_INPUT when the schema itself cannot be used.
 */
export function checkJsonValue(value: unknown, jsonSchema: JsonSchema): JsonCheck {
  const result = validatorFor(jsonSchema).safeParse(value);
  if (result.success) return { ok: true, value };
  return { ok: false, reason: `reply fails the output schema: ${describeIssues(result.error).join('; ')}` };
}

/** Parses a model's JSON reply and checks it against the schema. */
export function checkJsonText(text: string, jsonSchema: JsonSchema): JsonCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: `reply is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return checkJsonValue(value, jsonSchema);
}
