export { createMarketingAgent, marketingAgent } from './agent.js';
export { marketingExtension } from './extension.js';
export type { MarketingDeps, MarketingRuntime } from './marketing-deps.js';
export { gatherReportData, type ReportData, renderReport } from './reports/report-data.js';
export { BlogPostInput, BlogPostOutput } from './skills/blog-post.js';
export { ContentCalendarOutput } from './skills/content-calendar.js';
export { PlanWeekInput, PlanWeekOutput, planWeek } from './skills/plan-week.js';
export { ReportOutput } from './skills/reports.js';
export { WriteCopyInput, WriteCopyOutput, writeCopy } from './skills/write-copy.js';
