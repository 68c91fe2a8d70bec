import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeHttpServer } from './close-http.js';

describe('closeHttpServer', () => {
  it('lets a request in progress finish within the grace, then resolves', async () => {
    const server = createServer((_req, res) => {
      setTimeout(() => res.end('done'), 100);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = new Promise<string>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closeHttpServer(server, 5_000);
    expect(await answer).toBe('done');
    expect(server.listening).toBe(false);
  });

  it('cuts a request that outlives the grace', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const cut = new Promise<string>((resolve) => {
      request({ port, host: '127.0.0.1', path: '/' }, () => resolve('answered'))
        .on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'))
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closeHttpServer(server, 50);
    expect(await cut).toBe('ECONNRESET');
  });

  it('does nothing for a server that is not listening', async () => {
    await expect(closeHttpServer(createServer(), 10)).resolves.toBeUndefined();
  });
});
