import type { Server } from 'node:http';

/** How often idle keep-alive connections are closed while the server closes. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting connections, closes idle keep-alive ones at once, lets requests in progress
 * (an A2A status relay, a streamed completion) finish for up to `graceMs`, then cuts the rest.
 * Resolves once the server is closed; at once when it is not listening. Call it after the
 * service's own long requests have been told to end (the agent edge ends its relays first), so
 * the grace is rarely used up.
 */
export async function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection whose request ends during the grace turns idle and would hold the
  // close until the grace runs out: sweep idle ones as they appear.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
