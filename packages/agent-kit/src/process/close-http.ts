import type { Server } from 'node:http';

/**
 * Stops accepting connections, closes idle keep-alive ones at once, lets requests in progress
 * finish for up to `graceMs` (relays already ended, so they answer quickly), then cuts the rest.
 */
export async function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
