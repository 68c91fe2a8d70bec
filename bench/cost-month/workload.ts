import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ForgeError, ModelPurpose, SkillRef } from '@forge/contracts';
import { formatConfigPath } from '@forge/policy';
import { type Document, isCollection, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

/** Every estimate carries why it is what it is, on one line, so a reader can argue with it. */
const Reason = z
  .string({ error: (issue) => (issue.input === undefined ? 'required: a one-line reason' : 'must be text') })
  .trim()
  .min(10, 'give a one-line reason (at least 10 characters)')
  .max(500, 'keep the reason to one line (at most 500 characters)')
  .refine((s) => !/[\r\n]/.test(s), 'must be one line');

const Duration = z.string().regex(/^[1-9]\d{0,5}(m|h|d)$/, 'must be a duration such as 30m, 1h or 7d');

const MINUTES = { m: 1, h: 60, d: 1440 } as const;

/** `30m` → 30, `1h` → 60, `7d` → 10080. */
export function durationMinutes(text: string): number {
  const unit = text.slice(-1) as keyof typeof MINUTES;
  return Number(text.slice(0, -1)) * MINUTES[unit];
}

/**
 * How often a task type runs: exactly one of a fixed interval (`every: 30m`), a count per day or
 * per week (spread evenly). Every form becomes an interval in minutes; see `schedule.ts`.
 */
const Runs = z
  .strictObject({
    every: Duration.optional(),
    perDay: z.number().positive().max(100_000).optional(),
    perWeek: z.number().positive().max(100_000).optional(),
    reason: Reason,
  })
  .superRefine((runs, ctx) => {
    const given = (['every', 'perDay', 'perWeek'] as const).filter((k) => runs[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of every, perDay, perWeek (found ${given.length === 0 ? 'none' : given.join(', ')})`,
      });
    }
  });

const Batch = z.strictObject({
  /** Items one run handles (feeds, headlines, mentions, rooms, ...). */
  size: z.number().int().positive().max(1_000_000),
  unit: z.string().trim().min(1).max(40),
  /** Router tasks one run creates (a skill that takes one feed gets one task per feed). */
  tasksPerRun: z.number().int().positive().max(1000).default(1),
  /** Model calls one task makes when a model does the work. */
  callsPerTask: z.number().int().positive().max(50).default(1),
  reason: Reason,
});

const Tokens = z.strictObject({
  /** Per run, over all its tasks and calls. */
  perRun: z.number().int().nonnegative().max(100_000_000),
  reason: Reason,
});

const Cache = z
  .strictObject({
    /** Share of the input tokens read from the provider's prompt cache. */
    readShare: z.number().min(0).max(1).default(0),
    /** Share of the input tokens written to the 5-minute cache (billed 1.25x input at Anthropic). */
    writeShare: z.number().min(0).max(1).default(0),
    reason: Reason,
  })
  .refine((c) => c.readShare + c.writeShare <= 1, {
    message: 'readShare + writeShare must not exceed 1',
    path: ['writeShare'],
  });

/**
 * How much of each call's prompt is the same on every run (instructions, rule packs, voice
 * guides, tool definitions): what the skill declares stable, so the prompt cache can keep it.
 */
const Stable = z.strictObject({
  share: z.number().min(0).max(1),
  reason: Reason,
});

const TaskTypeId = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be kebab-case (a-z, 0-9, -)');

/** One scheduled task type: what runs, how often, and what the same work costs a model. */
export const WorkloadTask = z
  .strictObject({
    id: TaskTypeId,
    title: z.string().trim().min(1).max(120),
    /** `<agent>.<skill>`: the skill the router routes (its route in config decides the tier). */
    skill: SkillRef,
    /** What a model would be asked to do (read by the offline provider; sent with every call). */
    purpose: ModelPurpose.default('extract'),
    runs: Runs,
    batch: Batch,
    /** The whole prompt (cached part included) of one run when a model does the work. */
    tokensIn: Tokens,
    /** Everything generated in one run (reasoning included), when a model does the work. */
    tokensOut: Tokens,
    /**
     * Older files: the share of the prompt read from / written to the cache. Their sum is read as
     * the stable share when `stable` is absent; the fake server's prompt cache decides the rest.
     */
    cache: Cache.optional(),
    /** Share of each call's prompt that is a stable prefix (default: the `cache` shares' sum, else 0). */
    stable: Stable.optional(),
    /** `max_tokens` of each call (what admission reserves); default twice the call's output. */
    maxTokens: z
      .strictObject({ perCall: z.number().int().positive().max(200_000), reason: Reason })
      .optional(),
  })
  .superRefine((task, ctx) => {
    const calls = task.batch.tasksPerRun * task.batch.callsPerTask;
    if (task.tokensIn.perRun < calls) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokensIn', 'perRun'],
        message: `must be at least the run's ${calls} calls (one token each)`,
      });
    }
  });
export type WorkloadTask = z.output<typeof WorkloadTask>;

/** The share of each call's prompt that is a stable prefix: `stable.share`, else the `cache` shares' sum, else 0. */
export function stableShare(task: WorkloadTask): number {
  if (task.stable) return task.stable.share;
  if (task.cache) return Math.min(1, task.cache.readShare + task.cache.writeShare);
  return 0;
}

/**
 * A workload file (`bench/workloads/*.yaml`): the scheduled task types of one operator's day.
 * Strict: unknown fields, a missing reason, or two task types with one id are errors.
 */
export const Workload = z
  .strictObject({
    version: z.literal(1),
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(4000).optional(),
    source: z.string().trim().max(500).optional(),
    tasks: z.array(WorkloadTask).min(1).max(500),
  })
  .superRefine((w, ctx) => {
    const seen = new Map<string, number>();
    w.tasks.forEach((t, i) => {
      const first = seen.get(t.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tasks', i, 'id'],
          message: `duplicate id "${t.id}" (also tasks[${first}])`,
        });
      } else seen.set(t.id, i);
    });
  });
export type Workload = z.output<typeof Workload>;

/**
 * Parses workload YAML. Syntax errors and every schema issue come back as one BAD_CONFIG
 * ForgeError listing each with its field path and line, e.g.
 * `tasks[3].tokensIn.reason: give a one-line reason (at least 10 characters) (seed-day.yaml line 88)`.
 */
export function parseWorkload(text: string, sourceName: string): Workload {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map(
      (e) => `${sourceName} line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n', 1)[0]}`,
    );
    throw invalid(sourceName, issues);
  }
  const result = Workload.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => {
    const paths =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    return paths.map((path) => {
      const line = lineOf(doc, lineCounter, path);
      return `${formatConfigPath(path)}: ${message}${line === undefined ? '' : ` (${sourceName} line ${line})`}`;
    });
  });
  throw invalid(sourceName, issues);
}

/** Reads and parses a workload file (BAD_CONFIG when unreadable or invalid). */
export async function loadWorkload(path: string): Promise<Workload> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ForgeError('BAD_CONFIG', `cannot read workload file ${path}: ${(error as Error).message}`, {
      retryable: false,
    });
  }
  return parseWorkload(text, basename(path));
}

function invalid(sourceName: string, issues: string[]): ForgeError {
  return new ForgeError('BAD_CONFIG', `invalid workload ${sourceName}:\n  ${issues.join('\n  ')}`, {
    retryable: false,
    details: { source: sourceName, issues },
  });
}

/** The line of the deepest node on `path` the document has (a missing field → its parent's line). */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  const keys = path.filter((p): p is string | number => typeof p !== 'symbol');
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range && (depth > 0 || isCollection(node))) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}
