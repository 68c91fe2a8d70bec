/** One server-sent event: its `event:` name (null when it had none) and its `data:` lines joined by `\n`. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * The server-sent events of a body, as they arrive: lines end with `\n`, `\r\n` or `\r`, a blank
 * line ends an event, `:` lines are comments, a space after the field's colon is dropped, and
 * an event left without its blank line when the body ends is not emitted — the same reading as
 * the vendor SDKs' decoders. Bytes are decoded as UTF-8 across chunk boundaries.
 */
export async function* sseEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const lineEnd = /[\r\n]/g;
  let pending = '';
  /** Where the search for the next line end resumes: `pending` holds no line end before it. */
  let scanned = 0;
  let event: string | null = null;
  let data: string[] = [];
  /** A `\r` ended the last chunk: a `\n` starting the next one belongs to it. */
  let carriage = false;
  for await (const chunk of body) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // An empty chunk (or one holding only part of a character) says nothing about that `\r`.
    if (text === '') continue;
    if (carriage && text.charCodeAt(0) === 10) text = text.slice(1);
    carriage = false;
    pending += text;
    let start = 0;
    for (;;) {
      // One regex search from where the last one stopped: a long line arriving in many chunks,
      // or a chunk of many lines, is scanned once, not once per line or per chunk.
      lineEnd.lastIndex = Math.max(start, scanned);
      const found = lineEnd.exec(pending);
      if (found === null) {
        scanned = pending.length;
        break;
      }
      const end = found.index;
      let next: number;
      if (pending.charCodeAt(end) === 13 /* \r */) {
        if (end + 1 === pending.length) {
          // A lone `\r` at the chunk's end: its `\n` may come next.
          carriage = true;
          next = end + 1;
        } else next = pending.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
      } else next = end + 1;
      const line = pending.slice(start, end);
      start = next;
      if (line === '') {
        if (event !== null || data.length > 0) {
          yield { event, data: data.join('\n') };
          event = null;
          data = [];
        }
        continue;
      }
      if (line.charCodeAt(0) === 58 /* : */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    pending = pending.slice(start);
    scanned = Math.max(0, scanned - start);
  }
}
