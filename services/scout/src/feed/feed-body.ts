import { TextDecoder } from 'node:util';

/** The encodings a feed may declare that the runtime's TextDecoder knows; anything else reads as UTF-8. */
function decoderFor(label: string | undefined): TextDecoder | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().toLowerCase());
  } catch {
    return null;
  }
}

/** `charset=` of a Content-Type header, unquoted. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

/** The `encoding` of an XML declaration at the start of the bytes (read as ASCII). */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 256));
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
}

/**
 * The text of a fetched feed. A byte-order mark wins (UTF-8 or UTF-16), then the charset of the
 * Content-Type header, then the XML declaration's encoding, then UTF-8 (JSON Feed is UTF-8 by
 * definition). An unknown label reads as UTF-8 rather than failing: one odd character is better
 * than a lost feed. The BOM itself is removed.
 */
export function decodeFeedBody(bytes: Uint8Array, contentType?: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  const decoder =
    decoderFor(charsetOf(contentType)) ?? decoderFor(declaredEncoding(bytes)) ?? new TextDecoder('utf-8');
  return decoder.decode(bytes);
}
