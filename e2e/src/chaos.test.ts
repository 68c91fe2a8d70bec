import { uniqueBrain } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { type ChaosReport, runChaos } from './chaos/run-chaos.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

/** The environment of a machine with no model keys: the mesh runs offline. */
function offlineEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)/.test(key)),
    ),
    FORGE_LOG_LEVEL: 'warn',
  };
}

// Bounded so CI can afford it: a few hundred tasks and four faults fit in well under two minutes
// on an idle 2-core machine; the bounds below are generous for a loaded one and still end it.
const TEST_TIMEOUT_MS = 420_000;

describe('forge up under faults: its own NATS and embedded Postgres, real processes', () => {
  it('ends every task exactly once with its result while an agent, the router, NATS and Postgres are killed in turn', {
    timeout: MESH_LOCK_WAIT_MS + TEST_TIMEOUT_MS,
  }, async () => {
    // Alone on the machine: a second mesh starving this one would read as slow recoveries.
    const releaseMesh = await acquireMeshLock('chaos');
    let report: ChaosReport;
    try {
      report = await runChaos({
        brain: uniqueBrain('chaos'),
        env: offlineEnv(),
        targets: ['scout', 'router', 'nats', 'postgres'],
        rounds: 1,
        minTasks: 300,
        maxTasks: 600,
        ratePerSecond: 8,
        concurrency: 16,
        calmMs: 3_000,
        recoveryTimeoutMs: 60_000,
        settleTimeoutMs: 120_000,
        readyTimeoutMs: 120_000,
        say: (line) => console.log(`chaos: ${line}`),
      });
    } finally {
      await releaseMesh();
    }
    const { audit } = report;
    console.log(
      `chaos: ${audit.sent} tasks, ${audit.completedRight} completed right, ${audit.rerun} re-run after a fault, ` +
        `${audit.retriedSubmissions} submissions retried (${report.failedAttempts} failed attempts), ` +
        `recovery ms ${report.faults.map((f) => `${f.target} ${f.readyMs}`).join(', ')}, total ${report.durationMs} ms`,
    );
    if (report.leakedErrors.length > 0)
      console.log(`chaos: internals in errors callers saw:\n${report.leakedErrors.join('\n')}`);
    const why = `\n${report.logTail}`;
    expect(report.faults.map((fault) => fault.target)).toEqual(['scout', 'router', 'nats', 'postgres']);
    expect(audit.sent).toBeGreaterThanOrEqual(300);
    expect(audit.refused, why).toEqual([]);
    expect(audit.lost, why).toEqual([]);
    expect(audit.duplicated, why).toEqual([]);
    expect(audit.endedOtherwise, why).toEqual([]);
    expect(audit.wrongResult, why).toEqual([]);
    expect(audit.completedRight).toBe(audit.sent);
    expect(report.exitCode).toBe(0);
  });
});
