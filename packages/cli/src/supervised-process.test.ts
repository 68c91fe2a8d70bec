import { afterEach, describe, expect, it } from 'vitest';
import { SupervisedProcess, type SupervisorEvent } from './supervised-process.js';

const started: SupervisedProcess[] = [];
// A failed assertion must not leave a child behind.
afterEach(() => Promise.all(started.splice(0).map((proc) => proc.stop(200))));

function supervise(script: string, maxCrashes = 3, stopSignal?: NodeJS.Signals) {
  const events: SupervisorEvent[] = [];
  const lines: string[] = [];
  let notify: () => void = () => {};
  const proc = new SupervisedProcess({
    name: 'svc',
    command: process.execPath,
    args: ['-e', script],
    cwd: process.cwd(),
    env: process.env,
    policy: { initialDelayMs: 20, maxDelayMs: 1_000, maxCrashes, windowMs: 60_000 },
    ...(stopSignal ? { stopSignal } : {}),
    onLine: (name, line, stream) => {
      lines.push(`${name} ${stream} ${line}`);
      notify();
    },
    onEvent: (event) => {
      events.push(event);
      notify();
    },
  });
  started.push(proc);
  const until = (predicate: () => boolean, timeoutMs = 5_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; events: ${JSON.stringify(events)}`)),
        timeoutMs,
      );
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        resolve();
      };
      notify = check;
      check();
    });
  return { proc, events, lines, until };
}

describe('SupervisedProcess', () => {
  it('restarts a crashing process with doubling delays, then gives up', async () => {
    const { proc, events, lines, until } = supervise('console.error("boom"); process.exit(3)');
    proc.start();
    await until(() => events.some((event) => event.kind === 'gave-up'));
    expect(events.map((event) => event.kind)).toEqual([
      'started',
      'crashed',
      'started',
      'crashed',
      'started',
      'gave-up',
    ]);
    const crashes = events.filter((event) => event.kind === 'crashed');
    expect(crashes.map((event) => [event.code, event.restartInMs])).toEqual([
      [3, 20],
      [3, 40],
    ]);
    expect(proc.gaveUp).toBe(true);
    expect(lines).toContain('svc stderr boom');
  });

  it('stops a running process with SIGTERM and does not restart it', async () => {
    const script =
      'process.on("SIGTERM", () => process.exit(0)); console.log("up"); setInterval(() => {}, 1000)';
    const { proc, events, lines, until } = supervise(script);
    proc.start();
    await until(() => lines.includes('svc stdout up'));
    const pid = proc.pid;
    expect(pid).toBeGreaterThan(0);
    expect(await proc.stop(2_000)).toEqual({ forced: false });
    expect(proc.pid).toBeNull();
    expect(events.map((event) => event.kind)).toEqual(['started']);
    expect(() => process.kill(pid!, 0)).toThrow();
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const script = 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)';
    const { proc, lines, until } = supervise(script);
    proc.start();
    await until(() => lines.includes('svc stdout up'));
    expect(await proc.stop(200)).toEqual({ forced: true });
  });

  it('stops with the signal it was given (Postgres: SIGINT, its fast shutdown)', async () => {
    const script =
      'process.on("SIGINT", () => process.exit(0)); process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)';
    const { proc, lines, until } = supervise(script, 3, 'SIGINT');
    proc.start();
    await until(() => lines.includes('svc stdout up'));
    expect(await proc.stop(2_000)).toEqual({ forced: false });
  });
});
