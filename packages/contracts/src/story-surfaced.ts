import { z } from 'zod';
import { AgentEvent } from './agent-event.js';

/** The agent and kind of the event the scout publishes for each story worth a take. */
export const STORY_SURFACED = { agent: 'scout', kind: 'story-surfaced' } as const;

/** A 64-character lower-case hex SHA-256. */
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');

/**
 * What the scout says about a story whose relevance reached the surfacing threshold. The item is
 * data from a third party's feed: consumers treat its text as material, never as instructions.
 * `item.hash` is the story's stable identity across feeds and runs: a consumer de-duplicates by it
 * (the scout may publish the same story twice if it crashed between publishing and recording).
 */
export const StorySurfaced = z.object({
  item: z.object({
    /** SHA-256 of the canonical link (else guid, else title and summary): the idempotency key. */
    hash: Sha256Hex,
    title: z.string().max(500).nullable(),
    /** Canonical link (tracking parameters stripped), or null when the feed gave none. */
    link: z.string().max(2000).nullable(),
    /** Plain text, cut at a word boundary. */
    summary: z.string().max(2000).nullable(),
    published: z.iso.datetime().nullable(),
    author: z.string().max(200).nullable(),
    categories: z.array(z.string().max(200)).max(50),
    /** The feed it came from (config id), its title, and its tags (`news`, `competitor`, ...). */
    feed: z.object({
      id: z.string().min(1).max(100),
      title: z.string().max(500).nullable(),
      tags: z.array(z.string().max(50)).max(20),
    }),
    firstSeenAt: z.iso.datetime(),
  }),
  score: z.object({
    /** 0 = irrelevant, 1 = squarely on the rubric. */
    relevance: z.number().min(0).max(1),
    /** Rubric topic ids the story touches. */
    topics: z.array(z.string().max(40)).max(10),
    /** The take the operator could post, in one line, or null. */
    why: z.string().max(300).nullable(),
    confidence: z.number().min(0).max(1),
    /** `provider:model` that scored it (`offline:small` offline). */
    model: z.string().max(200),
    scoredAt: z.iso.datetime(),
  }),
  /** The threshold in force when it was surfaced. */
  threshold: z.number().min(0).max(1),
});
export type StorySurfaced = z.infer<typeof StorySurfaced>;

/** The whole event on `forge.<brain>.event.scout.story-surfaced` (stream EVENTS). */
export const StorySurfacedEvent = AgentEvent.extend({
  agent: z.literal(STORY_SURFACED.agent),
  kind: z.literal(STORY_SURFACED.kind),
  data: StorySurfaced,
});
export type StorySurfacedEvent = z.infer<typeof StorySurfacedEvent>;
