import { ForgeError } from '@forge/contracts';

/** Free-form metadata on a part, message or artifact (A2A `Struct`). */
export type SkillMetadata = Record<string, unknown>;

/**
 * One piece of content a skill receives or sends (A2A v1.0 Part, §4.1.6): text, a file given as
 * bytes or by URL, or JSON data. `mediaType` says what it is; text defaults to `text/plain`,
 * data to `application/json`, and a file must say.
 */
export type SkillPart =
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly mediaType?: string;
      readonly metadata?: SkillMetadata;
    }
  | {
      readonly kind: 'file';
      readonly bytes: Uint8Array;
      readonly mediaType: string;
      readonly filename?: string;
      readonly metadata?: SkillMetadata;
    }
  | {
      readonly kind: 'file';
      readonly url: string;
      readonly mediaType: string;
      readonly filename?: string;
      readonly metadata?: SkillMetadata;
    }
  | {
      readonly kind: 'data';
      readonly data: unknown;
      readonly mediaType?: string;
      readonly metadata?: SkillMetadata;
    };

type Extras = { mediaType?: string; metadata?: SkillMetadata };
type FileExtras = { mediaType: string; filename?: string; metadata?: SkillMetadata };

/** Builders for the parts a skill sends. */
export const part = {
  text(text: string, extras: Extras = {}): SkillPart {
    return { kind: 'text', text, ...extras };
  },
  /** A file: `bytes` (sent inline, base64 on the wire) or a URL where the caller can fetch it. */
  file(content: Uint8Array | URL, extras: FileExtras): SkillPart {
    return content instanceof URL
      ? { kind: 'file', url: content.href, ...extras }
      : { kind: 'file', bytes: content, ...extras };
  },
  data(data: unknown, extras: Extras = {}): SkillPart {
    return { kind: 'data', data, ...extras };
  },
};

/** The media type a part carries (its own, else what its kind implies), without parameters. */
export function mediaTypeOf(p: SkillPart): string {
  const own = p.mediaType?.split(';', 1)[0]?.trim().toLowerCase();
  if (own) return own;
  return p.kind === 'text' ? 'text/plain' : 'application/json';
}

/** A part as A2A v1.0 protocol JSON. */
export function partToJson(p: SkillPart): Record<string, unknown> {
  const common = { ...(p.metadata ? { metadata: p.metadata } : {}) };
  switch (p.kind) {
    case 'text':
      return { text: p.text, ...(p.mediaType ? { mediaType: p.mediaType } : {}), ...common };
    case 'data':
      return { data: p.data ?? null, mediaType: p.mediaType ?? 'application/json', ...common };
    case 'file': {
      const where = 'bytes' in p ? { raw: Buffer.from(p.bytes).toString('base64') } : { url: p.url };
      return { ...where, mediaType: p.mediaType, ...(p.filename ? { filename: p.filename } : {}), ...common };
    }
  }
}

/** A part from A2A v1.0 protocol JSON (as stored or received); null for one with no content. */
export function partFromJson(json: Record<string, unknown>): SkillPart | null {
  const extras = {
    ...(typeof json.mediaType === 'string' && json.mediaType ? { mediaType: json.mediaType } : {}),
    ...(isObject(json.metadata) ? { metadata: json.metadata } : {}),
  };
  const filename = typeof json.filename === 'string' && json.filename ? { filename: json.filename } : {};
  if (typeof json.text === 'string') return { kind: 'text', text: json.text, ...extras };
  if (typeof json.raw === 'string') {
    return {
      kind: 'file',
      bytes: new Uint8Array(Buffer.from(json.raw, 'base64')),
      mediaType: extras.mediaType ?? 'application/octet-stream',
      ...filename,
      ...(extras.metadata ? { metadata: extras.metadata } : {}),
    };
  }
  if (typeof json.url === 'string') {
    return {
      kind: 'file',
      url: json.url,
      mediaType: extras.mediaType ?? 'application/octet-stream',
      ...filename,
      ...(extras.metadata ? { metadata: extras.metadata } : {}),
    };
  }
  if ('data' in json) return { kind: 'data', data: json.data, ...extras };
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text, or a list of parts, as parts. */
export function toParts(content: string | readonly SkillPart[]): SkillPart[] {
  if (typeof content === 'string') return [part.text(content)];
  if (!Array.isArray(content) || content.length === 0) {
    throw new ForgeError('INTERNAL', 'a reply or artifact needs at least one part', { retryable: false });
  }
  return [...content];
}
