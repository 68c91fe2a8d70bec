import type { Env } from './args.js';

/** Where a command writes, and what it may read of its environment; tests pass their own. */
export interface Io {
  readonly env: Env;
  /** Whether stdout is a terminal (colours, readable logs). */
  readonly stdoutIsTty: boolean;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
}

/** The real process's streams and environment. */
export function processIo(): Io {
  return {
    env: process.env,
    stdoutIsTty: process.stdout.isTTY === true,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

/** An Io that keeps what was written, for tests. */
export function memoryIo(env: Env = {}): Io & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    env,
    stdoutIsTty: false,
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
  };
}
