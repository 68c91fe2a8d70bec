import { readFile } from 'node:fs/promises';
import { MeshUnderTest, type Target } from './mesh-under-test.js';
import { auditTasks, type TaskAudit } from './task-audit.js';
import { driveTasks, type Submitted } from './task-driver.js';
import { planTask } from './task-plan.js';

export interface ChaosOptions {
  readonly brain: string;
  /** The environment forge up runs with (no model keys: the mesh runs offline). */
  readonly env: NodeJS.ProcessEnv;
  /** Processes killed, in this order, each once per round. */
  readonly targets: readonly Target[];
  readonly rounds: number;
  /** Tasks sent at least; sending goes on until the last fault has been recovered from. */
  readonly minTasks: number;
  /** Never more than this many. */
  readonly maxTasks: number;
  readonly ratePerSecond: number;
  readonly concurrency: number;
  /** How long tasks flow between one recovery and the next fault. */
  readonly calmMs: number;
  /** Bound on each recovery (restart and every /readyz), and on the final wait for the tasks. */
  readonly recoveryTimeoutMs: number;
  readonly settleTimeoutMs: number;
  readonly readyTimeoutMs: number;
  readonly say?: (line: string) => void;
}

export interface FaultResult {
  readonly target: Target;
  /** From SIGKILL to the supervisor's restart of it. */
  readonly restartedMs: number;
  /** From SIGKILL to every service answering /readyz again. */
  readonly readyMs: number;
}

export interface ChaosReport {
  readonly audit: TaskAudit;
  readonly faults: FaultResult[];
  /** Submission attempts that failed while something was down (retried with the same messageId). */
  readonly failedAttempts: number;
  /** Error texts callers saw that carry internals (addresses, driver or SQL text, stack frames). */
  readonly leakedErrors: string[];
  readonly durationMs: number;
  /** How forge up ended after SIGTERM (0 when it stopped cleanly). */
  readonly exitCode: number | string | null;
  /** forge up's last log lines, for a failure message. */
  readonly logTail: string;
}

/** What callers must never see: where things run, what the driver said, our stack. */
const INTERNALS = /ECONNREFUSED|127\.0\.0\.1:\d+|postgres \d{2}[0-9A-Z]{3}|SQLSTATE|\bat .+:\d+:\d+\)/;

/**
 * A fault run against a `forge up` of its own (its own NATS and embedded Postgres): tasks flow at
 * a steady rate from an A2A client that retries with the same messageId, while each target is
 * SIGKILLed in turn (waiting for the mesh to be ready again, then `calmMs`, before the next);
 * then every task is audited in Postgres. forge up is stopped and its state removed at the end.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const began = performance.now();
  const say = (line: string) => o.say?.(`[${((performance.now() - began) / 1000).toFixed(1)}s] ${line}`);
  const mesh = await MeshUnderTest.start({ brain: o.brain, env: o.env, readyTimeoutMs: o.readyTimeoutMs });
  let stopped = false;
  try {
    say(
      `mesh ready in ${mesh.report.elapsedMs} ms (NATS ${mesh.natsUrl}, Postgres pid ${mesh.report.postgres.pid})`,
    );
    const apiKey = (await readFile(mesh.report.operatorKeyFile, 'utf8')).trim();
    const urls = new Map(mesh.report.services.map((service) => [service.name, service.url]));
    const errors: string[] = [];
    let faultsDone = false;
    const driving = driveTasks({
      plan: planTask,
      agentUrl: (task) => urls.get(task.agent)!,
      apiKey,
      ratePerSecond: o.ratePerSecond,
      concurrency: o.concurrency,
      retryForMs: o.recoveryTimeoutMs,
      shouldStop: (sent) => sent >= o.maxTasks || (faultsDone && sent >= o.minTasks),
      onError: (text) => errors.push(text),
    });
    const faults: FaultResult[] = [];
    try {
      for (let round = 0; round < o.rounds; round++) {
        for (const target of o.targets) {
          await new Promise((resolve) => setTimeout(resolve, o.calmMs));
          const result = await mesh.kill(target, o.recoveryTimeoutMs);
          faults.push({ target, ...result });
          say(
            `killed ${target}: restarted after ${result.restartedMs} ms, mesh ready after ${result.readyMs} ms`,
          );
        }
      }
    } finally {
      faultsDone = true;
    }
    const submitted: Submitted[] = await driving;
    say(`sent ${submitted.length} tasks; waiting for them to settle`);
    const auditBegan = performance.now();
    const audit = await auditTasks({
      databaseUrl: mesh.databaseUrl,
      schema: `forge_${o.brain}`,
      submitted,
      timeoutMs: o.settleTimeoutMs,
    });
    say(`settled in ${Math.round(performance.now() - auditBegan)} ms`);
    const leaked = [...new Set(errors.filter((text) => text.startsWith('HTTP') && INTERNALS.test(text)))];
    const exitCode = await mesh.stop();
    stopped = true;
    return {
      audit,
      faults,
      failedAttempts: errors.length,
      leakedErrors: leaked.slice(0, 10),
      durationMs: Math.round(performance.now() - began),
      exitCode,
      logTail: mesh.up.logTail(80),
    };
  } finally {
    if (!stopped) await mesh.stop();
  }
}
