import { describe, expect, it } from 'vitest';
import { formatLine } from './log-format.js';

const plain = { color: false, jsonLogs: false, width: 10 };

describe('formatLine', () => {
  it('shows a pino line in short form behind the service name', () => {
    const line = JSON.stringify({
      level: 30,
      time: '2026-11-29T10:11:12.345Z',
      pid: 1,
      hostname: 'h',
      service: 'scout',
      msg: 'listening',
      port: 7301,
      trace_id: 'abc',
    });
    expect(formatLine('scout', line, 'stdout', plain)).toBe(
      'scout      | 10:11:12 INFO  listening port=7301',
    );
  });

  it('keeps an error message from an err object, not the whole object', () => {
    const line = JSON.stringify({
      level: 50,
      time: '2026-11-29T10:11:12.345Z',
      msg: 'boom',
      err: { message: 'no db' },
    });
    expect(formatLine('diary', line, 'stdout', plain)).toBe('diary      | 10:11:12 ERROR boom err="no db"');
  });

  it('prints other lines as they are, prefixed', () => {
    expect(formatLine('scout', 'Error: x', 'stderr', plain)).toBe('scout      | Error: x');
  });

  it('colours the prefix only on a terminal', () => {
    const ESC = String.fromCharCode(27);
    const line = formatLine('scout', 'x', 'stdout', { ...plain, color: true });
    expect(line.startsWith(`${ESC}[`)).toBe(true);
    expect(line.endsWith(`${ESC}[0m x`)).toBe(true);
    expect(formatLine('scout', 'x', 'stdout', plain)).not.toContain(ESC);
  });

  it('passes JSON lines through with --json-logs and wraps the others as JSON', () => {
    const opts = { ...plain, jsonLogs: true };
    const pinoLine = '{"level":30,"service":"scout","msg":"hi"}';
    expect(formatLine('scout', pinoLine, 'stdout', opts)).toBe(pinoLine);
    expect(JSON.parse(formatLine('nats', '{"a":1}', 'stdout', opts))).toEqual({ service: 'nats', a: 1 });
    expect(JSON.parse(formatLine('scout', 'Error: x', 'stderr', opts))).toMatchObject({
      level: 50,
      service: 'scout',
      msg: 'Error: x',
    });
  });
});
