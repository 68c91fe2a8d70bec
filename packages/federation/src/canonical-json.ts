import { ForgeError } from '@forge/contracts';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a JSON value: object members sorted by the
 * UTF-16 code units of their names, no whitespace, numbers as ECMAScript prints them, strings
 * escaped as JSON.stringify does (which is what §3.2.2.2 asks). Members whose value is
 * `undefined` are left out, as JSON.stringify leaves them. Non-finite numbers and values JSON
 * cannot hold are BAD_INPUT: a card that holds one cannot be signed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ForgeError('BAD_INPUT', 'canonical JSON: a number must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 §3.2.3 asks.
    const names = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort();
    return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`).join(',')}}`;
  }
  throw new ForgeError('BAD_INPUT', `canonical JSON: a ${typeof value} is not JSON`);
}
