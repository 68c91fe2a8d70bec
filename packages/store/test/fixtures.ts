import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { type RoutingDecision, TASK_ENVELOPE_VERSION, type TaskEnvelope } from '@forge/contracts';
import { createLogger, type Logger } from '@forge/telemetry';
import { MIGRATIONS_DIR } from '../src/migrate.js';

/** A valid envelope owned by `owner`, with a fresh id and idempotency key unless overridden. */
export function envelope(overrides: Partial<TaskEnvelope> & { owner?: string } = {}): TaskEnvelope {
  const { owner = 'alice', ...rest } = overrides;
  return {
    v: TASK_ENVELOPE_VERSION,
    id: randomUUID(),
    skill: 'scout.score-headlines',
    input: { headlines: ['a', 'b'] },
    origin: { kind: 'a2a', brain: 'alpha', by: owner },
    idempotencyKey: `${owner}:${randomUUID()}`,
    contextId: `ctx-${randomUUID()}`,
    createdAt: new Date().toISOString(),
    ...rest,
  };
}

export function routing(overrides: Partial<RoutingDecision> = {}): RoutingDecision {
  return {
    tier: 'small',
    model: 'anthropic:claude-haiku',
    reasons: ['route table: scout.score-headlines → small'],
    policyVersion: 'v1',
    decidedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A logger that writes nowhere, so test output stays readable. */
export function quietLogger(): Logger {
  return createLogger({ name: 'store-test', level: 'silent' });
}

/** A logger whose lines are collected as parsed JSON objects. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { logger: createLogger({ name: 'store-test', level: 'debug', destination }), lines };
}

/** Resolves once `check` returns true, polling every 20 ms; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The names of every migration the package ships, oldest first, as `migrate` reports them. */
export function shippedMigrations(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => file.replace(/\.sql$/, ''));
}
