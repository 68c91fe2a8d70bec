/** What `/readyz` checks. */
export interface ReadinessProbe {
  /** False once shutdown began: readiness is the first thing SIGTERM turns off. */
  accepting(): boolean;
  natsConnected(): boolean;
  /** Resolves when `SELECT 1` answers. */
  pingPostgres(): Promise<void>;
}

export interface Readiness {
  ready: boolean;
  checks: { accepting: boolean; nats: boolean; postgres: boolean | string };
}

const PING_TIMEOUT_MS = 1_000;

/** Evaluates every check (none short-circuits, so a 503 says everything that is wrong). */
export async function checkReadiness(probe: ReadinessProbe): Promise<Readiness> {
  const accepting = probe.accepting();
  const nats = probe.natsConnected();
  let postgres: boolean | string = true;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.pingPostgres(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), PING_TIMEOUT_MS).unref();
      }),
    ]);
  } catch (error) {
    // Only a fixed word: a driver message may name hosts or users.
    postgres = error instanceof Error && error.message === 'timed out' ? 'timed out' : 'unreachable';
  } finally {
    // Probes come every few seconds; each must not leave its timer running for a second.
    clearTimeout(timer);
  }
  return { ready: accepting && nats && postgres === true, checks: { accepting, nats, postgres } };
}
