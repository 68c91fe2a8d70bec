import type { Publication, TierSpend } from '@forge/store';
import type { MarketingDeps } from '../marketing-deps.js';
import { surfacedStories } from './surfaced-stories.js';

/** What a brief or report is filled from; every number comes from the brain's own tables. */
export interface ReportData {
  from: string;
  to: string;
  posts: {
    published: number;
    scheduled: number;
    failed: number;
    byChannel: Record<string, number>;
    latest: string[];
  };
  engagement: {
    takesDrafted: number;
    mentionsTriaged: number;
    brandSafetyRisks: number;
    repliesDrafted: number;
  };
  approvals: { queued: number; blocked: number; injectionAttempts: number };
  spend: { byTier: TierSpend[]; totalMicros: number; shadowMicros: number };
  stories: { surfaced: number; top: { title: string; score: number }[] };
  competitorMoves: { title: string; source: string }[];
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Gathers the period's posts, engagement, approvals, spend by tier and stories (code, no model). */
export async function gatherReportData(
  deps: Pick<MarketingDeps, 'publications' | 'spend' | 'diary'>,
  from: string,
  to: string,
): Promise<ReportData> {
  const [publications, spend, observations] = await Promise.all([
    deps.publications.list({ limit: 500 }),
    deps.spend.byTier(from, to),
    deps.diary.observations({ from, to, limit: 2000 }),
  ]);
  const inPeriod = (p: Publication) => {
    const at = p.publishedAt ?? p.dueAt;
    return at >= from && at < to;
  };
  const posts = publications.filter(inPeriod);
  const published = posts.filter((p) => p.status === 'published');
  const byChannel: Record<string, number> = {};
  for (const p of published) byChannel[p.channel] = (byChannel[p.channel] ?? 0) + 1;
  const of = (agent: string, kind: string) =>
    observations.filter((o) => o.agent === agent && o.kind === kind);
  const triaged = of('engagement', 'mentions-triaged');
  const queued = of('compliance', 'approval-queued');
  const stories = surfacedStories(observations);
  return {
    from,
    to,
    posts: {
      published: published.length,
      scheduled: posts.filter((p) => p.status === 'scheduled' || p.status === 'publishing').length,
      failed: posts.filter((p) => p.status === 'failed').length,
      byChannel,
      latest: published.slice(0, 3).map((p) => p.body.slice(0, 140)),
    },
    engagement: {
      takesDrafted: of('engagement', 'take-drafted').length,
      mentionsTriaged: triaged.reduce((n, o) => n + num(o.data.total), 0),
      brandSafetyRisks: triaged.reduce((n, o) => n + num(o.data.risks), 0),
      repliesDrafted: triaged.reduce((n, o) => n + num(o.data.replies), 0),
    },
    approvals: {
      queued: queued.length,
      blocked: queued.filter((o) => o.data.status === 'blocked').length,
      injectionAttempts: queued.filter((o) => Array.isArray(o.data.injection) && o.data.injection.length > 0)
        .length,
    },
    spend: {
      byTier: spend,
      totalMicros: spend.reduce((n, t) => n + t.spendMicros, 0),
      shadowMicros: spend.reduce((n, t) => n + t.shadowMicros, 0),
    },
    stories: {
      surfaced: stories.length,
      top: stories.slice(0, 5).map((s) => ({ title: s.title, score: s.score })),
    },
    competitorMoves: stories
      .filter((s) => s.tags.includes('competitor'))
      .map((s) => ({ title: s.title, source: s.source }))
      .slice(0, 10),
  };
}

const usd = (micros: number) => `$${(micros / 1e6).toFixed(2)}`;

/** The report as Markdown: a fixed template filled from the data. */
export function renderReport(title: string, d: ReportData): string {
  const tiers = (['tool', 'small', 'mid', 'frontier'] as const).map((tier) => {
    const row = d.spend.byTier.find((t) => t.tier === tier);
    return `| ${tier} | ${row?.calls ?? 0} | ${usd(row?.spendMicros ?? 0)} |`;
  });
  const channels = Object.entries(d.posts.byChannel)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  return [
    `# ${title}`,
    '',
    `Period: ${d.from} to ${d.to}.`,
    '',
    '## Posts',
    `${d.posts.published} published${channels ? ` (${channels})` : ''}, ${d.posts.scheduled} scheduled, ${d.posts.failed} failed.`,
    ...d.posts.latest.map((t) => `- "${t}"`),
    '',
    '## Engagement',
    `${d.engagement.takesDrafted} takes drafted; ${d.engagement.mentionsTriaged} mentions triaged, ${d.engagement.brandSafetyRisks} brand-safety risks, ${d.engagement.repliesDrafted} replies drafted.`,
    `${d.approvals.queued} texts went to the approval queue, ${d.approvals.blocked} blocked by policy, ${d.approvals.injectionAttempts} carried instructions from outside.`,
    '',
    '## Spend by tier',
    '| tier | calls | spend |',
    '| --- | --- | --- |',
    ...tiers,
    `Total ${usd(d.spend.totalMicros)}${d.spend.shadowMicros ? ` (offline shadow ${usd(d.spend.shadowMicros)}, not spent)` : ''}.`,
    '',
    '## Stories and competitor moves',
    `${d.stories.surfaced} stories surfaced.`,
    ...d.stories.top.map((s) => `- ${s.title} (${s.score.toFixed(2)})`),
    ...(d.competitorMoves.length
      ? ['Competitors:', ...d.competitorMoves.map((c) => `- ${c.title} (${c.source})`)]
      : ['No competitor moves.']),
  ].join('\n');
}
