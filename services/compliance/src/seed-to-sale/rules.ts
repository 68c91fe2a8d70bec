import type { ReconcileSettings, SeedToSaleRecords } from './records.js';

export type FindingSeverity = 'critical' | 'major' | 'warning';

export interface Finding {
  ruleId: string;
  severity: FindingSeverity;
  /** The package tag or manifest number the finding is about. */
  subject: string;
  message: string;
}

/** One check of the pack: pure, deterministic, over the whole record set. */
export interface SeedToSaleRule {
  readonly id: string;
  readonly description: string;
  check(records: SeedToSaleRecords, settings: ReconcileSettings): Finding[];
}

const HOUR = 3_600_000;

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '');
}

const manifestWindow: SeedToSaleRule = {
  id: 'manifest-reporting-window',
  description:
    'A manifest must be reported by its deadline; unreported ones near it are flagged before it passes.',
  check(records, settings) {
    const now = Date.parse(records.asOf);
    const out: Finding[] = [];
    for (const m of records.manifests) {
      const deadline = Date.parse(m.reportDeadline);
      if (m.reportedAt !== null) {
        if (Date.parse(m.reportedAt) > deadline) {
          out.push({
            ruleId: this.id,
            severity: 'major',
            subject: m.manifestNumber,
            message: `manifest ${m.manifestNumber} was reported at ${m.reportedAt}, after its deadline ${m.reportDeadline}`,
          });
        }
        continue;
      }
      const hoursLeft = (deadline - now) / HOUR;
      if (hoursLeft < 0) {
        out.push({
          ruleId: this.id,
          severity: 'critical',
          subject: m.manifestNumber,
          message: `manifest ${m.manifestNumber} is unreported and its deadline ${m.reportDeadline} passed ${fmt(-hoursLeft)} h ago`,
        });
      } else if (hoursLeft <= settings.manifestWarnHours) {
        out.push({
          ruleId: this.id,
          severity: 'warning',
          subject: m.manifestNumber,
          message: `manifest ${m.manifestNumber} is unreported with ${fmt(Math.round(hoursLeft * 10) / 10)} h left before ${m.reportDeadline}`,
        });
      }
    }
    return out;
  },
};

const transferWithoutManifest: SeedToSaleRule = {
  id: 'transfer-without-manifest',
  description: 'Every transfer travels under a manifest the records hold.',
  check(records) {
    const known = new Set(records.manifests.map((m) => m.manifestNumber));
    return records.transfers
      .filter((t) => !known.has(t.manifestNumber))
      .map((t) => ({
        ruleId: this.id,
        severity: 'critical' as const,
        subject: t.manifestNumber,
        message: `transfer ${t.manifestNumber} (${t.direction}) has no manifest record`,
      }));
  },
};

const negativeQuantity: SeedToSaleRule = {
  id: 'negative-quantity',
  description: 'No package, adjustment result, count or transferred quantity may be negative.',
  check(records) {
    const out: Finding[] = [];
    const push = (subject: string, message: string) =>
      out.push({ ruleId: this.id, severity: 'critical', subject, message });
    for (const p of records.packages) {
      if (p.quantity < 0) push(p.tag, `package ${p.tag} holds ${fmt(p.quantity)} ${p.unitOfMeasure}`);
      if (p.initialQuantity < 0)
        push(p.tag, `package ${p.tag} started at ${fmt(p.initialQuantity)} ${p.unitOfMeasure}`);
      let running = p.initialQuantity;
      for (const a of [...p.adjustments].sort((x, y) => x.at.localeCompare(y.at))) {
        running += a.quantity;
        if (running < 0) {
          push(
            p.tag,
            `package ${p.tag} went to ${fmt(running)} ${p.unitOfMeasure} after "${a.reason}" at ${a.at}`,
          );
          break;
        }
      }
    }
    for (const t of records.transfers) {
      for (const tp of t.packages) {
        if (tp.shippedQuantity < 0 || (tp.receivedQuantity ?? 0) < 0) {
          push(tp.tag, `transfer ${t.manifestNumber} moves a negative quantity of ${tp.tag}`);
        }
      }
    }
    for (const c of records.inventoryCounts) {
      if (c.countedQuantity < 0) push(c.tag, `count of ${c.tag} at ${c.countedAt} is negative`);
    }
    return out;
  },
};

const packageLedgerMismatch: SeedToSaleRule = {
  id: 'package-quantity-mismatch',
  description: "A package's quantity equals its initial quantity plus its adjustments.",
  check(records, settings) {
    return records.packages.flatMap((p) => {
      const expected = p.initialQuantity + p.adjustments.reduce((sum, a) => sum + a.quantity, 0);
      if (Math.abs(expected - p.quantity) <= settings.quantityTolerance) return [];
      return [
        {
          ruleId: this.id,
          severity: 'major' as const,
          subject: p.tag,
          message: `package ${p.tag} holds ${fmt(p.quantity)} ${p.unitOfMeasure} but its initial quantity and adjustments add up to ${fmt(expected)}`,
        },
      ];
    });
  },
};

const transferMismatch: SeedToSaleRule = {
  id: 'transfer-quantity-mismatch',
  description: 'What a recipient accepted equals what was shipped, in the same unit as the package.',
  check(records, settings) {
    const units = new Map(records.packages.map((p) => [p.tag, p.unitOfMeasure]));
    const out: Finding[] = [];
    for (const t of records.transfers) {
      for (const tp of t.packages) {
        const unit = units.get(tp.tag);
        if (unit && unit !== tp.unitOfMeasure) {
          out.push({
            ruleId: this.id,
            severity: 'major',
            subject: tp.tag,
            message: `transfer ${t.manifestNumber} lists ${tp.tag} in ${tp.unitOfMeasure}, the package is in ${unit}`,
          });
        }
        if (tp.receivedQuantity === null) {
          if (t.arrivedAt !== null) {
            out.push({
              ruleId: this.id,
              severity: 'major',
              subject: tp.tag,
              message: `transfer ${t.manifestNumber} arrived at ${t.arrivedAt} but ${tp.tag} was never accepted`,
            });
          }
          continue;
        }
        if (Math.abs(tp.receivedQuantity - tp.shippedQuantity) > settings.quantityTolerance) {
          out.push({
            ruleId: this.id,
            severity: 'major',
            subject: tp.tag,
            message: `transfer ${t.manifestNumber}: ${tp.tag} shipped ${fmt(tp.shippedQuantity)} and received ${fmt(tp.receivedQuantity)} ${tp.unitOfMeasure}`,
          });
        }
      }
    }
    return out;
  },
};

const unknownPackage: SeedToSaleRule = {
  id: 'unknown-package',
  description: 'An outgoing transfer or a count names only packages the licence holds.',
  check(records) {
    const known = new Set(records.packages.map((p) => p.tag));
    const out: Finding[] = [];
    for (const t of records.transfers.filter((x) => x.direction === 'outgoing')) {
      for (const tp of t.packages.filter((x) => !known.has(x.tag))) {
        out.push({
          ruleId: this.id,
          severity: 'major',
          subject: tp.tag,
          message: `outgoing transfer ${t.manifestNumber} ships ${tp.tag}, which is not in the licence's packages`,
        });
      }
    }
    for (const c of records.inventoryCounts.filter((x) => !known.has(x.tag))) {
      out.push({
        ruleId: this.id,
        severity: 'major',
        subject: c.tag,
        message: `a count at ${c.countedAt} names ${c.tag}, which is not in the licence's packages`,
      });
    }
    return out;
  },
};

const unreconciledInventory: SeedToSaleRule = {
  id: 'unreconciled-inventory',
  description:
    'The latest physical count of each active package matches the system quantity within tolerance, and no active package goes uncounted too long.',
  check(records, settings) {
    const latest = new Map<string, (typeof records.inventoryCounts)[number]>();
    for (const c of records.inventoryCounts) {
      const prior = latest.get(c.tag);
      if (!prior || prior.countedAt < c.countedAt) latest.set(c.tag, c);
    }
    const now = Date.parse(records.asOf);
    const out: Finding[] = [];
    for (const p of records.packages.filter((x) => x.status === 'active')) {
      const count = latest.get(p.tag);
      if (!count) {
        out.push({
          ruleId: this.id,
          severity: 'warning',
          subject: p.tag,
          message: `active package ${p.tag} (${p.item}) has no physical count on record`,
        });
        continue;
      }
      if (count.unitOfMeasure !== p.unitOfMeasure) {
        out.push({
          ruleId: this.id,
          severity: 'major',
          subject: p.tag,
          message: `package ${p.tag} was counted in ${count.unitOfMeasure}, the system holds it in ${p.unitOfMeasure}`,
        });
        continue;
      }
      const allowed = Math.max(
        settings.quantityTolerance,
        Math.abs(p.quantity) * settings.countToleranceShare,
      );
      const diff = count.countedQuantity - p.quantity;
      if (Math.abs(diff) > allowed) {
        out.push({
          ruleId: this.id,
          severity: 'major',
          subject: p.tag,
          message: `package ${p.tag} counted ${fmt(count.countedQuantity)} ${p.unitOfMeasure} at ${count.countedAt}; the system holds ${fmt(p.quantity)} (${diff > 0 ? '+' : ''}${fmt(diff)})`,
        });
      } else if ((now - Date.parse(count.countedAt)) / (24 * HOUR) > settings.countMaxAgeDays) {
        out.push({
          ruleId: this.id,
          severity: 'warning',
          subject: p.tag,
          message: `active package ${p.tag} was last counted at ${count.countedAt}, over ${settings.countMaxAgeDays} days ago`,
        });
      }
    }
    return out;
  },
};

/** The seed-to-sale rule pack, in the order findings are reported. */
export const SEED_TO_SALE_RULES: readonly SeedToSaleRule[] = [
  manifestWindow,
  transferWithoutManifest,
  negativeQuantity,
  packageLedgerMismatch,
  transferMismatch,
  unknownPackage,
  unreconciledInventory,
];

/** Bump when a rule is added, removed or changes meaning; results record it. */
export const SEED_TO_SALE_VERSION = 'seed-to-sale-2026.11.1';
