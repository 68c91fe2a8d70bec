import { z } from 'zod';

export {
  InventoryCount,
  ManifestRecord,
  PackageRecord,
  PackageTag,
  SeedToSaleRecords,
  TransferRecord,
  UnitOfMeasure,
} from '@forge/contracts';

/** How strict the checks are; defaults suit a daily reconciliation. */
export const ReconcileSettings = z.object({
  /** A manifest unreported this close to its deadline is a warning. */
  manifestWarnHours: z
    .number()
    .min(0)
    .max(24 * 14)
    .default(24),
  /** Quantities closer than this (in the package's unit) are equal. */
  quantityTolerance: z.number().min(0).max(1000).default(0.001),
  /** A count may differ from the system by this share of the system quantity before it is unreconciled. */
  countToleranceShare: z.number().min(0).max(0.5).default(0.005),
  /** An active package not counted for this many days is a warning. */
  countMaxAgeDays: z.number().int().min(1).max(365).default(30),
});
export type ReconcileSettings = z.infer<typeof ReconcileSettings>;
