import type { PartnerActivity, PartnerSkillCalls } from '@forge/store';
import { describe, expect, it } from 'vitest';
import { buildPartnerReport } from './partner-report.js';

const calls = (
  row: Partial<PartnerSkillCalls> & Pick<PartnerSkillCalls, 'partner' | 'skill'>,
): PartnerSkillCalls => ({
  direction: 'inbound',
  calls: 0,
  completed: 0,
  failed: 0,
  rejected: 0,
  canceled: 0,
  open: 0,
  lastCallAt: '2026-12-01T00:00:00.000Z',
  ...row,
});

const ACTIVITY: PartnerActivity = {
  since: '2026-12-01T00:00:00.000Z',
  until: '2026-12-06T00:00:00.000Z',
  calls: [
    calls({
      partner: 'b',
      skill: 'compliance.check-text',
      calls: 2,
      rejected: 1,
      open: 1,
      lastCallAt: '2026-12-05T11:00:00.000Z',
    }),
    calls({
      partner: 'b',
      skill: 'scout.recent-items',
      calls: 4,
      completed: 2,
      failed: 1,
      canceled: 1,
      lastCallAt: '2026-12-04T09:00:00.000Z',
    }),
    calls({
      partner: 'b',
      direction: 'outbound',
      skill: 'compliance.check-text',
      calls: 2,
      completed: 1,
      failed: 1,
      lastCallAt: '2026-12-04T12:00:00.000Z',
    }),
    calls({ partner: 'a', skill: 'scout.recent-items', calls: 1, open: 1 }),
  ],
  spend: [
    {
      partner: 'b',
      skill: 'compliance.check-text',
      tier: 'mid',
      calls: 1,
      refused: 0,
      spendMicros: 0,
      shadowMicros: 900,
    },
    {
      partner: 'b',
      skill: 'scout.recent-items',
      tier: 'mid',
      calls: 1,
      refused: 0,
      spendMicros: 40_000,
      shadowMicros: 0,
    },
    {
      partner: 'b',
      skill: 'scout.recent-items',
      tier: 'small',
      calls: 2,
      // Two attempts the budget refused: ledger rows, no calls, no cost.
      refused: 2,
      spendMicros: 3_500,
      shadowMicros: 0,
    },
    // Spend of a skill with no task in the window (the task began before it).
    {
      partner: 'b',
      skill: 'diary.note',
      tier: 'small',
      calls: 1,
      refused: 0,
      spendMicros: 10,
      shadowMicros: 0,
    },
    { partner: 'c', skill: null, tier: 'frontier', calls: 1, refused: 0, spendMicros: 7, shadowMicros: 0 },
  ],
  failures: [],
};

describe('buildPartnerReport', () => {
  const report = buildPartnerReport(ACTIVITY);

  it('adds up each partner’s inbound calls by state, with the error rate over the calls that ended', () => {
    expect(report.partners.map((p) => p.partner)).toEqual(['a', 'b', 'c']);
    const b = report.partners[1]!;
    expect(b.inbound).toMatchObject({
      calls: 6,
      completed: 2,
      failed: 1,
      rejected: 1,
      canceled: 1,
      errors: 3,
      open: 1,
      // 3 errors of 5 ended calls (the open one is neither).
      errorRate: 0.6,
      lastCallAt: '2026-12-05T11:00:00.000Z',
      modelCalls: 5,
      refusedCalls: 2,
      spendMicros: 43_510,
      shadowMicros: 900,
    });
    expect(report.partners[0]!.inbound).toMatchObject({ calls: 1, open: 1, errors: 0, errorRate: null });
  });

  it('splits spend by tier (tier order) and by skill, a skill with spend and no call included; refused attempts are no model calls', () => {
    const b = report.partners[1]!;
    expect(b.inbound.byTier).toEqual([
      { tier: 'small', modelCalls: 3, refusedCalls: 2, spendMicros: 3_510, shadowMicros: 0 },
      { tier: 'mid', modelCalls: 2, refusedCalls: 0, spendMicros: 40_000, shadowMicros: 900 },
    ]);
    expect(b.inbound.bySkill.map((s) => [s.skill, s.calls, s.errors, s.spendMicros])).toEqual([
      ['compliance.check-text', 2, 1, 0],
      ['diary.note', 0, 0, 10],
      ['scout.recent-items', 4, 2, 43_500],
    ]);
    expect(report.partners[2]!.inbound.bySkill).toEqual([
      expect.objectContaining({ skill: '(no skill)', calls: 0, spendMicros: 7 }),
    ]);
  });

  it('keeps outbound calls apart, with no spend of ours, and totals both directions', () => {
    const b = report.partners[1]!;
    expect(b.outbound).toMatchObject({ calls: 2, completed: 1, failed: 1, errors: 1, errorRate: 0.5 });
    expect(b.outbound.bySkill).toEqual([
      expect.objectContaining({ skill: 'compliance.check-text', calls: 2 }),
    ]);
    expect(report.partners[0]!.outbound).toMatchObject({ calls: 0, errorRate: null, lastCallAt: null });
    expect(report.totals.inbound).toMatchObject({
      calls: 7,
      errors: 3,
      spendMicros: 43_517,
      modelCalls: 6,
      refusedCalls: 2,
    });
    expect(report.totals.outbound).toMatchObject({ calls: 2, errors: 1 });
  });
});
