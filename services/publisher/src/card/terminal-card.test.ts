import { describe, expect, it } from 'vitest';
import { renderCard } from '../skills/render-card.js';
import { renderTerminalCard, wrapLines } from './terminal-card.js';

describe('terminal card', () => {
  it('renders a PNG deterministically, taller for more lines', async () => {
    const opts = {
      title: 'forge',
      command: 'forge costs',
      body: 'tool  $0.00\nsmall $3.10',
      theme: 'dark' as const,
      width: 1200,
    };
    const a = await renderTerminalCard(opts);
    const b = await renderTerminalCard(opts);
    expect(a.png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(a.png.readUInt32BE(16)).toBe(1200);
    expect(a.png.readUInt32BE(20)).toBe(a.height);
    expect(a.sha256).toBe(b.sha256);
    const longer = await renderTerminalCard({ ...opts, body: `${opts.body}\nmid   $9.00\nfrontier $63.00` });
    expect(longer.height).toBeGreaterThan(a.height);
    expect(longer.sha256).not.toBe(a.sha256);
  });

  it('wraps at spaces and cuts words longer than a line', () => {
    expect(wrapLines('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapLines('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapLines('one\n\ntwo', 10)).toEqual(['one', '', 'two']);
    expect(wrapLines('tool   $0.00', 20)).toEqual(['tool   $0.00']);
  });

  it('is a skill output with base64 PNG and alt text', async () => {
    const out = await renderCard({ body: 'Routing is the system.' });
    expect(Buffer.from(out.pngBase64, 'base64').length).toBe(out.bytes);
    expect(out.altText).toContain('Routing is the system.');
  });
});
