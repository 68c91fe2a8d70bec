import type { SkillContext } from '@forge/agent-kit';
import { z } from 'zod';
import { ReconcileSettings, SeedToSaleRecords } from '../seed-to-sale/records.js';
import { type Finding, SEED_TO_SALE_RULES, SEED_TO_SALE_VERSION } from '../seed-to-sale/rules.js';

export const ReconcileRecordsInput = z.object({
  records: SeedToSaleRecords,
  settings: ReconcileSettings.prefault({}),
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
});
export type ReconcileRecordsOutput = z.infer<typeof ReconcileRecordsOutput>;

/** Runs every rule of the seed-to-sale pack over the records; pure and deterministic. */
export function reconcileRecords(raw: ReconcileRecordsInput): ReconcileRecordsOutput {
  const { records, settings } = ReconcileRecordsInput.parse(raw);
  const findings: Finding[] = SEED_TO_SALE_RULES.flatMap((rule) => rule.check(records, settings));
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
    rulesRun: SEED_TO_SALE_RULES.map((r) => r.id),
  };
}

/** `compliance.reconcile-records`: seed-to-sale reconciliation over METRC-like records. Plain code, $0. */
export const reconcileRecordsSkill = {
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
    ctx: Pick<SkillContext, 'emit'>,
  ): Promise<ReconcileRecordsOutput> => {
    const out = reconcileRecords(input);
    if (out.status !== 'clean') {
      await ctx.emit('reconciliation-flagged', {
        licenseNumber: out.licenseNumber,
        status: out.status,
        critical: out.counts.critical,
        major: out.counts.major,
        warning: out.counts.warning,
        rules: [...new Set(out.findings.map((f) => f.ruleId))],
      });
    }
    return out;
  },
};
