import { parseOrThrow, TASK_STATES, type TaskState } from '@forge/contracts';
import { z } from 'zod';

/**
 * The v1.0 request objects as they arrive in JSON (ProtoJSON, A2A v1.0 §5.5), checked with zod
 * before anything decodes them: a `null` part, a string where a list belongs or an id that is no
 * id is refused here as invalid params naming the field, instead of reaching code that throws.
 * Unknown fields are ignored (§5.7); a field's proto name (`message_id`) is read like its JSON
 * name (`messageId`), as ProtoJSON parsers must.
 */

/** ProtoJSON readers take a field's proto name too: `message_id` is read as `messageId`. */
function camelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, v] of Object.entries(value)) {
    if (!key.includes('_')) continue;
    const camel = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!(camel in out)) out[camel] = v;
  }
  return out;
}

const object = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess(
    camelKeys,
    z.looseObject(shape, {
      error: (issue) => (issue.input === undefined ? 'is required' : 'must be an object'),
    }),
  );

const Metadata = z.record(z.string(), z.unknown(), { error: 'must be an object' });
const Text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** A `google.protobuf.Timestamp` in JSON: RFC 3339, UTC or with an offset. */
const Timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time' });
/** An int32 in JSON: a number or a decimal string (ProtoJSON accepts both). */
const Int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v),
    z
      .number({ error: `must be an integer from ${min} to ${max}` })
      .int(`must be an integer from ${min} to ${max}`)
      .min(min, `must be an integer from ${min} to ${max}`)
      .max(max, `must be an integer from ${min} to ${max}`),
  );

/** Forge issues task ids; they are UUIDs, so anything else is refused before it nears a subject or SQL. */
export const TaskIdParam = z
  .string({ error: 'is required' })
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'must be a task id (a UUID)',
  );

const Base64 = z
  .string()
  .max(20_000_000)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** A Part (§4.1.6): exactly one of `text`, `raw`, `url`, `data`. */
export const WirePart = object({
  text: z.string().optional(),
  raw: Base64.optional(),
  url: Text(4_096).min(1, 'must not be empty').optional(),
  data: z.unknown().optional(),
  metadata: Metadata.optional(),
  filename: Text(255).optional(),
  mediaType: Text(255).optional(),
}).refine(
  (p) => [p.text, p.raw, p.url, p.data].filter((v) => v !== undefined).length === 1,
  'a part holds exactly one of text, raw, url or data',
);

const Role = z.union([
  z.enum(['ROLE_USER', 'ROLE_UNSPECIFIED'], { error: 'must be ROLE_USER' }),
  z.literal(1),
  z.literal(0),
]);

/** A Message a client sends (§4.1.4). */
export const WireMessage = object({
  messageId: Text(190).min(1, 'is required'),
  contextId: Text(200).optional(),
  taskId: Text(200).optional(),
  role: Role,
  parts: z.array(WirePart, { error: 'must be a list of parts' }).min(1, 'needs at least one part').max(100),
  metadata: Metadata.optional(),
  extensions: z.array(Text(2_048)).max(50).optional(),
  referenceTaskIds: z.array(Text(200)).max(100).optional(),
});

const WireConfiguration = object({
  acceptedOutputModes: z.array(Text(255)).max(50).optional(),
  historyLength: Int(0, 1_000_000).optional(),
  returnImmediately: z.boolean().optional(),
  taskPushNotificationConfig: z.unknown().optional(),
  /** v0.3's name, accepted so a v1.0 client that still sends it does not get an error. */
  blocking: z.boolean().optional(),
});

export const WireSendMessage = object({
  tenant: Text(200).optional(),
  message: WireMessage,
  configuration: WireConfiguration.optional(),
  metadata: Metadata.optional(),
});

export const WireGetTask = object({
  tenant: Text(200).optional(),
  id: TaskIdParam,
  historyLength: Int(0, 1_000_000).optional(),
});

export const WireTaskId = object({
  tenant: Text(200).optional(),
  id: TaskIdParam,
  metadata: Metadata.optional(),
});

/** A TaskState filter (§4.1.3): `TASK_STATE_WORKING`, its number, or the short name (`working`). */
export const WireTaskState = z
  .union([z.string(), z.number()])
  .transform((value, ctx): TaskState | undefined => {
    const state = taskStateOf(value);
    if (state === null) {
      ctx.addIssue({ code: 'custom', message: `must be a task state such as TASK_STATE_WORKING` });
      return z.NEVER;
    }
    return state;
  });

const PROTO_STATES: readonly (TaskState | undefined)[] = [
  undefined,
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
  'input-required',
  'rejected',
  'auth-required',
];

/** undefined for UNSPECIFIED (no filter), null for something that is not a state. */
function taskStateOf(value: string | number): TaskState | undefined | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value < PROTO_STATES.length ? PROTO_STATES[value] : null;
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^task_state_/, '')
    .replaceAll('_', '-');
  if (name === 'unspecified' || name === '') return undefined;
  return (TASK_STATES as readonly string[]).includes(name) ? (name as TaskState) : null;
}

export const WireListTasks = object({
  tenant: Text(200).optional(),
  contextId: Text(200).optional(),
  status: WireTaskState.optional(),
  pageSize: Int(1, 100).optional(),
  pageToken: Text(1_000).optional(),
  historyLength: Int(0, 1_000_000).optional(),
  statusTimestampAfter: Timestamp.optional(),
  includeArtifacts: z.boolean().optional(),
});

/** Parses a request object; BAD_INPUT naming each bad field as the spec names it. */
export function parseWire<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  return parseOrThrow(schema, value ?? {}, what);
}
