import type { LatencySummary } from '../lib/latency.js';
import type { BudgetCheck } from './budget-check.js';
import type { RouterStats } from './router-stats.js';

/** One measured path and, for the router's paths, the routers' own numbers over the same calls. */
export interface PathResult extends LatencySummary {
  router?: RouterStats;
}

export interface RampStep extends LatencySummary {
  rate: number;
  pass: boolean;
  /** The routers' CPU over the step, as a share of one core (summed over replicas). */
  routerCpu: number;
  /** The routers' CPU per call over the step, ms. */
  cpuPerCall: number | null;
}

/** The top entries of one router's profile over one measured phase. */
export interface ProfileTop {
  path: 'gateway' | 'http';
  replica: number;
  file: string;
  busyMs: number;
  functions: { name: string; pct: number }[];
  owners: { name: string; pct: number }[];
  /** The heaviest native frames by their first caller outside node (who made the syscalls). */
  callers: { name: string; pct: number }[];
}

/** Everything measured of one transport's deployment. */
export interface TransportRun {
  /** The deployment's label: the transport, with `-coalesced` or `-direct` when `--replies` compares both. */
  transport: string;
  /** How the routers' bus sent its replies (see `--replies`). */
  replies: 'coalesced' | 'direct';
  rounds: { round: number; gateway: PathResult; http: PathResult }[];
  ramp: RampStep[];
  profiles: ProfileTop[];
  budgets?: BudgetCheck;
}

export interface OverheadRun {
  rate: number;
  durationS: number;
  /** Router processes per transport. */
  replicas: number;
  floors: { nats: PathResult; http: PathResult };
  direct: PathResult;
  transports: TransportRun[];
  rampP99Ms: number;
  /** What the ramp called the gateway with: a hand-written request over core NATS, or NatsModelClient. */
  rampClient: 'raw' | 'agent-kit';
  /** Whether the routers ran with OpenTelemetry started (as the service does). */
  telemetry: boolean;
  elapsedS: number;
  /** The machine's 1-minute load average when the run started and ended, and its cores. */
  machine: { cores: number; loadStart: number; loadEnd: number };
}

/** Targets from the issue. */
const GATEWAY_WORK_P99_MS = 1;
const OVER_FLOOR_P99_MS = 2;
const CPU_PER_CALL_MS = 0.5;
const SUSTAINED_PER_SEC = 1000;

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(2);
const round = (v: number | null | undefined): number | null =>
  v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 1000) / 1000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const cpuPerCall = (p: PathResult): number | null =>
  p.router && p.router.count > 0 ? p.router.cpuMs / p.router.count : null;

function summary(run: OverheadRun, t: TransportRun) {
  const held = (p: PathResult) => p.errors === 0 && p.achievedPerSec >= 0.95 * run.rate;
  const per = (path: 'gateway' | 'http') => {
    const results = t.rounds.map((r) => r[path]);
    const floor = path === 'gateway' ? run.floors.nats : run.floors.http;
    const nums = (f: (p: PathResult) => number | null) =>
      results.map(f).filter((v): v is number => v !== null && !Number.isNaN(v));
    return {
      cpuPerCall: median(nums(cpuPerCall)),
      p50: median(nums((p) => p.p50)),
      p99: median(nums((p) => p.p99)),
      overFloorP99: median(nums((p) => p.p99 - floor.p99)),
      workP99: median(nums((p) => p.router?.p99 ?? null)),
      held: results.every(held),
    };
  };
  const lastPass = [...t.ramp].reverse().find((s) => s.pass);
  return { gateway: per('gateway'), http: per('http'), maxSustained: lastPass?.rate ?? null };
}

function derived(run: OverheadRun) {
  const held = (p: PathResult) => p.errors === 0 && p.achievedPerSec >= 0.95 * run.rate;
  const baselinesHeld = held(run.floors.nats) && held(run.floors.http) && held(run.direct);
  const by = Object.fromEntries(run.transports.map((t) => [t.transport, summary(run, t)]));
  const targets = Object.fromEntries(
    run.transports.map((t) => {
      const s = by[t.transport]!;
      return [
        t.transport,
        {
          cpuPerCall:
            (s.gateway.cpuPerCall ?? Infinity) <= CPU_PER_CALL_MS &&
            (s.http.cpuPerCall ?? Infinity) <= CPU_PER_CALL_MS,
          sustained: (s.maxSustained ?? 0) >= SUSTAINED_PER_SEC,
          gatewayWorkP99: (s.gateway.workP99 ?? Infinity) <= GATEWAY_WORK_P99_MS,
          httpWorkP99: (s.http.workP99 ?? Infinity) <= GATEWAY_WORK_P99_MS,
          // Judged only where the bare paths held the rate; otherwise the subtraction compares queues.
          gatewayWithinFloor: baselinesHeld
            ? s.gateway.held && (s.gateway.overFloorP99 ?? Infinity) <= OVER_FLOOR_P99_MS
            : null,
          httpWithinFloor: baselinesHeld
            ? s.http.held && (s.http.overFloorP99 ?? Infinity) <= OVER_FLOOR_P99_MS
            : null,
          budgetsExact: t.budgets?.exact ?? null,
        },
      ];
    }),
  );
  return { baselinesHeld, by, targets };
}

/** The readable report: floors, each transport's paths round by round, the medians side by side, the ramp, the money, the profiles. */
export function formatReport(run: OverheadRun): string {
  const d = derived(run);
  const mark = (ok: boolean | null) => (ok === null ? 'not measurable' : ok ? 'met' : 'MISSED');
  const header = `${'path'.padEnd(34)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'over p99'.padStart(9)} ${'work p99'.padStart(9)} ${'CPU/call'.padStart(9)} ${'errors'.padStart(7)}`;
  const row = (name: string, p: PathResult, floor?: PathResult) =>
    [
      name.padEnd(34),
      ms(p.p50).padStart(7),
      ms(p.p99).padStart(7),
      ms(floor ? p.p99 - floor.p99 : null).padStart(9),
      ms(p.router?.p99).padStart(9),
      ms(cpuPerCall(p)).padStart(9),
      String(p.errors).padStart(7),
    ].join(' ');
  const lines = [
    `router-overhead: ${run.rate} calls/s open loop, ${run.durationS} s per path and round; transports ${run.transports.map((t) => t.transport).join(' vs ')}, ` +
      `${run.replicas} router process(es) each (real NATS, real Postgres, ${run.telemetry ? 'OpenTelemetry on, no exporter' : 'no OpenTelemetry'})`,
    "latency in ms from each call's scheduled instant; over p99 = p99 - the transport floor's p99; work = the gateway's own work (decision, admission, accounting); CPU/call = router CPU (all replicas) / calls",
    `machine: ${run.machine.cores} cores, load average ${run.machine.loadStart.toFixed(1)} at the start, ${run.machine.loadEnd.toFixed(1)} at the end`,
    '',
    header,
    row('floor: NATS echo', run.floors.nats),
    row('floor: HTTP echo (fetch)', run.floors.http),
    row('direct (openai SDK)', run.direct),
  ];
  for (const t of run.transports)
    for (const r of t.rounds) {
      lines.push(row(`${t.transport} r${r.round} gateway`, r.gateway, run.floors.nats));
      lines.push(row(`${t.transport} r${r.round} /v1/chat/completions`, r.http, run.floors.http));
    }
  lines.push('', 'medians over the rounds, side by side:');
  for (const path of ['gateway', 'http'] as const) {
    const cells = run.transports.map((t) => {
      const s = d.by[t.transport]![path];
      return `${t.transport}: CPU ${ms(s.cpuPerCall)} ms/call, p99 ${ms(s.p99)} ms (over floor ${ms(s.overFloorP99)}), work p99 ${ms(s.workP99)} ms`;
    });
    lines.push(
      `  ${(path === 'gateway' ? 'gateway' : '/v1/chat/completions').padEnd(21)} ${cells.join(' | ')}`,
    );
  }
  if (run.transports.length === 2) {
    const [a, b] = run.transports.map((t) => d.by[t.transport]!);
    const change = (x: number | null, y: number | null) =>
      x && y ? `${ms(x)} -> ${ms(y)} ms (${(((y - x) / x) * 100).toFixed(0)}%)` : '-';
    lines.push(
      `  router CPU per call, ${run.transports[0]!.transport} -> ${run.transports[1]!.transport}: gateway ${change(a!.gateway.cpuPerCall, b!.gateway.cpuPerCall)}, ` +
        `/v1/chat/completions ${change(a!.http.cpuPerCall, b!.http.cpuPerCall)}`,
    );
  }
  if (!d.baselinesHeld)
    lines.push(
      `WARNING: a bare path (a floor or direct) did not hold ${run.rate} calls/s: the machine is too busy (load ` +
        `${run.machine.loadStart.toFixed(1)} on ${run.machine.cores} cores) for the subtractions to say anything about the router`,
    );
  const rates = [...new Set(run.transports.flatMap((t) => t.ramp.map((s) => s.rate)))];
  if (rates.length === 0) lines.push('ramp: skipped');
  else {
    lines.push(
      `ramp on the gateway path (${run.rampClient === 'raw' ? 'hand-written model.call requests over core NATS' : 'NatsModelClient'}; ` +
        `p99 <= ${run.rampP99Ms} ms, no errors, 95% answered), transports interleaved:`,
    );
    for (const rate of rates) {
      const cells = run.transports.map((t) => {
        const s = t.ramp.find((x) => x.rate === rate);
        return s
          ? `${t.transport} ${s.pass ? 'ok' : 'FAIL'} (p99 ${ms(s.p99)} ms, ${s.achievedPerSec.toFixed(0)}/s, ${s.errors} err, CPU ${(s.routerCpu * 100).toFixed(0)}%, ${ms(s.cpuPerCall)} ms/call)`
          : `${t.transport} -`;
      });
      lines.push(`  ${String(rate).padStart(5)}/s  ${cells.join(' | ')}`);
    }
    lines.push(
      `  most calls/s sustained (${run.replicas} router process(es); load generator, fake LLM, NATS and Postgres on the same cores): ` +
        run.transports.map((t) => `${t.transport} ${d.by[t.transport]!.maxSustained ?? 'none'}`).join(', '),
    );
  }
  for (const t of run.transports) {
    const b = t.budgets;
    if (!b) continue;
    lines.push(
      `money, ${t.transport}: ${b.exact ? 'exact' : 'NOT EXACT'}: ${b.calls.ok} calls answered of ${b.calls.issued}, ledger ${b.ledgerRows} rows (${b.ledgerOk} ok), ` +
        `${b.ledgerMicros} micro-USD; month spend ${b.spentMicros.month ?? 0}; live holds ${b.liveHolds}` +
        (b.problems.length > 0 ? `\n  ${b.problems.join('\n  ')}` : ''),
    );
  }
  lines.push('targets (issue 12):');
  for (const t of run.transports) {
    const g = d.targets[t.transport]!;
    lines.push(
      `  ${t.transport}: CPU <= ${CPU_PER_CALL_MS} ms/call ${mark(g.cpuPerCall)}; >= ${SUSTAINED_PER_SEC} calls/s ${mark(g.sustained)}; ` +
        `work p99 <= ${GATEWAY_WORK_P99_MS} ms gateway ${mark(g.gatewayWorkP99)}, http ${mark(g.httpWorkP99)}; ` +
        `p99 within ${OVER_FLOOR_P99_MS} ms of floor gateway ${mark(g.gatewayWithinFloor)}, http ${mark(g.httpWithinFloor)}; budgets exact ${mark(g.budgetsExact)}`,
    );
  }
  for (const t of run.transports)
    for (const p of t.profiles) {
      lines.push(
        `profile ${t.transport} ${p.path} replica ${p.replica} (${p.busyMs} ms busy, round 1): ${p.file}`,
      );
      lines.push(
        `  by owner: ${p.owners
          .slice(0, 8)
          .map((o) => `${o.name} ${o.pct}%`)
          .join(', ')}`,
      );
      lines.push(
        `  by function: ${p.functions
          .slice(0, 8)
          .map((f) => `${f.name.replace(/ \S*$/, '')} ${f.pct}%`)
          .join(', ')}`,
      );
      lines.push(
        `  native, by caller: ${p.callers
          .slice(0, 4)
          .map((c) => `${c.name} ${c.pct}%`)
          .join(', ')}`,
      );
    }
  return lines.join('\n');
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
          routerCpuMsPerCall: round(cpuPerCall(p)),
        }
      : {}),
  };
}

/** The one JSON line the bench ends with (milliseconds throughout). */
export function jsonLine(run: OverheadRun): string {
  const d = derived(run);
  return JSON.stringify({
    bench: 'router-overhead',
    rate: run.rate,
    durationS: run.durationS,
    replicas: run.replicas,
    rampClient: run.rampClient,
    telemetry: run.telemetry,
    floors: { nats: pathJson(run.floors.nats), http: pathJson(run.floors.http) },
    direct: pathJson(run.direct),
    transports: Object.fromEntries(
      run.transports.map((t) => {
        const s = d.by[t.transport]!;
        return [
          t.transport,
          {
            replies: t.replies,
            rounds: t.rounds.map((r) => ({
              round: r.round,
              gateway: pathJson(r.gateway),
              http: pathJson(r.http),
            })),
            routerCpuMsPerCall: { gateway: round(s.gateway.cpuPerCall), http: round(s.http.cpuPerCall) },
            p99: { gateway: round(s.gateway.p99), http: round(s.http.p99) },
            overFloorP99: { gateway: round(s.gateway.overFloorP99), http: round(s.http.overFloorP99) },
            gatewayWorkP99Ms: { gateway: round(s.gateway.workP99), http: round(s.http.workP99) },
            maxSustainedPerSec: s.maxSustained,
            ramp: t.ramp.map((x) => ({
              rate: x.rate,
              pass: x.pass,
              p99: round(x.p99),
              achievedPerSec: Math.round(x.achievedPerSec),
              errors: x.errors,
              routerCpu: round(x.routerCpu),
              cpuPerCall: round(x.cpuPerCall),
            })),
            budgets: t.budgets ?? null,
            profiles: t.profiles.map((p) => ({
              path: p.path,
              replica: p.replica,
              busyMs: p.busyMs,
              owners: p.owners.slice(0, 10),
              functions: p.functions.slice(0, 10),
              callers: p.callers.slice(0, 5),
            })),
            targets: d.targets[t.transport],
          },
        ];
      }),
    ),
    baselinesHeld: d.baselinesHeld,
    elapsedS: Math.round(run.elapsedS * 10) / 10,
    machine: {
      cores: run.machine.cores,
      loadStart: round(run.machine.loadStart),
      loadEnd: round(run.machine.loadEnd),
    },
  });
}
