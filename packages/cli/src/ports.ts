import { createServer } from 'node:net';

/** Whether nothing listens on `host:port` (a listen there succeeds). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The entries whose port is taken, checked together. */
export async function busyPorts<T extends { port: number }>(entries: readonly T[]): Promise<T[]> {
  const free = await Promise.all(entries.map((entry) => isPortFree(entry.port)));
  return entries.filter((_, index) => !free[index]);
}
