import { BRAND_RULES, FORMAT_RULES } from './brand-rules.js';
import { CANNABIS_RULES } from './cannabis-rules.js';
import { phrases, type Rule } from './rule.js';

/** Bump when a rule is added, removed or changes meaning; decisions record it. */
export const POLICY_VERSION = 'forge-policy-2025.06.1';

/** Copy that is about cannabis products or their use; cannabis advertising rules apply to it. */
export const CANNABIS_TOPIC = phrases(
  'cannabis',
  'marijuana',
  'weed',
  'thc',
  'cbd',
  'dispensar(?:y|ies)',
  'pre ?rolls?',
  'edibles?',
  'gummies',
  'strains?',
  'indica',
  'sativa',
  'kush',
  'vapes?',
  'carts',
  'cartridges?',
  'concentrates?',
  'dabs?',
  'rosin',
  'flower',
  'buds',
  'eighths?',
  'joints?',
  'blunts?',
  'bongs?',
  '420',
  'terpenes?',
  'budtenders?',
);

/** The policy, in evaluation order: cannabis advertising, brand safety, format. */
export const RULES: readonly Rule[] = [...CANNABIS_RULES, ...BRAND_RULES, ...FORMAT_RULES];
