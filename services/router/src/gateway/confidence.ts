/**
 * The `confidence` a structured reply reports about itself, when it has one: a number in [0, 1]
 * at the root of the output object. Anything else (no field, not a number, out of range) is no
 * confidence, and escalates nothing.
 */
export function confidenceOf(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return undefined;
  const value = (output as Record<string, unknown>).confidence;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) return undefined;
  return value;
}
