import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { NatsPartnerClient } from '@forge/agent-kit';
import { Bus } from '@forge/bus';
import {
  FEDERATION_SECRETS,
  fetchToken,
  rpc,
  skillMessage,
  startFederationPair,
  stateOf,
  taskOf,
} from '@forge/e2e';
import { createLogger } from '@forge/telemetry';
import { measureHop } from './hop.js';

/**
 * bench federation: brain A's skill asking brain B's `compliance.check-text` (tool tier: plain
 * code, so the figures are the mesh's and the gateways' own cost), against calling B's agent
 * directly, alternating the paths in one run:
 *
 * - direct:  HTTP SendMessage to B's compliance agent (B's router, worker, Postgres as always);
 * - inbound: the same call through B's gateway as partner A (token check, skill grant, rate,
 *   budget, proxy as partner:a) → the inbound hop's overhead is inbound − direct;
 * - ask:     what a skill of A does, `ctx.partners.ask('partner/b/compliance.check-text')`: NATS
 *   request to A's gateway → B's gateway → B's agent → the outbound hop's overhead is ask − inbound.
 *
 * A SendMessage waits for B's router, worker and Postgres, whose noise on a busy machine swamps a
 * hop's few milliseconds at p99; so the inbound hop is also measured on GetTask of one task of
 * partner A's (a Postgres read at the agent, nothing else): directly at B's agent (as partner:a,
 * through the gateway's delegation key) and through B's gateway (with A's token).
 *
 * Ends with one JSON line.
 */
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    'hop-count': { type: 'string', default: '3000' },
  },
});
const count = Number(values.count);
const warmup = Number(values.warmup);
const INPUT = { text: 'New rosin drops Friday. 21+ only.', channel: 'instagram' };

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const round = (n: number) => Math.round(n * 100) / 100;
function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
  };
}

// First the hop alone, in this process (no other process competes for it): the gateway's own cost.
const hopAlone = await measureHop(Number(values['hop-count']));
const hopOverhead = {
  p50: Math.round((hopAlone.viaGateway.p50 - hopAlone.direct.p50) * 1000) / 1000,
  p99: Math.round((hopAlone.viaGateway.p99 - hopAlone.direct.p99) * 1000) / 1000,
};
console.log(
  `gateway hop alone (stand-in agent, this process): direct p50 ${hopAlone.direct.p50} ms p99 ${hopAlone.direct.p99} ms; ` +
    `via gateway p50 ${hopAlone.viaGateway.p50} ms p99 ${hopAlone.viaGateway.p99} ms (+${hopOverhead.p50} / +${hopOverhead.p99}); ` +
    `CPU per call ${hopAlone.direct.cpuUsPerCall} / ${hopAlone.viaGateway.cpuUsPerCall} µs`,
);

console.log('starting two brains (router, compliance or scout, gateway each) ...');
const pair = await startFederationPair();
const bus = await Bus.connect({
  servers: pair.a.brain.natsUrl,
  name: 'bench-federation',
  brain: pair.a.name,
  logger: createLogger({ name: 'bench-federation', level: 'silent' }),
});
try {
  const token = (
    (await (await fetchToken(pair.b.gatewayUrl, 'a', FEDERATION_SECRETS.aToB)).json()) as {
      access_token: string;
    }
  ).access_token;
  const partners = new NatsPartnerClient(bus);
  const direct = async () => {
    const answer = await rpc(
      pair.b.agentUrl,
      'SendMessage',
      { message: skillMessage('compliance.check-text', INPUT) },
      {
        authorization: `Bearer ${FEDERATION_SECRETS.operator}`,
      },
    );
    if (stateOf(taskOf(answer)) !== 'TASK_STATE_COMPLETED')
      throw new Error(`direct: ${JSON.stringify(answer.body).slice(0, 300)}`);
  };
  const inbound = async () => {
    const answer = await rpc(
      pair.b.gatewayUrl,
      'SendMessage',
      { message: skillMessage('compliance.check-text', INPUT) },
      {
        authorization: `Bearer ${token}`,
      },
    );
    if (stateOf(taskOf(answer)) !== 'TASK_STATE_COMPLETED')
      throw new Error(`inbound: ${JSON.stringify(answer.body).slice(0, 300)}`);
  };
  const ask = async () => {
    const answer = await partners.ask('partner/b/compliance.check-text', INPUT, { timeoutMs: 30_000 });
    if (answer.state !== 'completed') throw new Error(`ask: ${JSON.stringify(answer).slice(0, 300)}`);
  };
  const made = taskOf(
    await rpc(
      pair.b.gatewayUrl,
      'SendMessage',
      { message: skillMessage('compliance.check-text', INPUT) },
      {
        authorization: `Bearer ${token}`,
      },
    ),
  );
  const taskId = String(made.id);
  const getDirect = async () => {
    const answer = await rpc(
      pair.b.agentUrl,
      'GetTask',
      { id: taskId },
      {
        authorization: `Bearer ${FEDERATION_SECRETS.gateway}`,
        'forge-on-behalf-of': 'partner:a',
      },
    );
    if (!answer.body.result) throw new Error(`getDirect: ${JSON.stringify(answer.body).slice(0, 300)}`);
  };
  const getVia = async () => {
    const answer = await rpc(
      pair.b.gatewayUrl,
      'GetTask',
      { id: taskId },
      { authorization: `Bearer ${token}` },
    );
    if (!answer.body.result) throw new Error(`getVia: ${JSON.stringify(answer.body).slice(0, 300)}`);
  };
  const paths = { direct, inbound, ask, getDirect, getVia } as const;
  const samples: Record<keyof typeof paths, number[]> = {
    direct: [],
    inbound: [],
    ask: [],
    getDirect: [],
    getVia: [],
  };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  let cpuStart = { a: 0, b: 0 };
  for (let i = 0; i < warmup + count; i++) {
    if (i === warmup) cpuStart = { a: await cpuMs(pair.a.gatewayPid), b: await cpuMs(pair.b.gatewayPid) };
    // Rotate which path goes first, so drift and noise hit all three alike.
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length]!;
      const started = performance.now();
      await paths[name]();
      if (i >= warmup) samples[name].push(performance.now() - started);
    }
    if ((i + 1) % 100 === 0) console.log(`  ${i + 1} / ${warmup + count}`);
  }
  // B's gateway takes inbound, getVia and the inbound side of ask; A's takes the outbound side of ask.
  const cpuPerCall = {
    inboundMs: round(((await cpuMs(pair.b.gatewayPid)) - cpuStart.b) / (3 * count)),
    outboundMs: round(((await cpuMs(pair.a.gatewayPid)) - cpuStart.a) / count),
  };
  const s = {
    direct: stats(samples.direct),
    inbound: stats(samples.inbound),
    ask: stats(samples.ask),
    getDirect: stats(samples.getDirect),
    getVia: stats(samples.getVia),
  };
  const hop = (a: { p50: number; p99: number }, b: { p50: number; p99: number }) => ({
    p50: round(a.p50 - b.p50),
    p99: round(a.p99 - b.p99),
  });
  const inboundHop = hop(s.inbound, s.direct);
  const outboundHop = hop(s.ask, s.inbound);
  const readHop = hop(s.getVia, s.getDirect);
  console.log(`round trips per path: ${count} (after ${warmup} warm-up), tool-tier compliance.check-text`);
  console.log(`  direct to B's agent      p50 ${s.direct.p50} ms  p99 ${s.direct.p99} ms`);
  console.log(
    `  through B's gateway      p50 ${s.inbound.p50} ms  p99 ${s.inbound.p99} ms  (inbound hop +${inboundHop.p50} / +${inboundHop.p99})`,
  );
  console.log(
    `  A's skill asks B (A→B)   p50 ${s.ask.p50} ms  p99 ${s.ask.p99} ms  (outbound hop +${outboundHop.p50} / +${outboundHop.p99})`,
  );
  console.log(`  GetTask direct at B's agent  p50 ${s.getDirect.p50} ms  p99 ${s.getDirect.p99} ms`);
  console.log(
    `  GetTask through B's gateway  p50 ${s.getVia.p50} ms  p99 ${s.getVia.p99} ms  (gateway hop +${readHop.p50} / +${readHop.p99})`,
  );
  console.log(
    `  gateway CPU per call: inbound ${cpuPerCall.inboundMs} ms (B), outbound ${cpuPerCall.outboundMs} ms (A)`,
  );
  console.log(
    JSON.stringify({
      bench: 'federation',
      count,
      skill: 'compliance.check-text',
      direct: s.direct,
      viaGateway: s.inbound,
      partnerAsk: s.ask,
      hopAlone: { ...hopAlone, overheadMs: hopOverhead },
      getTaskDirect: s.getDirect,
      getTaskViaGateway: s.getVia,
      overheadPerHopMs: { inbound: inboundHop, outbound: outboundHop, inboundOnGetTask: readHop },
      gatewayCpuPerCallMs: cpuPerCall,
      loadAverage: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number),
      targetP99OverheadMs: 10,
      meetsTarget: hopOverhead.p99 < 10 && readHop.p99 < 10,
    }),
  );
} finally {
  await bus.drain().catch(() => undefined);
  await pair.close();
}
