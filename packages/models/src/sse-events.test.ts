import { describe, expect, it } from 'vitest';
import { type SseMessage, sseEvents } from './sse-events.js';

async function read(chunks: Array<string | Buffer>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of sseEvents(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(message);
  return out;
}

describe('sseEvents', () => {
  it('reads named and unnamed events, multi-line data, comments, and drops the space after the colon', async () => {
    expect(
      await read([
        'event: message_start\ndata: {"a":1}\n\n: a comment\ndata: one\ndata:two\n\ndata: [DONE]\n\n',
      ]),
    ).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: null, data: 'one\ntwo' },
      { event: null, data: '[DONE]' },
    ]);
  });

  it('reads CRLF and CR line ends, also split across chunks', async () => {
    expect(await read(['event: a\r', '\ndata: 1\r\n\r', '\nevent: b\rdata: 2\r\r'])).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
  });

  it('decodes UTF-8 split inside a character and events split anywhere', async () => {
    const bytes = Buffer.from('data: café — ok\n\n');
    const cut = bytes.indexOf(0xa9); // inside "é"
    expect(
      await read([bytes.subarray(0, cut), bytes.subarray(cut, cut + 3), bytes.subarray(cut + 3)]),
    ).toEqual([{ event: null, data: 'café — ok' }]);
  });

  it('does not emit an event the body ended before its blank line', async () => {
    expect(await read(['data: whole\n\ndata: half'])).toEqual([{ event: null, data: 'whole' }]);
  });

  it('keeps a chunk-ending CR across an empty chunk: its LF still belongs to it', async () => {
    expect(await read(['data: a\r', Buffer.alloc(0), '', '\ndata: b\r\n\r\n'])).toEqual([
      { event: null, data: 'a\nb' },
    ]);
  });

  it('reads a long line that arrives in many chunks, and many lines in one chunk', async () => {
    const long = 'x'.repeat(200_000);
    const pieces = long.match(/.{1,1000}/g) ?? [];
    const many = Array.from({ length: 2_000 }, (_, i) => `data: ${i}\n`).join('');
    const events = await read(['data: ', ...pieces, '\n\n', many, '\n']);
    expect(events).toHaveLength(2);
    expect(events[0]?.data).toBe(long);
    expect(events[1]?.data.split('\n')).toHaveLength(2_000);
    expect(events[1]?.data.split('\n').at(-1)).toBe('1999');
  });
});
