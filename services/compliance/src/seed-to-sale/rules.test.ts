import { describe, expect, it } from 'vitest';
import { reconcileRecords } from '../skills/reconcile-records.js';
import type { SeedToSaleRecords } from './records.js';

const TAG_A = '1A4000000000000000000001';
const TAG_B = '1A4000000000000000000002';
const ASOF = '2026-11-30T18:00:00.000Z';

/** A clean record set: every rule passes it. Each test breaks one thing. */
function clean(): SeedToSaleRecords {
  return {
    licenseNumber: '403R-00012',
    asOf: ASOF,
    packages: [
      {
        tag: TAG_A,
        item: 'Blue Dream flower',
        unitOfMeasure: 'Grams',
        initialQuantity: 1000,
        quantity: 900,
        adjustments: [{ quantity: -100, reason: 'transfer 0000000001', at: '2026-11-29T10:00:00.000Z' }],
        status: 'active',
        packagedAt: '2026-11-01T10:00:00.000Z',
      },
      {
        tag: TAG_B,
        item: 'Gummies 10 mg',
        unitOfMeasure: 'Each',
        initialQuantity: 50,
        quantity: 50,
        adjustments: [],
        status: 'active',
        packagedAt: '2026-11-10T10:00:00.000Z',
      },
    ],
    transfers: [
      {
        manifestNumber: '0000000001',
        direction: 'outgoing',
        shipperLicense: '403R-00012',
        recipientLicense: '402R-00077',
        departedAt: '2026-11-29T11:00:00.000Z',
        arrivedAt: '2026-11-29T15:00:00.000Z',
        packages: [{ tag: TAG_A, unitOfMeasure: 'Grams', shippedQuantity: 100, receivedQuantity: 100 }],
      },
    ],
    manifests: [
      {
        manifestNumber: '0000000001',
        createdAt: '2026-11-29T09:00:00.000Z',
        reportDeadline: '2026-11-29T11:00:00.000Z',
        reportedAt: '2026-11-29T09:30:00.000Z',
      },
    ],
    inventoryCounts: [
      { tag: TAG_A, unitOfMeasure: 'Grams', countedQuantity: 900.2, countedAt: '2026-11-30T08:00:00.000Z' },
      { tag: TAG_B, unitOfMeasure: 'Each', countedQuantity: 50, countedAt: '2026-11-30T08:00:00.000Z' },
    ],
  };
}

function rules(records: SeedToSaleRecords) {
  return reconcileRecords({ records }).findings.map((f) => [f.ruleId, f.severity, f.subject]);
}

describe('seed-to-sale rule pack', () => {
  it('finds nothing in a clean record set, and runs every rule', () => {
    const out = reconcileRecords({ records: clean() });
    expect(out).toMatchObject({ status: 'clean', findings: [] });
    expect(out.rulesRun).toHaveLength(7);
  });

  describe('manifest-reporting-window', () => {
    it('warns on an unreported manifest inside the window and is critical once the deadline passed', () => {
      const near = clean();
      near.manifests[0] = {
        ...near.manifests[0]!,
        reportedAt: null,
        reportDeadline: '2026-12-01T06:00:00.000Z',
      };
      expect(rules(near)).toEqual([['manifest-reporting-window', 'warning', '0000000001']]);
      const late = clean();
      late.manifests[0] = { ...late.manifests[0]!, reportedAt: null };
      expect(rules(late)).toEqual([['manifest-reporting-window', 'critical', '0000000001']]);
      const reportedLate = clean();
      reportedLate.manifests[0] = { ...reportedLate.manifests[0]!, reportedAt: '2026-11-29T12:00:00.000Z' };
      expect(rules(reportedLate)).toEqual([['manifest-reporting-window', 'major', '0000000001']]);
    });

    it('does not fire for an unreported manifest far from its deadline', () => {
      const far = clean();
      far.manifests[0] = {
        ...far.manifests[0]!,
        reportedAt: null,
        reportDeadline: '2026-12-05T18:00:00.000Z',
      };
      expect(rules(far)).toEqual([]);
    });
  });

  it('transfer-without-manifest fires for a transfer whose manifest is missing, not otherwise', () => {
    const records = clean();
    records.manifests = [];
    expect(rules(records)).toEqual([['transfer-without-manifest', 'critical', '0000000001']]);
  });

  describe('negative-quantity', () => {
    it('fires for a negative package, an adjustment that goes below zero, and a negative transfer', () => {
      const records = clean();
      records.packages[1] = {
        ...records.packages[1]!,
        quantity: -5,
        adjustments: [{ quantity: -55, reason: 'sold', at: '2026-11-20T10:00:00.000Z' }],
      };
      records.inventoryCounts[1] = { ...records.inventoryCounts[1]!, countedQuantity: 0 };
      const found = rules(records).filter((r) => r[0] === 'negative-quantity');
      expect(found).toEqual([
        ['negative-quantity', 'critical', TAG_B],
        ['negative-quantity', 'critical', TAG_B],
      ]);
    });

    it('does not fire when quantities reach exactly zero', () => {
      const records = clean();
      records.packages[1] = {
        ...records.packages[1]!,
        quantity: 0,
        status: 'finished',
        adjustments: [{ quantity: -50, reason: 'sold', at: '2026-11-20T10:00:00.000Z' }],
      };
      expect(rules(records)).toEqual([]);
    });
  });

  it('package-quantity-mismatch fires when adjustments do not add up, within tolerance not', () => {
    const off = clean();
    off.packages[0] = { ...off.packages[0]!, quantity: 890 };
    off.inventoryCounts[0] = { ...off.inventoryCounts[0]!, countedQuantity: 890 };
    expect(rules(off)).toEqual([['package-quantity-mismatch', 'major', TAG_A]]);
    const rounding = clean();
    rounding.packages[0] = { ...rounding.packages[0]!, quantity: 900.0004 };
    expect(rules(rounding)).toEqual([]);
  });

  describe('transfer-quantity-mismatch', () => {
    it('fires for received ≠ shipped, a unit that differs, and an arrival never accepted', () => {
      const short = clean();
      short.transfers[0]!.packages[0] = { ...short.transfers[0]!.packages[0]!, receivedQuantity: 95 };
      expect(rules(short)).toEqual([['transfer-quantity-mismatch', 'major', TAG_A]]);
      const unit = clean();
      unit.transfers[0]!.packages[0] = { ...unit.transfers[0]!.packages[0]!, unitOfMeasure: 'Ounces' };
      expect(rules(unit)).toEqual([['transfer-quantity-mismatch', 'major', TAG_A]]);
      const unaccepted = clean();
      unaccepted.transfers[0]!.packages[0] = {
        ...unaccepted.transfers[0]!.packages[0]!,
        receivedQuantity: null,
      };
      expect(rules(unaccepted)).toEqual([['transfer-quantity-mismatch', 'major', TAG_A]]);
    });

    it('does not fire for a transfer still on the road', () => {
      const records = clean();
      records.transfers[0] = {
        ...records.transfers[0]!,
        arrivedAt: null,
        packages: [{ ...records.transfers[0]!.packages[0]!, receivedQuantity: null }],
      };
      expect(rules(records)).toEqual([]);
    });
  });

  it('unknown-package fires for an outgoing transfer or count of a tag the licence lacks; incoming ones pass', () => {
    const records = clean();
    const stranger = '1A4000000000000000000099';
    records.inventoryCounts.push({
      tag: stranger,
      unitOfMeasure: 'Grams',
      countedQuantity: 3,
      countedAt: '2026-11-30T08:00:00.000Z',
    });
    expect(rules(records)).toEqual([['unknown-package', 'major', stranger]]);
    const incoming = clean();
    incoming.transfers.push({
      ...incoming.transfers[0]!,
      direction: 'incoming',
      packages: [{ tag: stranger, unitOfMeasure: 'Grams', shippedQuantity: 5, receivedQuantity: 5 }],
    });
    expect(rules(incoming)).toEqual([]);
  });

  describe('unreconciled-inventory', () => {
    it('fires for a count off by more than the tolerance, a count in another unit, a package never counted', () => {
      const off = clean();
      off.inventoryCounts[0] = { ...off.inventoryCounts[0]!, countedQuantity: 880 };
      expect(rules(off)).toEqual([['unreconciled-inventory', 'major', TAG_A]]);
      const unit = clean();
      unit.inventoryCounts[1] = { ...unit.inventoryCounts[1]!, unitOfMeasure: 'Grams' };
      expect(rules(unit)).toEqual([['unreconciled-inventory', 'major', TAG_B]]);
      const never = clean();
      never.inventoryCounts.pop();
      expect(rules(never)).toEqual([['unreconciled-inventory', 'warning', TAG_B]]);
      const stale = clean();
      stale.inventoryCounts[1] = { ...stale.inventoryCounts[1]!, countedAt: '2026-09-01T08:00:00.000Z' };
      expect(rules(stale)).toEqual([['unreconciled-inventory', 'warning', TAG_B]]);
    });

    it('uses the latest count and does not fire within 0.5% or for finished packages', () => {
      const records = clean();
      records.inventoryCounts.push({
        tag: TAG_A,
        unitOfMeasure: 'Grams',
        countedQuantity: 500,
        countedAt: '2026-11-01T08:00:00.000Z',
      });
      records.inventoryCounts[0] = { ...records.inventoryCounts[0]!, countedQuantity: 904 };
      expect(rules(records)).toEqual([]);
      const finished = clean();
      finished.packages[1] = { ...finished.packages[1]!, status: 'finished' };
      finished.inventoryCounts.pop();
      expect(rules(finished)).toEqual([]);
    });
  });

  it('orders findings critical first and sets the status', () => {
    const records = clean();
    records.manifests[0] = { ...records.manifests[0]!, reportedAt: null };
    records.inventoryCounts.pop();
    const out = reconcileRecords({ records });
    expect(out.status).toBe('violations');
    expect(out.findings.map((f) => f.severity)).toEqual(['critical', 'warning']);
    expect(out.counts).toMatchObject({ critical: 1, major: 0, warning: 1 });
  });
});
