export { POLICY_VERSION } from '@forge/text-policy';
export { complianceAgent, createComplianceAgent } from './agent.js';
export type { ComplianceDeps, ComplianceRuntime } from './compliance-deps.js';
export { complianceExtension } from './extension.js';
export { SeedToSaleRecords } from './seed-to-sale/records.js';
export { SEED_TO_SALE_RULES, SEED_TO_SALE_VERSION } from './seed-to-sale/rules.js';
export { CheckTextInput, CheckTextOutput, checkText } from './skills/check-text.js';
export { GateOutboundInput, GateOutboundOutput } from './skills/gate-outbound.js';
export {
  ReconcileRecordsInput,
  ReconcileRecordsOutput,
  reconcileRecords,
} from './skills/reconcile-records.js';
export { ReviewInput, ReviewOutput, review } from './skills/review.js';
export { ReviewOutboundInput, ReviewOutboundOutput } from './skills/review-outbound.js';
