import type { Channel } from '@forge/channel-text';
import { assertNever } from '@forge/contracts';
import { type DetectorHit, phoneDigits, runDetector } from './detectors.js';
import type { Rule, RuleCategory, Severity } from './rule.js';
import { CANNABIS_TOPIC } from './rules.js';
import { indexText } from './text-index.js';

export type Decision = 'allow' | 'needs-review' | 'block';

export interface Violation {
  ruleId: string;
  category: RuleCategory;
  severity: Severity;
  /** UTF-16 offsets [start, end) in the caller's text; null when the fault is something missing. */
  span: { start: number; end: number } | null;
  /** The offending text, or null when absent or redacted (personal data, credentials). */
  excerpt: string | null;
  why: string;
}

export interface EvaluateOptions {
  channel: Channel;
  competitors?: readonly string[];
  allowedContacts?: readonly string[];
  /** Overrides topic detection: true applies the cannabis rules, false skips them. */
  cannabisContent?: boolean;
}

export interface Evaluation {
  decision: Decision;
  cannabisContent: boolean;
  violations: Violation[];
}

/** More hits than this for one rule add nothing a reviewer can use. */
const MAX_HITS_PER_RULE = 20;
/** How far back a rule's `exceptAfter` looks for a negation or protective phrase. */
const LOOKBEHIND_CHARS = 60;
const MAX_EXCERPT = 120;

function excerpt(text: string, hit: DetectorHit, redact: boolean | undefined): string | null {
  if (redact) return null;
  const raw = text.slice(hit.start, hit.end);
  return raw.length > MAX_EXCERPT ? `${raw.slice(0, MAX_EXCERPT - 1)}…` : raw;
}

function phraseHits(
  rule: Extract<Rule, { kind: 'phrase' }>,
  normalized: string,
): { start: number; end: number }[] {
  const hits: { start: number; end: number }[] = [];
  for (const m of normalized.matchAll(rule.pattern)) {
    const start = m.index;
    if (rule.exceptAfter?.test(normalized.slice(Math.max(0, start - LOOKBEHIND_CHARS), start))) continue;
    hits.push({ start, end: start + m[0].length });
    if (hits.length >= MAX_HITS_PER_RULE) break;
  }
  return hits;
}

/** The decision the worst violation calls for: any block blocks, any review needs a person. */
export function decide(violations: readonly Violation[]): Decision {
  if (violations.some((v) => v.severity === 'block')) return 'block';
  if (violations.length > 0) return 'needs-review';
  return 'allow';
}

/**
 * Walks `rules` over `text` for a channel and returns every violation, ordered by position
 * (missing-text violations first), with the decision. Pure and deterministic; the rules are data.
 */
export function evaluate(text: string, rules: readonly Rule[], options: EvaluateOptions): Evaluation {
  const index = indexText(text);
  CANNABIS_TOPIC.lastIndex = 0;
  const cannabisContent = options.cannabisContent ?? CANNABIS_TOPIC.test(index.normalized);
  const allowed = options.allowedContacts ?? [];
  const ctx = {
    index,
    channel: options.channel,
    competitors: options.competitors ?? [],
    allowedEmails: new Set(allowed.filter((c) => c.includes('@')).map((c) => c.trim().toLowerCase())),
    allowedPhones: new Set(
      allowed
        .filter((c) => !c.includes('@'))
        .map(phoneDigits)
        .filter((d) => d.length >= 10),
    ),
  };
  const violations: Violation[] = [];
  for (const rule of rules) {
    if (rule.cannabisOnly && !cannabisContent) continue;
    const base = { ruleId: rule.id, category: rule.category, severity: rule.severity };
    switch (rule.kind) {
      case 'phrase':
        for (const hit of phraseHits(rule, index.normalized)) {
          const span = index.toOriginal(hit.start, hit.end);
          violations.push({ ...base, span, excerpt: excerpt(text, span, rule.redactExcerpt), why: rule.why });
        }
        break;
      case 'required':
        rule.pattern.lastIndex = 0;
        if (rule.requiredOn(options.channel) && !rule.pattern.test(index.normalized)) {
          violations.push({ ...base, span: null, excerpt: null, why: rule.why });
        }
        break;
      case 'detector':
        for (const hit of runDetector(rule.detector, ctx).slice(0, MAX_HITS_PER_RULE)) {
          const span = { start: hit.start, end: hit.end };
          const why = hit.detail ? `${rule.why} (${hit.detail})` : rule.why;
          violations.push({ ...base, span, excerpt: excerpt(text, span, rule.redactExcerpt), why });
        }
        break;
      default:
        assertNever(rule, 'rule');
    }
  }
  violations.sort((a, b) => (a.span?.start ?? -1) - (b.span?.start ?? -1));
  return { decision: decide(violations), cannabisContent, violations };
}
