export { complianceAgent } from './agent.js';
export { POLICY_VERSION } from './policy/rules.js';
export { CheckTextInput, CheckTextOutput, checkText } from './skills/check-text.js';
export { ReviewInput, ReviewOutput, review } from './skills/review.js';
