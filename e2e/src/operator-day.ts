import type { Tier } from '@forge/contracts';

/** One scheduled task of the operator's day, as shipped, and the test that covers its run. */
export interface OperatorDaySchedule {
  name: string;
  cron: string;
  skill: string;
  /** The tier the skill's route in config/forge.yaml gives it. */
  tier: Tier;
}

/**
 * The 16 schedules of config/schedules.yaml (America/Denver): cron, the skill it names and the
 * tier that skill's route gives it. docs/operator-day.md lists the same table;
 * schedules-resolve.test.ts checks config against it and scheduled-day.test.ts runs the day.
 */
export const OPERATOR_DAY: readonly OperatorDaySchedule[] = [
  { name: 'fetch-news-feeds', cron: '*/30 * * * *', skill: 'scout.fetch-feeds', tier: 'tool' },
  { name: 'fetch-competitor-feeds', cron: '15 */2 * * *', skill: 'scout.fetch-feeds', tier: 'tool' },
  { name: 'score-new-stories', cron: '10,40 * * * *', skill: 'scout.score-new', tier: 'small' },
  { name: 'triage-mentions', cron: '*/15 7-22 * * *', skill: 'engagement.triage-mentions', tier: 'small' },
  { name: 'metrc-reconciliation', cron: '30 6 * * *', skill: 'compliance.reconcile-records', tier: 'tool' },
  {
    name: 'manifest-window-check',
    cron: '0 8-18/2 * * 1-6',
    skill: 'compliance.reconcile-records',
    tier: 'tool',
  },
  { name: 'publish-due-posts', cron: '*/5 * * * *', skill: 'publisher.publish-due', tier: 'tool' },
  { name: 'marketing-daily-brief', cron: '0 7 * * *', skill: 'marketing.daily-brief', tier: 'mid' },
  { name: 'plan-content-week', cron: '0 18 * * 0', skill: 'marketing.plan-week', tier: 'tool' },
  { name: 'marketing-weekly-report', cron: '0 16 * * 5', skill: 'marketing.weekly-report', tier: 'mid' },
  { name: 'weekly-blog-post', cron: '0 10 * * 3', skill: 'marketing.blog-post', tier: 'frontier' },
  { name: 'sensor-alerts-flower-room', cron: '*/15 * * * *', skill: 'diary.sensor-alert', tier: 'tool' },
  { name: 'sensor-alerts-veg-room', cron: '5,20,35,50 * * * *', skill: 'diary.sensor-alert', tier: 'tool' },
  { name: 'weekly-cultivation-report', cron: '0 7 * * 1', skill: 'diary.weekly-report', tier: 'tool' },
  { name: 'nightly-diary-entry', cron: '30 22 * * *', skill: 'diary.nightly-entry', tier: 'mid' },
  { name: 'weekly-lessons', cron: '0 21 * * 0', skill: 'diary.weekly-synthesis', tier: 'frontier' },
];

/**
 * The tier of every task the day makes, by skill: the schedules' own, and what they hand on
 * (a surfaced story's take, the compliance gate, frontier reviews, the publisher's scheduling).
 */
export const DAY_TIERS: Readonly<Record<string, Tier>> = {
  ...Object.fromEntries(OPERATOR_DAY.map((d) => [d.skill, d.tier])),
  'engagement.draft-take': 'mid',
  'compliance.gate-outbound': 'tool',
  'compliance.review-outbound': 'frontier',
  'compliance.review': 'frontier',
  'publisher.schedule-approved': 'tool',
};
