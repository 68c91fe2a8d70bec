import { checkJsonText, checkJsonValue, type JsonCheck, type JsonSchema } from './json-output.js';

/**
 * Both vendors want structured output to be a JSON object at the root (Anthropic tool inputs,
 * OpenAI `json_schema`). A schema with any other root is wrapped as `{ value: <schema> }` on the
 * way out and unwrapped on the way back.
 */
export interface ObjectRoot {
  /** The schema to send to the vendor (without `$schema`, which vendors do not need). */
  schema: JsonSchema;
  wrapped: boolean;
}

export function objectRoot(jsonSchema: JsonSchema): ObjectRoot {
  const { $schema: _dialect, ...schema } = jsonSchema;
  if (schema.type === 'object') return { schema, wrapped: false };
  // Local definitions move to the new root so `#/$defs/...` references still resolve.
  const { $defs, ...inner } = schema;
  return {
    schema: {
      type: 'object',
      properties: { value: inner },
      required: ['value'],
      additionalProperties: false,
      ...($defs === undefined ? {} : { $defs }),
    },
    wrapped: true,
  };
}

/** The reply as the caller's schema describes it: unwrapped when the root was wrapped. */
export function unwrapRoot(value: unknown, root: ObjectRoot): unknown {
  if (!root.wrapped) return value;
  if (typeof value === 'object' && value !== null && 'value' in value)
    return (value as { value: unknown }).value;
  return undefined;
}

/**
 * Reads a structured reply: the vendor's parsed value (a tool call's input) or its JSON text,
 * checked against the schema sent (`root.schema`, which holds the caller's schema), unwrapped.
 */
export function checkStructured(reply: { value: unknown } | { text: string }, root: ObjectRoot): JsonCheck {
  const checked =
    'value' in reply ? checkJsonValue(reply.value, root.schema) : checkJsonText(reply.text, root.schema);
  return checked.ok ? { ok: true, value: unwrapRoot(checked.value, root) } : checked;
}
