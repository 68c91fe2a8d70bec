export { readBudgetView } from './budget-snapshot.js';
export { buildCostReport, type CostReport, type CostTotals, frontierBaseline } from './cost-report.js';
export { monthStart } from './month-start.js';
export {
  buildPartnerReport,
  type InboundReport,
  type OutboundReport,
  type PartnerCallCounts,
  type PartnerOverview,
  type PartnerReport,
  type PartnerSpend,
  readPartnerOverview,
} from './partner-report.js';
export {
  type ExplainRequest,
  explainRoute,
  inputTokens,
  originFor,
  type RouteExplanation,
} from './route-explanation.js';
export { usd } from './usd.js';
