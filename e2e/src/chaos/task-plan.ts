/**
 * The tasks a fault run sends: mostly `scout.parse-feed` (a tool task: through the router, no
 * model) over a feed made for the task, so its result can be checked exactly; every third one
 * `engagement.draft-reply` (a mid-tier task: its model call goes through the router's gateway
 * and the cost ledger, offline).
 */
export interface PlannedTask {
  readonly index: number;
  readonly messageId: string;
  readonly agent: 'scout' | 'engagement';
  readonly skill: string;
  readonly input: unknown;
  /** Whether the skill calls a model (through the router's gateway, so the ledger books it). */
  readonly modelCall: boolean;
  /** Whether `output` is the result this task must end with. */
  check(output: unknown): boolean;
}

export function planTask(index: number): PlannedTask {
  const messageId = crypto.randomUUID();
  if (index % 3 === 2) {
    return {
      index,
      messageId,
      agent: 'engagement',
      skill: 'draft-reply',
      modelCall: true,
      input: {
        post: { author: `reader${index}`, text: `Routing task ${index} to a small model saved money again.` },
        intent: 'agree-and-extend',
      },
      check: (output) => typeof output === 'object' && output !== null && JSON.stringify(output).length > 2,
    };
  }
  const items = 1 + (index % 4);
  const entries = Array.from(
    { length: items },
    (_, j) =>
      `<item><title>Task ${index} item ${j + 1}</title><link>https://example.com/t${index}/i${j + 1}</link></item>`,
  ).join('');
  return {
    index,
    messageId,
    agent: 'scout',
    skill: 'parse-feed',
    modelCall: false,
    input: {
      xml: `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${index}</title><link>https://example.com/</link>${entries}</channel></rss>`,
      feedUrl: 'https://example.com/feed.xml',
    },
    check: (output) => {
      const out = output as {
        counts?: { total?: number; new?: number };
        items?: { title?: string }[];
      } | null;
      return (
        out?.counts?.total === items &&
        out.counts.new === items &&
        out.items?.length === items &&
        out.items[0]?.title === `Task ${index} item 1`
      );
    },
  };
}
