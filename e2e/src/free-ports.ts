import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port base whose service slots (base+0..base+11) and Postgres slot (base+50) are all free, so
 * a test's `forge up` shares the machine with any other brain. Random, so parallel runs rarely
 * try the same range; checked, so a taken range is skipped.
 */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const ports = [...Array.from({ length: 12 }, (_, i) => base + i), base + 50];
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found in 20000-59999');
}

export { isFree as isPortFree };
