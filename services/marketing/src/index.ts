export { marketingAgent } from './agent.js';
export { PlanWeekInput, PlanWeekOutput, planWeek } from './skills/plan-week.js';
export { WriteCopyInput, WriteCopyOutput, writeCopy } from './skills/write-copy.js';
