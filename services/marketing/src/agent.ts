import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { Late } from '@forge/day';
import type { MarketingDeps, MarketingRuntime } from './marketing-deps.js';
import { blogPostSkill } from './skills/blog-post.js';
import { contentCalendarSkill } from './skills/content-calendar.js';
import { planWeekSkill } from './skills/plan-week.js';
import { dailyBriefSkill, weeklyMarketingReportSkill } from './skills/reports.js';
import { writeCopySkill } from './skills/write-copy.js';

/**
 * The marketing manager: the week's slots in code (`plan-week`), the content calendar with angles
 * (`content-calendar`, mid), copy (`write-copy`, mid), long-form blog posts (`blog-post`,
 * frontier), and the daily brief and weekly report filled from data with a mid summary.
 */
export function createMarketingAgent(runtime: MarketingRuntime): AgentDefinition {
  return defineAgent({
    name: 'marketing',
    description:
      'Plans the weekly content calendar, writes post copy and long-form blog posts in the operator voice, and ' +
      'reports daily and weekly on posts, engagement, spend by tier and competitor moves.',
    defaultSkill: 'plan-week',
    skills: [
      defineSkill(planWeekSkill),
      defineSkill(writeCopySkill),
      defineSkill(contentCalendarSkill(runtime)),
      defineSkill(blogPostSkill(runtime)),
      defineSkill(dailyBriefSkill(runtime)),
      defineSkill(weeklyMarketingReportSkill(runtime)),
    ],
  });
}

/** The agent's definition for its card and manifests (its runtime is never bound). */
export const marketingAgent = createMarketingAgent(new Late<MarketingDeps>('marketing'));
