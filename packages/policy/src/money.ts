/** Micro-USD in one US dollar: Forge keeps money as integer micro-USD everywhere. */
export const MICROS_PER_USD = 1_000_000;

/**
 * Converts a dollar amount written in config to integer micro-USD, rounding to the nearest
 * micro-dollar (config values such as 0.1 are not exact in binary floating point).
 */
export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** Formats micro-USD as dollars for reasons and logs, e.g. `$12.50`; never used for arithmetic. */
export function formatMicros(micros: number): string {
  return `$${(micros / MICROS_PER_USD).toFixed(2)}`;
}
