import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireFetch } from './wire-fetch.js';

describe('wireFetch', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<unknown>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        if (req.url === '/gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(gzipSync(JSON.stringify({ echo: body, auth: req.headers.authorization })));
        } else if (req.url === '/gzip-cut') {
          // Half a compressed answer, then the connection drops.
          const whole = gzipSync(JSON.stringify({ pad: 'x'.repeat(200_000) }));
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': String(whole.length),
          });
          res.write(whole.subarray(0, whole.length >> 1), () => req.socket.destroy());
        } else if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: one\n\n');
          setTimeout(() => res.end('data: two\n\n'), 20);
        } else {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
          res.end('{"error":"slow down"}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends method, headers and body, inflates a compressed answer, and reuses one connection', async () => {
    const wire = wireFetch();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await wire.fetch(`${base}/gzip`, {
          method: 'POST',
          headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
          body: `{"n":${i}}`,
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-encoding')).toBeNull();
        expect(await res.json()).toEqual({ echo: `{"n":${i}}`, auth: 'Bearer k' });
      }
      expect(sockets.size).toBe(1);
    } finally {
      await wire.close();
    }
  });

  it('hands an event stream over as it comes, and an error status with its headers', async () => {
    const wire = wireFetch();
    try {
      const stream = await wire.fetch(`${base}/stream`);
      expect(await stream.text()).toBe('data: one\n\ndata: two\n\n');
      const limited = await wire.fetch(`${base}/other`);
      expect([limited.status, limited.headers.get('retry-after'), await limited.text()]).toEqual([
        429,
        '2',
        '{"error":"slow down"}',
      ]);
    } finally {
      await wire.close();
    }
  });

  it('rejects as fetch does when aborted or when nothing listens', async () => {
    const wire = wireFetch();
    try {
      const controller = new AbortController();
      controller.abort();
      await expect(wire.fetch(`${base}/gzip`, { signal: controller.signal })).rejects.toThrow();
      await expect(wire.fetch('http://127.0.0.1:1/none')).rejects.toThrow();
    } finally {
      await wire.close();
    }
  });

  it('rejects when the connection drops in the middle of a compressed answer', async () => {
    const wire = wireFetch();
    try {
      await expect(wire.fetch(`${base}/gzip-cut`)).rejects.toThrow();
    } finally {
      await wire.close();
    }
  });

  it('closes its connection pool: a call after close fails', async () => {
    const wire = wireFetch();
    expect((await wire.fetch(`${base}/gzip`, { method: 'POST', body: 'x' })).status).toBe(200);
    await wire.close();
    await expect(wire.fetch(`${base}/gzip`)).rejects.toThrow(/closed|destroyed/i);
  });
});
