import { describeIssues, parseBoundedJson, parseOrThrow } from '@forge/contracts';
import type { z } from 'zod';

const decoder = new TextDecoder();

/**
 * Validates an outgoing payload and encodes it as JSON. Throws BAD_INPUT naming each bad field.
 * The parsed value is what is sent, so schema defaults are applied before the message leaves.
 */
export function encodeValidated<S extends z.ZodType>(schema: S, payload: unknown, subject: string): string {
  const value = parseOrThrow(schema, payload, `message for ${subject}`);
  return JSON.stringify(value);
}

/** A decoded incoming payload, or why it is unusable (naming the field). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Decodes JSON (refusing nesting deeper than 64 levels, like every JSON reader of Forge) and
 * validates it; an expected outcome for input from outside, so it returns.
 */
export function decodeValidated<S extends z.ZodType>(schema: S, data: Uint8Array): Decoded<z.output<S>> {
  let json: unknown;
  try {
    json = parseBoundedJson(decoder.decode(data));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `(root): payload is not JSON Forge reads: ${detail}` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: describeIssues(result.error).join('; ') };
}
