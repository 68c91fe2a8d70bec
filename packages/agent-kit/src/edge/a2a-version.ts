import { ForgeError } from '@forge/contracts';
import type { Request } from 'express';

/** The A2A protocol versions the edge speaks: v1.0 natively, v0.3 through the SDK's compat layer. */
export const SUPPORTED_VERSIONS = ['1.0', '0.3'] as const;
export type A2AVersion = (typeof SUPPORTED_VERSIONS)[number];

const HEADER = 'a2a-version';

/**
 * The version a request asks for (A2A v1.0 §3.6): the `A2A-Version` header, else an `A2A-Version`
 * query parameter (§3.6.1 allows either), compared on `Major.Minor` only (a patch number is
 * ignored); an absent or empty value is 0.3 (§3.6.2). UNSUPPORTED_VERSION for anything else,
 * which each binding answers as `VersionNotSupportedError`.
 */
export function requestedVersion(req: Request): A2AVersion {
  const raw = versionParameter(req)?.trim() ?? '';
  if (raw === '') return '0.3';
  const match = /^(\d{1,4})(?:\.(\d{1,4}))?(?:\.\d{1,4})?$/.exec(raw);
  const majorMinor = match ? `${Number(match[1])}.${Number(match[2] ?? 0)}` : undefined;
  const known = SUPPORTED_VERSIONS.find((v) => v === majorMinor);
  if (known) return known;
  throw new ForgeError(
    'UNSUPPORTED_VERSION',
    `A2A-Version ${JSON.stringify(raw.slice(0, 20))} is not supported; this agent speaks ${SUPPORTED_VERSIONS.join(', ')}`,
    { details: { field: 'A2A-Version' } },
  );
}

function versionParameter(req: Request): string | undefined {
  const header = req.header(HEADER);
  if (header !== undefined) return header;
  for (const [key, value] of Object.entries(req.query)) {
    if (key.toLowerCase() === HEADER) return Array.isArray(value) ? value.join(',') : String(value);
  }
  return undefined;
}
