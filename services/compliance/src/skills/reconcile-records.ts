import type { SkillContext } from '@forge/agent-kit';
import { z } from 'zod';
import type { ComplianceRuntime } from '../compliance-deps.js';
import { ReconcileSettings, SeedToSaleRecords } from '../seed-to-sale/records.js';
import { type Finding, SEED_TO_SALE_RULES, SEED_TO_SALE_VERSION } from '../seed-to-sale/rules.js';

/** The ids of the pack's rules, for a check that runs a subset (the manifest-window check). */
export const SeedToSaleRuleId = z.enum(
  SEED_TO_SALE_RULES.map((r) => r.id) as [string, ...string[]],
  'must be a rule of the seed-to-sale pack',
);

export const ReconcileRecordsInput = z.object({
  records: SeedToSaleRecords,
  settings: ReconcileSettings.prefault({}),
  /** Run only these rules (default: the whole pack), e.g. the manifest window during the day. */
  rules: z.array(SeedToSaleRuleId).min(1).max(SEED_TO_SALE_RULES.length).optional(),
  /**
   * `violations` (default): a critical or major finding goes to frontier review
   * (`compliance.review`, critical) with the findings as facts; `never`: findings are only reported.
   */
  review: z.enum(['violations', 'never']).default('violations'),
  /** ISO 3166-2 subdivision whose rules the review applies (e.g. US-CO). */
  jurisdiction: z
    .string()
    .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 code such as US-CO')
    .optional(),
});
export type ReconcileRecordsInput = z.input<typeof ReconcileRecordsInput>;

const SEVERITY_ORDER = { critical: 0, major: 1, warning: 2 } as const;

export const ReconcileRecordsOutput = z.object({
  licenseNumber: z.string(),
  asOf: z.string(),
  rulesVersion: z.string(),
  /** `clean`: nothing found; `attention`: warnings only; `violations`: a critical or major finding. */
  status: z.enum(['clean', 'attention', 'violations']),
  counts: z.object({
    packages: z.number().int(),
    transfers: z.number().int(),
    manifests: z.number().int(),
    inventoryCounts: z.number().int(),
    critical: z.number().int(),
    major: z.number().int(),
    warning: z.number().int(),
  }),
  findings: z.array(
    z.object({
      ruleId: z.string(),
      severity: z.enum(['critical', 'major', 'warning']),
      subject: z.string(),
      message: z.string(),
    }),
  ),
  rulesRun: z.array(z.string()),
  /** The frontier review started for the violations, or null (clean, warnings only, or `review: never`). */
  reviewTaskId: z.uuid().nullable(),
});
export type ReconcileRecordsOutput = z.infer<typeof ReconcileRecordsOutput>;

/** Runs the rules of the seed-to-sale pack (all, or `rules`) over the records; pure and deterministic. */
export function reconcileRecords(raw: ReconcileRecordsInput): Omit<ReconcileRecordsOutput, 'reviewTaskId'> {
  const { records, settings, rules: only } = ReconcileRecordsInput.parse(raw);
  const rules = only ? SEED_TO_SALE_RULES.filter((r) => only.includes(r.id)) : SEED_TO_SALE_RULES;
  const findings: Finding[] = rules.flatMap((rule) => rule.check(records, settings));
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const critical = count('critical');
  const major = count('major');
  const warning = count('warning');
  return {
    licenseNumber: records.licenseNumber,
    asOf: records.asOf,
    rulesVersion: SEED_TO_SALE_VERSION,
    status: critical + major > 0 ? 'violations' : warning > 0 ? 'attention' : 'clean',
    counts: {
      packages: records.packages.length,
      transfers: records.transfers.length,
      manifests: records.manifests.length,
      inventoryCounts: records.inventoryCounts.length,
      critical,
      major,
      warning,
    },
    findings,
    rulesRun: rules.map((r) => r.id),
  };
}

/** At most this many findings become facts of one review. */
const MAX_REVIEW_FACTS = 60;

/** The frontier review's input for a reconciliation with violations: the findings as facts. */
export function reconciliationReviewInput(
  out: Omit<ReconcileRecordsOutput, 'reviewTaskId'>,
  jurisdiction: string | undefined,
): Record<string, unknown> {
  const manifestOnly = out.findings.every((f) => f.ruleId === 'manifest-reporting-window');
  return {
    kind: manifestOnly ? 'transfer-manifest' : 'inventory-reconciliation',
    ...(jurisdiction ? { jurisdiction } : {}),
    question:
      `The seed-to-sale reconciliation of licence ${out.licenseNumber} as of ${out.asOf} found ` +
      `${out.counts.critical} critical and ${out.counts.major} major findings (rules ${SEED_TO_SALE_VERSION}). ` +
      'For each, is it a reportable discrepancy, what must be corrected or reported to the state, and by when?',
    facts: [
      { label: 'licence', value: out.licenseNumber },
      { label: 'records as of', value: out.asOf },
      ...out.findings.slice(0, MAX_REVIEW_FACTS).map((f) => ({
        label: `${f.severity} ${f.ruleId} (${f.subject})`,
        value: f.message,
      })),
    ],
  };
}

/**
 * `compliance.reconcile-records`: seed-to-sale reconciliation over METRC-like records, plain code
 * ($0); violations go on to frontier review as a child task (`compliance.review`, critical), keyed
 * by this task so a redelivery never starts a second review.
 */
export function reconcileRecordsSkill(runtime: ComplianceRuntime) {
  return {
    id: 'reconcile-records',
    name: 'Reconcile seed-to-sale records',
    description:
      'Reconciles METRC-like seed-to-sale records (packages, transfers, manifests, physical counts): manifests near ' +
      'or past their reporting window, negative or mismatched quantities, unreconciled inventory, unknown packages.',
    tags: ['compliance', 'metrc', 'seed-to-sale', 'reconciliation'],
    examples: ['{"records": {"licenseNumber": "403R-00012", "asOf": "2026-11-30T18:00:00Z"}}'],
    tier: 'tool' as const,
    input: ReconcileRecordsInput,
    output: ReconcileRecordsOutput,
    handler: async (
      input: z.output<typeof ReconcileRecordsInput>,
      ctx: Pick<SkillContext, 'emit' | 'task'>,
    ): Promise<ReconcileRecordsOutput> => {
      const found = reconcileRecords(input);
      let reviewTaskId: string | null = null;
      if (found.status === 'violations' && input.review === 'violations') {
        const { submitter, brain } = runtime.get();
        ({ taskId: reviewTaskId } = await submitter.submit({
          skill: 'compliance.review',
          input: reconciliationReviewInput(found, input.jurisdiction),
          origin: { kind: 'agent', brain, by: 'compliance' },
          idempotencyKey: `reconcile-review:${ctx.task.id}`,
          parentId: ctx.task.id,
        }));
      }
      const out = { ...found, reviewTaskId };
      if (out.status !== 'clean') {
        await ctx.emit('reconciliation-flagged', {
          licenseNumber: out.licenseNumber,
          status: out.status,
          critical: out.counts.critical,
          major: out.counts.major,
          warning: out.counts.warning,
          rules: [...new Set(out.findings.map((f) => f.ruleId))],
          reviewTaskId,
        });
      }
      return out;
    },
  };
}
