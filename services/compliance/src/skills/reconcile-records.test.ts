import { randomUUID } from 'node:crypto';
import type { SkillTask } from '@forge/agent-kit';
import { Late, type TaskSubmitter } from '@forge/day';
import { describe, expect, it } from 'vitest';
import type { ComplianceDeps } from '../compliance-deps.js';
import type { SeedToSaleRecords } from '../seed-to-sale/records.js';
import { ReconcileRecordsInput, reconcileRecords, reconcileRecordsSkill } from './reconcile-records.js';

const TAG = '1A4000000000000000000001';

/** One package whose quantity does not add up (major) and one manifest due in 3 h (warning). */
const RECORDS: SeedToSaleRecords = {
  licenseNumber: '403R-00012',
  asOf: '2026-11-30T18:00:00.000Z',
  packages: [
    {
      tag: TAG,
      item: 'Blue Dream flower',
      unitOfMeasure: 'Grams',
      initialQuantity: 1000,
      quantity: 850,
      adjustments: [{ quantity: -100, reason: 'sold', at: '2026-11-29T10:00:00.000Z' }],
      status: 'active',
      packagedAt: '2026-11-01T10:00:00.000Z',
    },
  ],
  transfers: [],
  manifests: [
    {
      manifestNumber: '0000000002',
      createdAt: '2026-11-30T09:00:00.000Z',
      reportDeadline: '2026-11-30T21:00:00.000Z',
      reportedAt: null,
    },
  ],
  inventoryCounts: [
    { tag: TAG, unitOfMeasure: 'Grams', countedQuantity: 850, countedAt: '2026-11-30T08:00:00.000Z' },
  ],
};

function runtime() {
  const submitted: Parameters<TaskSubmitter['submit']>[0][] = [];
  const submitter: TaskSubmitter = {
    submit: async (t) => {
      submitted.push(t);
      return { taskId: randomUUID(), created: true };
    },
  };
  const late = new Late<ComplianceDeps>('compliance');
  late.bind({ brain: 'b1', submitter } as unknown as ComplianceDeps);
  return { late, submitted };
}

function context(taskId: string) {
  const events: [string, Record<string, unknown>][] = [];
  return {
    events,
    ctx: {
      task: { id: taskId } as SkillTask,
      emit: async (kind: string, data: Record<string, unknown>) => void events.push([kind, data]),
    },
  };
}

describe('compliance.reconcile-records', () => {
  it('runs only the rules asked for (the manifest-window check)', () => {
    const out = reconcileRecords({ records: RECORDS, rules: ['manifest-reporting-window'] });
    expect(out.rulesRun).toEqual(['manifest-reporting-window']);
    expect(out.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['manifest-reporting-window', 'warning'],
    ]);
    expect(out.status).toBe('attention');
    expect(() => ReconcileRecordsInput.parse({ records: RECORDS, rules: ['no-such-rule'] })).toThrow(
      /must be a rule of the seed-to-sale pack/,
    );
  });

  it('sends violations to frontier review once per task, the findings as facts', async () => {
    const { late, submitted } = runtime();
    const skill = reconcileRecordsSkill(late);
    const taskId = randomUUID();
    const { ctx, events } = context(taskId);
    const out = await skill.handler(
      ReconcileRecordsInput.parse({ records: RECORDS, jurisdiction: 'US-CO' }),
      ctx,
    );
    expect(out.status).toBe('violations');
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({
      skill: 'compliance.review',
      idempotencyKey: `reconcile-review:${taskId}`,
      parentId: taskId,
      origin: { kind: 'agent', brain: 'b1', by: 'compliance' },
      input: {
        kind: 'inventory-reconciliation',
        jurisdiction: 'US-CO',
        facts: expect.arrayContaining([
          { label: `major package-quantity-mismatch (${TAG})`, value: expect.stringContaining('850') },
          { label: 'warning manifest-reporting-window (0000000002)', value: expect.any(String) },
        ]),
      },
    });
    expect(out.reviewTaskId).toEqual(expect.any(String));
    expect(events).toEqual([
      [
        'reconciliation-flagged',
        expect.objectContaining({ status: 'violations', reviewTaskId: out.reviewTaskId }),
      ],
    ]);
  });

  it('does not review warnings only, nor when told never to', async () => {
    const { late, submitted } = runtime();
    const skill = reconcileRecordsSkill(late);
    const warningsOnly = await skill.handler(
      ReconcileRecordsInput.parse({ records: RECORDS, rules: ['manifest-reporting-window'] }),
      context(randomUUID()).ctx,
    );
    expect(warningsOnly).toMatchObject({ status: 'attention', reviewTaskId: null });
    const never = await skill.handler(
      ReconcileRecordsInput.parse({ records: RECORDS, review: 'never' }),
      context(randomUUID()).ctx,
    );
    expect(never).toMatchObject({ status: 'violations', reviewTaskId: null });
    expect(submitted).toEqual([]);
  });
});
