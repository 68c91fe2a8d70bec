import { headers, type MsgHdrs } from '@nats-io/transport-node';

/** Longest header value Forge writes; reasons past this are cut, so a header never bloats a message. */
const MAX_HEADER_VALUE = 1024;

/** NATS headers as a plain record (first value of each key), the shape handlers and OTel read. */
export function headersToRecord(hdrs: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!hdrs) return record;
  for (const [key, values] of hdrs) {
    const first = values[0];
    if (first !== undefined) record[key] = first;
  }
  return record;
}

/**
 * A header value NATS accepts: one line (a CR or LF would end the header block) and bounded
 * length. Reasons carry error messages, which may span lines.
 */
export function headerValue(value: string): string {
  const line = value.replace(/[\r\n]+/g, ' ').trim();
  return line.length > MAX_HEADER_VALUE ? `${line.slice(0, MAX_HEADER_VALUE - 3)}...` : line;
}

/** Builds NATS headers from records applied in order (later ones win). */
export function recordToHeaders(...records: Array<Record<string, string> | undefined>): MsgHdrs {
  const hdrs = headers();
  for (const record of records) {
    if (!record) continue;
    for (const [key, value] of Object.entries(record)) hdrs.set(key, headerValue(value));
  }
  return hdrs;
}
