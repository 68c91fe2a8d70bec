import { type TestBrain, testBrain } from '@forge/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { message, rpc, startInstance, testAgent, waitForTask } from '../test-support/test-agent.js';
import type { AgentService } from './agent-service.js';
import type { AgentConfig } from './config.js';

/**
 * `stop()` is the path SIGTERM takes. A task in flight when an instance stops must end
 * `completed`: finished within the grace, or released and redelivered to the other instance.
 */
describe('agent service: stopping with a task in flight', () => {
  let brain: TestBrain | undefined;
  let instances: AgentService[] = [];

  afterEach(async () => {
    await Promise.allSettled(instances.map((s) => s.stop()));
    instances = [];
    await brain?.cleanup();
  });

  async function pair(overrides: Partial<AgentConfig>): Promise<[AgentService, AgentService]> {
    brain = await testBrain('kitstop');
    const { agent } = testAgent();
    const a = await startInstance(agent, brain, overrides);
    const b = await startInstance(agent, brain, overrides);
    instances = [a, b];
    return [a, b];
  }

  async function inFlightOn(a: AgentService, b: AgentService, ms: number) {
    const sent = await rpc(a, 'SendMessage', {
      message: message('slow', { ms }),
      configuration: { returnImmediately: true },
    });
    const id = (sent.body.result as { task: { id: string } }).task.id;
    await waitForTask(a, id, (t) => t.status?.state === 'TASK_STATE_WORKING');
    const holder = a.inFlight === 1 ? a : b;
    const other = holder === a ? b : a;
    expect(holder.inFlight).toBe(1);
    return { id, holder, other };
  }

  it('finishes the task within the grace period', async () => {
    const [a, b] = await pair({ shutdownGraceMs: 5_000 });
    const { id, holder, other } = await inFlightOn(a, b, 600);
    const stopping = holder.stop();
    expect(holder.ready).toBe(false);
    await stopping;
    const task = await waitForTask(other, id, (t) => t.status?.state === 'TASK_STATE_COMPLETED');
    expect(task.metadata).toMatchObject({ attempt: 1 });
  });

  it('releases the task when the grace runs out, and the other instance completes it', async () => {
    const [a, b] = await pair({ shutdownGraceMs: 400 });
    const { id, holder, other } = await inFlightOn(a, b, 1_500);
    const started = Date.now();
    await holder.stop();
    expect(Date.now() - started).toBeLessThan(2_500);
    const task = await waitForTask(other, id, (t) => t.status?.state === 'TASK_STATE_COMPLETED', 10_000);
    expect(task.metadata).toMatchObject({ attempt: 2 });
    expect(task.artifacts).toHaveLength(1);
  });

  it('turns readiness off first and answers 503 from /readyz while draining', async () => {
    const [a, b] = await pair({ shutdownGraceMs: 5_000 });
    const { holder } = await inFlightOn(a, b, 800);
    const stopping = holder.stop();
    const ready = await fetch(`${holder.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, checks: { accepting: false } });
    await stopping;
  });
});
