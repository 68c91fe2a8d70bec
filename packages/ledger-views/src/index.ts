export { readBudgetView } from './budget-snapshot.js';
export { buildCostReport, type CostReport, type CostTotals, frontierBaseline } from './cost-report.js';
export { monthStart } from './month-start.js';
export {
  type ExplainRequest,
  explainRoute,
  inputTokens,
  originFor,
  type RouteExplanation,
} from './route-explanation.js';
export { usd } from './usd.js';
