import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeIssues, ForgeError } from '@forge/contracts';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const Clock = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM');
const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const EnvName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must name an environment variable');

/** How the operator sounds, and what a draft must never say. */
export const VoiceGuide = z.object({
  name: z.string().trim().min(1).max(100),
  traits: z.array(z.string().trim().min(1).max(200)).min(1).max(12),
  /** Phrases a draft must not contain (case-insensitive, whole words). */
  bannedPhrases: z.array(z.string().trim().min(2).max(100)).max(200).default([]),
  /** Openers that flatter, stripped or refused on top of the built-in list. */
  sycophanticOpeners: z.array(z.string().trim().min(2).max(100)).max(100).default([]),
  /** Redrafts with the failed checks named before a draft goes to a person as failing. */
  maxRedrafts: z.number().int().min(0).max(5).default(2),
});
export type VoiceGuide = z.infer<typeof VoiceGuide>;

export const PostingWindowConfig = z.object({
  timeZone: z.string().min(1),
  days: z.array(Weekday).min(1).max(7),
  start: Clock,
  end: Clock,
});

export const DayConfig = z.object({
  version: z.string().min(1),
  voice: VoiceGuide,
  engagement: z
    .object({
      /** Stories scored at least this get a take drafted. */
      minStoryScore: z.number().min(0).max(1).default(0.6),
      /** The channel takes and replies are written for. */
      channel: z.string().default('x'),
      /** How many lessons from the diary go into a drafting prompt. */
      recallLessons: z.number().int().min(0).max(10).default(3),
    })
    .prefault({}),
  approvals: z
    .object({
      /**
       * `all`: every outbound text waits for a person (the seed queues them to the phone);
       * `needs-review`: text the policy engine allows is approved by policy, the rest waits.
       * Text with instructions from outside in it always waits, whatever the mode.
       */
      mode: z.enum(['all', 'needs-review']).default('all'),
      notify: z
        .object({
          /** An ntfy topic URL (https://ntfy.sh/<topic>) or any webhook; none: no notification. */
          url: z
            .url({ protocol: /^https?$/ })
            .nullable()
            .default(null),
          format: z.enum(['ntfy', 'json']).default('ntfy'),
          /** The environment variable holding a bearer token for the webhook, if it needs one. */
          tokenEnv: EnvName.nullable().default(null),
          /** Link to the item in a console; `{id}` is replaced. */
          clickUrl: z.string().max(500).nullable().default(null),
        })
        .prefault({}),
      pollMs: z.number().int().min(100).max(60_000).default(2000),
    })
    .prefault({}),
  publisher: z
    .object({
      target: z.enum(['outbox', 'webhook', 'mastodon']).default('outbox'),
      windows: z.array(PostingWindowConfig).min(1).max(20),
      minSpacingMinutes: z.number().int().min(0).max(1440).default(60),
      slotMinutes: z
        .union([z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)])
        .default(15),
      /** Attach the terminal-style image card to posts on channels that take images. */
      card: z.boolean().default(false),
      leaseMs: z.number().int().min(1000).max(600_000).default(60_000),
      maxAttempts: z.number().int().min(1).max(20).default(5),
      webhook: z
        .object({ url: z.url({ protocol: /^https?$/ }), tokenEnv: EnvName.nullable().default(null) })
        .nullable()
        .default(null),
      mastodon: z
        .object({ url: z.url({ protocol: /^https?$/ }), tokenEnv: EnvName.default('FORGE_MASTODON_TOKEN') })
        .nullable()
        .default(null),
    })
    .superRefine((p, ctx) => {
      if (p.target === 'webhook' && !p.webhook)
        ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'required when target is webhook' });
      if (p.target === 'mastodon' && !p.mastodon)
        ctx.addIssue({ code: 'custom', path: ['mastodon'], message: 'required when target is mastodon' });
    }),
  marketing: z
    .object({
      timeZone: z.string().default('UTC'),
      channels: z
        .array(
          z.object({
            channel: z.string(),
            postsPerWeek: z.number().int().min(0).max(35),
            days: z.array(Weekday).min(1).max(7).optional(),
            times: z.array(Clock).min(1).max(5).optional(),
          }),
        )
        .min(1)
        .default([{ channel: 'x', postsPerWeek: 7 }]),
      themes: z
        .array(z.object({ id: z.string(), weight: z.number().int().min(1).max(10).default(1) }))
        .min(1)
        .default([{ id: 'routing', weight: 1 }]),
    })
    .prefault({}),
  diary: z
    .object({
      timeZone: z.string().default('UTC'),
      /** Event kinds (`<agent>.<kind>`, `*` for any kind of an agent) that become observations. */
      notable: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.(\*|[a-z][a-z0-9-]*)$/)).default([]),
    })
    .prefault({}),
});
export type DayConfig = z.infer<typeof DayConfig>;

/** The repository's `config/day.yaml`, found from this file (src/ and dist/ sit at the same depth). */
export function defaultDayConfigPath(): string {
  return fileURLToPath(new URL('../../../config/day.yaml', import.meta.url));
}

/** Parses a day config document; BAD_CONFIG listing every issue with its path. */
export function parseDayConfig(text: string, source: string): DayConfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ForgeError('BAD_CONFIG', `invalid ${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  const parsed = DayConfig.safeParse(doc.toJSON());
  if (!parsed.success) {
    throw new ForgeError('BAD_CONFIG', `invalid ${source}: ${describeIssues(parsed.error).join('; ')}`, {
      retryable: false,
    });
  }
  return parsed.data;
}

/** The environment variables `loadDayConfig` reads beside the tokens the config names. */
export const DAY_ENV_VARIABLES: readonly string[] = ['FORGE_DAY_CONFIG'];

/** The day config and the secrets it names, read once in a service's `main`. */
export interface LoadedDayConfig {
  readonly day: DayConfig;
  readonly path: string;
  /** Values of the environment variables the config names (tokens); never logged. */
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * Reads `FORGE_DAY_CONFIG` (default `config/day.yaml` of the repository) and resolves the token
 * variables it names from `env`. The only reader of the environment for the day's settings.
 */
export async function loadDayConfig(env: Record<string, string | undefined>): Promise<LoadedDayConfig> {
  const path = env.FORGE_DAY_CONFIG || defaultDayConfigPath();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ForgeError('BAD_CONFIG', `cannot read the day config ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const day = parseDayConfig(text, path);
  const names = [
    day.approvals.notify.tokenEnv,
    day.publisher.webhook?.tokenEnv,
    day.publisher.mastodon && day.publisher.target === 'mastodon' ? day.publisher.mastodon.tokenEnv : null,
  ].filter((n): n is string => typeof n === 'string');
  const secrets: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value) secrets[name] = value;
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new ForgeError(
      'BAD_CONFIG',
      `the day config ${path} needs ${missing.join(', ')} set in the environment`,
    );
  }
  return { day, path, secrets };
}
