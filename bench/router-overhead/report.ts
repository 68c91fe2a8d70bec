import type { LatencySummary } from './latency.js';
import type { RouterStats } from './router-stats.js';

/** One measured path and, for the router's paths, the router's own numbers over the same calls. */
export interface PathResult extends LatencySummary {
  router?: RouterStats;
}

export interface RampStep extends LatencySummary {
  rate: number;
  pass: boolean;
  /** Router process CPU over the step, as a share of one core. */
  routerCpu: number;
}

export interface OverheadRun {
  rate: number;
  durationS: number;
  floors: { nats: PathResult; http: PathResult };
  direct: PathResult;
  gateway: PathResult;
  http: PathResult;
  ramp: RampStep[];
  rampP99Ms: number;
  /** Whether the router ran with OpenTelemetry started (as the service does). */
  telemetry: boolean;
  elapsedS: number;
  /** The machine's 1-minute load average when the run started and ended, and its cores. */
  machine: { cores: number; loadStart: number; loadEnd: number };
}

/** Targets from the issue: the gateway's own work p99 <= 1 ms; each path's p99 within 2 ms of its transport floor. */
const GATEWAY_WORK_P99_MS = 1;
const OVER_FLOOR_P99_MS = 2;

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(2);
const round = (v: number | null | undefined): number | null =>
  v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 1000) / 1000;

function derived(run: OverheadRun) {
  /** Whether a path kept up with the offered rate: no errors and 95% of the calls answered in time. */
  const held = (p: PathResult) => p.errors === 0 && p.achievedPerSec >= 0.95 * run.rate;
  const baselinesHeld = held(run.floors.nats) && held(run.floors.http) && held(run.direct);
  const added = (p: PathResult) => ({ p50: p.p50 - run.direct.p50, p99: p.p99 - run.direct.p99 });
  const gatewayAdded = added(run.gateway);
  const httpAdded = added(run.http);
  const gatewayOverFloor = {
    p50: gatewayAdded.p50 - run.floors.nats.p50,
    p99: gatewayAdded.p99 - run.floors.nats.p99,
  };
  const httpOverFloor = {
    p50: httpAdded.p50 - run.floors.http.p50,
    p99: httpAdded.p99 - run.floors.http.p99,
  };
  const lastPass = [...run.ramp].reverse().find((s) => s.pass);
  const cpuPerCall = (p: PathResult) =>
    p.router && p.router.count > 0 ? p.router.cpuMs / p.router.count : null;
  return {
    gatewayAdded,
    httpAdded,
    gatewayOverFloor,
    httpOverFloor,
    maxSustained: lastPass?.rate ?? null,
    cpuBoundPerSec: cpuPerCall(run.gateway) ? Math.floor(1000 / cpuPerCall(run.gateway)!) : null,
    cpuPerCall: { gateway: cpuPerCall(run.gateway), http: cpuPerCall(run.http) },
    baselinesHeld,
    // A target is judged only where the bare paths held the rate; otherwise the subtraction
    // compares queues, not the router (null: not measurable in this run).
    targets: {
      gatewayWorkP99: (run.gateway.router?.p99 ?? Number.POSITIVE_INFINITY) <= GATEWAY_WORK_P99_MS,
      httpGatewayWorkP99: (run.http.router?.p99 ?? Number.POSITIVE_INFINITY) <= GATEWAY_WORK_P99_MS,
      gatewayWithinFloor: baselinesHeld
        ? held(run.gateway) && gatewayOverFloor.p99 <= OVER_FLOOR_P99_MS
        : null,
      httpWithinFloor: baselinesHeld ? held(run.http) && httpOverFloor.p99 <= OVER_FLOOR_P99_MS : null,
    },
  };
}

/** The readable table: latency per path, what each adds over the direct call and over its floor, and the ramp. */
export function formatReport(run: OverheadRun): string {
  const d = derived(run);
  const mark = (ok: boolean | null) => (ok === null ? 'not measurable' : ok ? 'met' : 'MISSED');
  const row = (
    name: string,
    p: PathResult,
    added?: { p50: number; p99: number },
    over?: { p50: number; p99: number },
  ) =>
    [
      name.padEnd(26),
      ms(p.p50).padStart(7),
      ms(p.p99).padStart(7),
      ms(added?.p50).padStart(9),
      ms(added?.p99).padStart(9),
      ms(over?.p50).padStart(9),
      ms(over?.p99).padStart(9),
      String(p.errors).padStart(7),
    ].join(' ');
  const ramp = run.ramp.map(
    (s) =>
      `${s.rate}/s ${s.pass ? 'ok' : 'FAIL'} (p99 ${ms(s.p99)} ms, ${s.achievedPerSec.toFixed(0)}/s answered, ${s.errors} errors, router CPU ${(s.routerCpu * 100).toFixed(0)}%)`,
  );
  const work = (p: PathResult) =>
    p.router
      ? `p50 ${ms(p.router.p50)} ms, p90 ${ms(p.router.p90)} ms, p99 ${ms(p.router.p99)} ms over ${p.router.count} calls`
      : '-';
  return [
    `router-overhead: ${run.rate} calls/s open loop for ${run.durationS} s per path; fake LLM and echo servers in one child`,
    `process, the router (real NATS, real Postgres, ${run.telemetry ? 'OpenTelemetry on, no exporter' : 'no OpenTelemetry'}) in another, the load here.`,
    "latency in ms from each call's scheduled instant; added = path - direct; over floor = added - its transport floor",
    `machine: ${run.machine.cores} cores, load average ${run.machine.loadStart.toFixed(1)} at the start, ${run.machine.loadEnd.toFixed(1)} at the end`,
    '',
    `${'path'.padEnd(26)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'added p50'.padStart(9)} ${'added p99'.padStart(9)} ${'over p50'.padStart(9)} ${'over p99'.padStart(9)} ${'errors'.padStart(7)}`,
    row('floor: NATS echo', run.floors.nats),
    row('floor: HTTP echo', run.floors.http),
    row('direct (openai SDK)', run.direct),
    row('gateway (NatsModelClient)', run.gateway, d.gatewayAdded, d.gatewayOverFloor),
    row('/v1/chat/completions', run.http, d.httpAdded, d.httpOverFloor),
    '',
    `gateway's own work (decision lookup, admission, accounting), gateway path: ${work(run.gateway)}; target p99 <= ${GATEWAY_WORK_P99_MS} ms: ${mark(d.targets.gatewayWorkP99)}`,
    `gateway's own work, /v1/chat/completions path (a routing decision per call): ${work(run.http)}; target: ${mark(d.targets.httpGatewayWorkP99)}`,
    ...(d.baselinesHeld
      ? []
      : [
          `WARNING: a bare path (a floor or direct) did not hold ${run.rate} calls/s: the machine is too busy (load ` +
            `${run.machine.loadStart.toFixed(1)} on ${run.machine.cores} cores) for the subtractions to say anything about the router`,
        ]),
    `p99 within ${OVER_FLOOR_P99_MS} ms of the transport floor: gateway ${mark(d.targets.gatewayWithinFloor)}, /v1/chat/completions ${mark(d.targets.httpWithinFloor)}`,
    `router CPU per call: gateway ${ms(d.cpuPerCall.gateway)} ms, /v1/chat/completions ${ms(d.cpuPerCall.http)} ms ` +
      `(with a core of its own, the gateway path would top out near ${d.cpuBoundPerSec ?? '-'} calls/s)`,
    run.ramp.length === 0
      ? 'ramp: skipped'
      : `ramp on the gateway path (p99 <= ${run.rampP99Ms} ms, no errors, 95% answered):\n  ${ramp.join('\n  ')}\n` +
        `most calls/s one router process sustained: ${d.maxSustained ?? 'none of the rates tried'} (load generator and fake LLM share the machine's cores)`,
  ].join('\n');
}

function pathJson(p: PathResult) {
  return {
    p50: round(p.p50),
    p90: round(p.p90),
    p99: round(p.p99),
    max: round(p.max),
    calls: p.calls,
    errors: p.errors,
    ...(p.firstError ? { firstError: p.firstError } : {}),
    ...(p.router
      ? {
          gatewayWork: {
            p50: round(p.router.p50),
            p90: round(p.router.p90),
            p99: round(p.router.p99),
            count: p.router.count,
          },
          routerCpuMs: round(p.router.cpuMs),
        }
      : {}),
  };
}

/** The one JSON line the bench ends with (milliseconds throughout). */
export function jsonLine(run: OverheadRun): string {
  const d = derived(run);
  const pair = (v: { p50: number; p99: number }) => ({ p50: round(v.p50), p99: round(v.p99) });
  return JSON.stringify({
    bench: 'router-overhead',
    rate: run.rate,
    durationS: run.durationS,
    telemetry: run.telemetry,
    floors: { nats: pathJson(run.floors.nats), http: pathJson(run.floors.http) },
    paths: { direct: pathJson(run.direct), gateway: pathJson(run.gateway), http: pathJson(run.http) },
    added: { gateway: pair(d.gatewayAdded), http: pair(d.httpAdded) },
    overFloor: { gateway: pair(d.gatewayOverFloor), http: pair(d.httpOverFloor) },
    gatewayWorkP99Ms: round(run.gateway.router?.p99),
    routerCpuMsPerCall: { gateway: round(d.cpuPerCall.gateway), http: round(d.cpuPerCall.http) },
    maxSustainedPerSec: d.maxSustained,
    cpuBoundPerSec: d.cpuBoundPerSec,
    ramp: run.ramp.map((s) => ({
      rate: s.rate,
      pass: s.pass,
      p99: round(s.p99),
      achievedPerSec: Math.round(s.achievedPerSec),
      errors: s.errors,
      routerCpu: round(s.routerCpu),
    })),
    baselinesHeld: d.baselinesHeld,
    targets: d.targets,
    elapsedS: Math.round(run.elapsedS * 10) / 10,
    machine: {
      cores: run.machine.cores,
      loadStart: round(run.machine.loadStart),
      loadEnd: round(run.machine.loadEnd),
    },
  });
}
