const cleanups = new Set<() => Promise<unknown>>();
let installed = false;
let interrupted = false;

/** How long an interrupted bench may spend cleaning up before it exits anyway. */
const CLEANUP_DEADLINE_MS = 15_000;

/**
 * Registers `cleanup` to run if the bench is interrupted (SIGINT, SIGTERM): a bench stopped
 * half-way still drops its schemas and deletes its streams. Returns the function that
 * unregisters it (call it once the bench has cleaned up on its own).
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        interrupted = true;
        process.stderr.write(`${signal}: cleaning up\n`);
        setTimeout(() => process.exit(130), CLEANUP_DEADLINE_MS).unref();
        void Promise.allSettled([...cleanups].map((fn) => fn())).finally(() => process.exit(130));
      });
    }
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/**
 * True once a signal has started the cleanup: the bench's own failure that follows (its streams
 * vanish under it) is then expected, and the process exits when the cleanup is done, not before.
 */
export function isInterrupted(): boolean {
  return interrupted;
}
