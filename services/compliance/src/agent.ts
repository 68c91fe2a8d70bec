import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { Late } from '@forge/day';
import type { ComplianceDeps, ComplianceRuntime } from './compliance-deps.js';
import { approvalSkills } from './skills/approvals.js';
import { checkTextSkill } from './skills/check-text.js';
import { gateOutboundSkill } from './skills/gate-outbound.js';
import { reconcileRecordsSkill } from './skills/reconcile-records.js';
import { reviewSkill } from './skills/review.js';
import { reviewOutboundSkill } from './skills/review-outbound.js';

/**
 * The compliance engine: a policy decision tree over outbound text (`check-text`, tool tier),
 * the gate every outbound text passes into the approval queue (`gate-outbound`, tool), frontier
 * review of what needs a person (`review-outbound`, `review`: critical, never routed lower), the
 * seed-to-sale reconciliation (`reconcile-records`, tool) and the approval queue over A2A.
 * Skills that use the queue read it from `runtime`, bound when the service starts.
 */
export function createComplianceAgent(runtime: ComplianceRuntime): AgentDefinition {
  return defineAgent({
    name: 'compliance',
    description:
      'Checks outbound text against cannabis advertising, brand safety and channel rules, queues what needs a ' +
      'person for approval with a frontier review, reconciles METRC-like seed-to-sale records, and reviews ' +
      'METRC and seed-to-sale arguments for accuracy.',
    defaultSkill: 'check-text',
    skills: [
      defineSkill(checkTextSkill),
      defineSkill(reviewSkill),
      defineSkill(gateOutboundSkill(runtime)),
      defineSkill(reviewOutboundSkill(runtime)),
      defineSkill(reconcileRecordsSkill(runtime)),
      ...approvalSkills(runtime),
    ],
  });
}

/** The agent's definition for its card and skill manifests (its runtime is never bound). */
export const complianceAgent = createComplianceAgent(new Late<ComplianceDeps>('the approval queue'));
