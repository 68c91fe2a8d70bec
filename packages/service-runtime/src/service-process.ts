/** Where a service's signals come from and where its process goes; tests pass their own. */
export type ServiceProcess = Pick<NodeJS.Process, 'on' | 'once' | 'exit' | 'stderr'>;

/** Extra time over the shutdown grace before the process is ended regardless. */
const HARD_STOP_MARGIN_MS = 2_000;

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

export interface ServiceLifecycle<C, S extends { start(): Promise<void>; stop(): Promise<void> }> {
  /** Prefix of the one-line errors, e.g. `forge-scout`. */
  name: string;
  /** Reads the configuration; a throw is reported as a bad configuration (every field in its message). */
  loadConfig(): C;
  create(config: C): S;
  shutdownGraceMs(config: C): number;
  /** Flushed last on shutdown, e.g. the Telemetry the service's instrumentation.ts started. */
  telemetry?: { shutdown(): Promise<void> } | undefined;
  /** Called on SIGHUP, when the service reloads something. */
  onReload?: (service: S) => void;
  process?: ServiceProcess | undefined;
}

/**
 * The one process lifecycle of every Forge service's `main`: load the config, start, and stop on
 * SIGTERM or SIGINT through the service's one shutdown path under a deadline of the grace plus a
 * small margin. A bad config or a failed start (NATS or Postgres unreachable) writes one line (no
 * stack) to stderr and exits 1. Returns the started service, or undefined when it exited.
 */
export async function runServiceProcess<C, S extends { start(): Promise<void>; stop(): Promise<void> }>(
  lifecycle: ServiceLifecycle<C, S>,
): Promise<S | undefined> {
  const proc = lifecycle.process ?? process;
  const { name, telemetry } = lifecycle;
  const fail = (what: string, error: unknown): never => {
    proc.stderr.write(`${name}: ${what}: ${oneLine(error)}\n`);
    return proc.exit(1);
  };
  let config: C;
  try {
    config = lifecycle.loadConfig();
  } catch (error) {
    return fail('bad configuration', error);
  }
  const service = lifecycle.create(config);
  try {
    await service.start();
  } catch (error) {
    await service.stop().catch(() => undefined);
    await telemetry?.shutdown().catch(() => undefined);
    return fail('cannot start', error);
  }
  const { onReload } = lifecycle;
  if (onReload) proc.on('SIGHUP', () => onReload(service));
  const graceMs = lifecycle.shutdownGraceMs(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => {
      proc.stderr.write(`${name}: shutdown took longer than ${graceMs} ms; exiting\n`);
      proc.exit(1);
    }, graceMs + HARD_STOP_MARGIN_MS);
    hard.unref();
    service
      .stop()
      .then(() => telemetry?.shutdown())
      .then(
        () => proc.exit(0),
        (error: unknown) => fail(`stop after ${signal} failed`, error),
      );
  };
  proc.once('SIGTERM', () => shutdown('SIGTERM'));
  proc.once('SIGINT', () => shutdown('SIGINT'));
  return service;
}
