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
  let pending = '';
  let event: string | null = null;
  let data: string[] = [];
  /** A `\r` ended the last chunk: a `\n` starting the next one belongs to it. */
  let carriage = false;
  for await (const chunk of body) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (carriage && text.startsWith('\n')) text = text.slice(1);
    carriage = false;
    pending += text;
    let start = 0;
    for (;;) {
      const lf = pending.indexOf('\n', start);
      const cr = pending.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === pending.length) {
          // A lone `\r` at the chunk's end: its `\n` may come next.
          carriage = true;
          next = cr + 1;
        } else next = pending[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
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
  }
}
