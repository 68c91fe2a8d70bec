/**
 * Reading a parser's result field by field without trusting its shape: feeds are third-party
 * data, and a field a type promises may be missing, a string where a list was expected, or a list.
 */

/** The value at `path`, or undefined when any step is missing or not an object. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A string (numbers read as text), else null. */
export function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** An array as is, one value as a one-element array, nothing as an empty array. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** The first of `values` that is a non-empty string after trimming. */
export function firstText(...values: unknown[]): string | null {
  for (const value of values) {
    const text = str(value);
    if (text?.trim()) return text;
  }
  return null;
}
