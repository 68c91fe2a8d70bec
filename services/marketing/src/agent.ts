import { defineAgent, defineSkill } from '@forge/agent-kit';
import { planWeekSkill } from './skills/plan-week.js';
import { writeCopySkill } from './skills/write-copy.js';

/**
 * The marketing manager: fills the week's content calendar (`plan-week`, tool tier) and writes the
 * copy for each brief (`write-copy`, mid tier).
 */
export const marketingAgent = defineAgent({
  name: 'marketing',
  description:
    'Plans the weekly content calendar from channels, cadence, weighted themes and template slots, and ' +
    "writes post copy for each brief in the operator's voice within the channel's limit.",
  defaultSkill: 'plan-week',
  skills: [defineSkill(planWeekSkill), defineSkill(writeCopySkill)],
});
