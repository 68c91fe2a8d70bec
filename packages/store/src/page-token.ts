import { ForgeError } from '@forge/contracts';
import { z } from 'zod';

/** Where a page ended: the last record's update time (ISO, ms) and id. */
export interface PageCursor {
  updatedAt: string;
  id: string;
}

const Cursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** Opaque to callers: base64url of `[updatedAt, id]`. */
export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.id])).toString('base64url');
}

/** Reads a token from `encodePageToken`; BAD_INPUT naming `pageToken` for anything else. */
export function decodePageToken(token: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = Cursor.safeParse(parsed);
  if (!result.success) {
    throw new ForgeError('BAD_INPUT', 'pageToken: not a token this service issued', { retryable: false });
  }
  const [updatedAt, id] = result.data;
  return { updatedAt: new Date(updatedAt).toISOString(), id: id.toLowerCase() };
}
