import { z } from 'zod';

/**
 * A METRC-like seed-to-sale record set: what a state track-and-trace system holds for one
 * licence, in the shape the reconciliation rules read (documented in
 * `services/compliance/docs/seed-to-sale.md`). The offline day serves one (`fixtures/day/metrc`),
 * the scheduler passes it on, `compliance.reconcile-records` checks it: all three use this schema.
 *
 * - packages: a tagged quantity of one item, its initial quantity and every adjustment since;
 * - transfers: packages moved between licences under a manifest, shipped and received quantities;
 * - manifests: the transfer manifest and the deadline by which it must be reported to the state;
 * - inventoryCounts: physical counts of packages, to reconcile against the system quantity.
 */
export const UnitOfMeasure = z.enum(['Grams', 'Milligrams', 'Ounces', 'Pounds', 'Each']);

/** A METRC package tag: 24 characters, `1A4` + 21 alphanumerics in most states. */
export const PackageTag = z.string().regex(/^[0-9A-Z]{24}$/, 'must be a 24-character package tag');

const When = z.iso.datetime({ offset: true });
const Quantity = z.number().finite();

export const PackageRecord = z.object({
  tag: PackageTag,
  item: z.string().trim().min(1).max(200),
  unitOfMeasure: UnitOfMeasure,
  initialQuantity: Quantity,
  /** The quantity the system holds now. */
  quantity: Quantity,
  adjustments: z
    .array(z.object({ quantity: Quantity, reason: z.string().trim().min(1).max(200), at: When }))
    .max(1000)
    .default([]),
  status: z.enum(['active', 'in-transit', 'finished']).default('active'),
  packagedAt: When,
});
export type PackageRecord = z.infer<typeof PackageRecord>;

export const TransferRecord = z.object({
  manifestNumber: z.string().regex(/^\d{10}$/, 'must be a 10-digit manifest number'),
  direction: z.enum(['outgoing', 'incoming']),
  shipperLicense: z.string().trim().min(1).max(40),
  recipientLicense: z.string().trim().min(1).max(40),
  departedAt: When.nullable().default(null),
  arrivedAt: When.nullable().default(null),
  packages: z
    .array(
      z.object({
        tag: PackageTag,
        unitOfMeasure: UnitOfMeasure,
        shippedQuantity: Quantity,
        /** null until the recipient accepts the package. */
        receivedQuantity: Quantity.nullable().default(null),
      }),
    )
    .min(1)
    .max(500),
});
export type TransferRecord = z.infer<typeof TransferRecord>;

export const ManifestRecord = z.object({
  manifestNumber: z.string().regex(/^\d{10}$/, 'must be a 10-digit manifest number'),
  createdAt: When,
  /** When the state requires the manifest reported (e.g. before departure, or within 24 h). */
  reportDeadline: When,
  reportedAt: When.nullable().default(null),
});
export type ManifestRecord = z.infer<typeof ManifestRecord>;

export const InventoryCount = z.object({
  tag: PackageTag,
  unitOfMeasure: UnitOfMeasure,
  countedQuantity: Quantity,
  countedAt: When,
  countedBy: z.string().trim().min(1).max(100).optional(),
});
export type InventoryCount = z.infer<typeof InventoryCount>;

export const SeedToSaleRecords = z.object({
  licenseNumber: z.string().trim().min(1).max(40),
  /** The instant the records describe; deadlines and count ages are measured from it. */
  asOf: When,
  packages: z.array(PackageRecord).max(20_000).default([]),
  transfers: z.array(TransferRecord).max(5000).default([]),
  manifests: z.array(ManifestRecord).max(5000).default([]),
  inventoryCounts: z.array(InventoryCount).max(20_000).default([]),
});
export type SeedToSaleRecords = z.infer<typeof SeedToSaleRecords>;
