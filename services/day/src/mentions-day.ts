import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InboundMention } from '@forge/contracts';
import { parseYamlConfig } from '@forge/yaml-config';
import { z } from 'zod';
import { latestOccurrence } from './feed-template.js';

/**
 * Inbound mentions of the operator's accounts as a template of one day
 * (`fixtures/day/mentions/mentions.json`): each arrives every day at its local `time`. A window of
 * the day clock answers the mentions whose latest arrival falls in it, each with an id that names
 * its day (`m-0912@2026-12-06`), so the same mention fetched twice keeps its id and tomorrow's is
 * a new one.
 */
const MentionsFile = z.strictObject({
  mentions: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[\w-]{1,80}$/, 'must be 1-80 of A-Z, a-z, 0-9, _ and -'),
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
        author: z.string().trim().min(1).max(200),
        channel: z.string().trim().min(1).max(40),
        text: z.string().trim().min(1).max(5000),
        url: z.url({ protocol: /^https?$/ }).optional(),
      }),
    )
    .max(500),
});

export interface MentionsDay {
  readonly count: number;
  /** Mentions that arrived in (`until` − `minutes`, `until`], oldest first. */
  between(until: number, minutes: number): InboundMention[];
}

/** Loads and checks `mentions/mentions.json` (BAD_CONFIG naming field and line). */
export async function loadMentionsDay(dir: string, timeZone: string): Promise<MentionsDay> {
  const file = join(dir, 'mentions', 'mentions.json');
  const { mentions } = parseYamlConfig(await readFile(file, 'utf8'), file, MentionsFile, {
    what: 'mentions',
    vars: {},
  });
  return {
    count: mentions.length,
    between(until, minutes) {
      const from = until - minutes * 60_000;
      return mentions
        .map((m) => ({ m, occurrence: latestOccurrence(m.time, until, timeZone) }))
        .filter(({ occurrence }) => occurrence.at > from)
        .sort((a, b) => a.occurrence.at - b.occurrence.at)
        .map(({ m, occurrence }) => ({
          id: `${m.id}@${occurrence.localDate}`,
          author: m.author,
          text: m.text,
          channel: m.channel,
          ...(m.url ? { url: m.url } : {}),
          at: new Date(occurrence.at).toISOString(),
        }));
    },
  };
}
