import pg from 'pg';
import type { Submitted } from './task-driver.js';

/** The states a task ends in (or waits on a person in): nothing moves it further on its own. */
const SETTLED = new Set(['completed', 'failed', 'canceled', 'rejected', 'input-required', 'auth-required']);

/** How the tasks of a fault run ended, read from the brain's Postgres. */
export interface TaskAudit {
  readonly sent: number;
  /** Ended `completed` with the result planned for them. */
  readonly completedRight: number;
  /** Ended `completed` with another result. */
  readonly wrongResult: string[];
  /** Ended in another state (failed, rejected, ...), with the state. */
  readonly endedOtherwise: string[];
  /** Accepted by the edge but not settled by the deadline, or never found: lost. */
  readonly lost: string[];
  /** Given more than one task id across retries, or found as more than one row: duplicated. */
  readonly duplicated: string[];
  /** Refused for good by the edge, or never answered. */
  readonly refused: string[];
  /** Tasks a worker started more than once (a crash or a lost ack redelivered them). */
  readonly rerun: number;
  /** Submissions that needed more than one attempt. */
  readonly retriedSubmissions: number;
  /** Completed tasks that made a model call (draft-reply) but have no cost-ledger row. */
  readonly missingFromLedger: string[];
}

interface Row {
  id: string;
  idempotency_key: string;
  state: string;
  attempt: number;
  output: unknown;
}

/**
 * Waits (polling the tasks table, riding out a database restart) until every accepted task has
 * settled or `timeoutMs` passes, then sorts each one: completed with its planned result, ended
 * otherwise, lost, or duplicated.
 */
export async function auditTasks(opts: {
  databaseUrl: string;
  schema: string;
  submitted: readonly Submitted[];
  timeoutMs: number;
}): Promise<TaskAudit> {
  const keys = opts.submitted.map((s) => `a2a:operator:${s.task.messageId}`);
  const deadline = Date.now() + opts.timeoutMs;
  let rows: Row[] = [];
  for (;;) {
    try {
      rows = await readRows(opts.databaseUrl, opts.schema, keys);
    } catch {
      // The database may be restarting: try again until the deadline.
    }
    const accepted = opts.submitted.filter((s) => s.refused === null).length;
    const settled = rows.filter((row) => SETTLED.has(row.state)).length;
    if ((settled >= accepted && rows.length >= accepted) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const byKey = new Map<string, Row[]>();
  for (const row of rows) byKey.set(row.idempotency_key, [...(byKey.get(row.idempotency_key) ?? []), row]);
  const audit = {
    sent: opts.submitted.length,
    completedRight: 0,
    wrongResult: [] as string[],
    endedOtherwise: [] as string[],
    lost: [] as string[],
    duplicated: [] as string[],
    refused: [] as string[],
    rerun: 0,
    retriedSubmissions: opts.submitted.filter((s) => s.failedAttempts > 0).length,
    missingFromLedger: [] as string[],
  };
  const modelTasks = new Map<string, string>();
  for (const submission of opts.submitted) {
    const name = `#${submission.task.index} ${submission.task.agent}.${submission.task.skill}`;
    if (submission.refused !== null) {
      audit.refused.push(`${name}: ${submission.refused}`);
      continue;
    }
    const found = byKey.get(`a2a:operator:${submission.task.messageId}`) ?? [];
    if (found.length > 1 || new Set(submission.taskIds).size > 1) {
      audit.duplicated.push(`${name}: ${found.map((row) => row.id).join(', ')}`);
      continue;
    }
    const row = found[0];
    if (!row || !SETTLED.has(row.state)) {
      audit.lost.push(`${name}: ${row ? `still ${row.state}` : 'no row'} (${submission.taskIds[0]})`);
      continue;
    }
    if (row.id !== submission.taskIds[0])
      audit.duplicated.push(`${name}: answered ${submission.taskIds[0]}, stored ${row.id}`);
    if (row.attempt > 1) audit.rerun += 1;
    if (row.state !== 'completed') audit.endedOtherwise.push(`${name}: ${row.state}`);
    else if (!submission.task.check(row.output))
      audit.wrongResult.push(`${name}: ${JSON.stringify(row.output).slice(0, 200)}`);
    else {
      audit.completedRight += 1;
      if (submission.task.modelCall) modelTasks.set(row.id, name);
    }
  }
  // The router writes ledger rows behind the call (a failed write retried): give them 15 s to land.
  const ledgerDeadline = Date.now() + 15_000;
  let unbooked = [...modelTasks.keys()];
  while (unbooked.length > 0) {
    try {
      const booked = await bookedTasks(opts.databaseUrl, opts.schema, unbooked);
      unbooked = unbooked.filter((id) => !booked.has(id));
    } catch {
      // Restarting: try again.
    }
    if (unbooked.length === 0 || Date.now() > ledgerDeadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  audit.missingFromLedger.push(...unbooked.map((id) => `${modelTasks.get(id)} (${id})`));
  return audit;
}

async function bookedTasks(databaseUrl: string, schema: string, ids: string[]): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ task_id: string }>(
      `select distinct task_id from "${schema}".cost_ledger where task_id = any($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((row) => row.task_id));
  } finally {
    await client.end().catch(() => {});
  }
}

async function readRows(databaseUrl: string, schema: string, keys: string[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<Row>(
      `select id, idempotency_key, state, attempt, output from "${schema}".tasks where idempotency_key = any($1::text[])`,
      [keys],
    );
    return rows;
  } finally {
    await client.end().catch(() => {});
  }
}
