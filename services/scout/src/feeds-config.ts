import { loadYamlConfigFile } from '@forge/yaml-config';
import { z } from 'zod';
import { DEFAULT_RUBRIC } from './skills/score-headlines.js';

const Kebab = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be kebab-case: a-z, 0-9, - and start with a letter');

export const FeedListingConfig = z.strictObject({
  /** Stable id: items and fetch state are kept under it. */
  id: Kebab,
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** How the feed is shown; its own title is used when absent. */
  title: z.string().trim().min(1).max(200).optional(),
  /** `news`, `competitor`, ...: skills select feeds by tag (competitor feeds are feeds tagged so). */
  tags: z.array(Kebab).max(20).default([]),
  /**
   * A feed on this machine or the private network. Only local feeds may resolve to loopback or
   * private addresses; any other feed that does is refused (the SSRF guard).
   */
  local: z.boolean().default(false),
});
export type FeedListingConfig = z.output<typeof FeedListingConfig>;

/** The scout's config file (`config/feeds.yaml`): what to fetch, how, and how to score it. */
export const FeedsConfig = z.strictObject({
  fetch: z
    .strictObject({
      timeoutSeconds: z.number().min(1).max(120).default(15),
      /** Largest feed body accepted after decompression. */
      maxBytes: z.number().int().min(10_000).max(50_000_000).default(5_000_000),
      maxRedirects: z.number().int().min(0).max(10).default(5),
      /** Feeds fetched at once. */
      concurrency: z.number().int().min(1).max(16).default(4),
      userAgent: z.string().min(1).max(200).default('Forge-Scout/0.1 (feed reader)'),
    })
    .prefault({}),
  scoring: z
    .strictObject({
      /** Relevance at or above this surfaces a story to the engagement agent. */
      threshold: z.number().min(0).max(1).default(0.6),
      /** Headlines per model call. */
      batchSize: z.number().int().min(1).max(50).default(25),
      /** Items scored per run at most; the rest wait for the next run. */
      maxPerRun: z.number().int().min(1).max(2000).default(200),
      /** A model that keeps failing on an item gives up on it after this many tries. */
      maxAttempts: z.number().int().min(1).max(10).default(3),
      rubric: z
        .array(z.strictObject({ id: Kebab.max(40), description: z.string().trim().min(1).max(500) }))
        .min(1)
        .max(10)
        .default(DEFAULT_RUBRIC),
    })
    .prefault({}),
  feeds: z
    .array(FeedListingConfig)
    .min(1)
    .max(500)
    .superRefine((feeds, ctx) => {
      const seen = new Set<string>();
      feeds.forEach((feed, i) => {
        if (seen.has(feed.id))
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate feed id "${feed.id}"` });
        seen.add(feed.id);
      });
    }),
});
export type FeedsConfig = z.output<typeof FeedsConfig>;

/**
 * Reads the feeds file. `${NAME}` in it takes the value of `vars` (the scout passes
 * `FORGE_DAY_URL`, the loopback server of the offline day that `forge up` runs). BAD_CONFIG lists
 * every issue with its field and line.
 */
export function loadFeedsConfig(
  path: string,
  vars: Readonly<Record<string, string | undefined>>,
): Promise<FeedsConfig> {
  return loadYamlConfigFile(path, FeedsConfig, { what: 'feeds config', vars });
}
