import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { boundPublicServer } from './public-app.js';

describe('boundPublicServer: what a slow client can hold open on the public port', () => {
  it('bounds the time to send the whole request (a slow body), not only its headers', () => {
    const server = createServer();
    boundPublicServer(server);
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeLessThanOrEqual(30_000);
    expect(server.headersTimeout).toBeGreaterThan(0);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
    expect(server.keepAliveTimeout).toBeGreaterThan(0);
  });
});
