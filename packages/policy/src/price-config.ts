import { ModelPrice } from '@forge/contracts';
import { z } from 'zod';

/** Price fields that config may mark as assumed (not found published by the vendor). */
export const PriceField = z.enum([
  'input',
  'output',
  'cacheRead',
  'cacheWrite5m',
  'cacheWrite1h',
  'batchDiscount',
  'longContext.input',
  'longContext.output',
  'longContext.cacheRead',
  'longContext.cacheWrite5m',
  'longContext.cacheWrite1h',
]);
export type PriceField = z.infer<typeof PriceField>;

const LongContextPrice = z.strictObject(ModelPrice.shape.longContext.unwrap().shape);

/**
 * One model's prices as written in routing config: the contracts' `ModelPrice` (USD per million
 * tokens, `readOn` date), strict so a misspelt field is an error rather than a silently missing
 * price, plus `assumed`: the fields whose value is an estimate, so reports can say so.
 * A value of this type is a valid `ModelPrice`.
 */
export const ConfigModelPrice = z
  .strictObject({
    ...ModelPrice.shape,
    longContext: LongContextPrice.optional(),
    assumed: z.array(PriceField).optional(),
  })
  .superRefine((price, ctx) => {
    for (const [i, field] of (price.assumed ?? []).entries()) {
      if (priceFieldValue(price, field) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['assumed', i],
          message: `${field} is marked assumed but has no value`,
        });
      }
    }
  });
export type ConfigModelPrice = z.infer<typeof ConfigModelPrice>;

function priceFieldValue(price: z.infer<typeof ModelPrice>, field: PriceField): number | undefined {
  if (field.startsWith('longContext.')) {
    const key = field.slice('longContext.'.length) as keyof NonNullable<typeof price.longContext>;
    const value = price.longContext?.[key];
    return typeof value === 'number' ? value : undefined;
  }
  const value = price[field as keyof typeof price];
  return typeof value === 'number' ? value : undefined;
}

/** True when every price of the model is zero: calls to it cost nothing (a local server). */
export function isZeroPrice(price: ConfigModelPrice): boolean {
  const values = [price.input, price.output, price.cacheRead, price.cacheWrite5m, price.cacheWrite1h];
  const long = price.longContext;
  if (long) values.push(long.input, long.output, long.cacheRead, long.cacheWrite5m, long.cacheWrite1h);
  return values.every((v) => v === undefined || v === 0);
}
