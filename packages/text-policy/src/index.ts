export { CheckTextInput, CheckTextOutput, checkText, Violation } from './check-text.js';
export { POLICY_VERSION, RULES } from './rules.js';
