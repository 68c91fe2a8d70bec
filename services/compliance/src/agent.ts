import { defineAgent, defineSkill } from '@forge/agent-kit';
import { checkTextSkill } from './skills/check-text.js';
import { reviewSkill } from './skills/review.js';

/**
 * The compliance engine: a policy decision tree over outbound text (`check-text`, tool tier) and
 * accuracy-critical regulatory review (`review`, frontier, critical: never routed lower).
 */
export const complianceAgent = defineAgent({
  name: 'compliance',
  description:
    'Checks outbound text against cannabis advertising, brand safety and channel rules (allow, ' +
    'needs-review or block, with each violation), and reviews METRC and seed-to-sale arguments for accuracy.',
  defaultSkill: 'check-text',
  skills: [defineSkill(checkTextSkill), defineSkill(reviewSkill)],
});
