/**
 * The top entries of a V8 CPU profile (`pnpm bench mesh|router-overhead --cpu-prof DIR` write them;
 * `node --import tsx bench/lib/profile-summary.ts FILE... [--top N]` reads any): self time by
 * function and by where the code lives, as shares of the busy time (idle and the profiler's own
 * `Profiler.stop` left out), plus the stacks above the heaviest native frames, which say who made
 * the syscalls.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  functions: { name: string; pct: number }[];
  owners: { name: string; pct: number }[];
  /** For the heaviest native frames (socket writes and the like): the first frames above them in this repo or a dependency. */
  callers: { name: string; pct: number }[];
}

/**
 * Where a frame's code lives: a package or service of this repository (also when reached through
 * a workspace link under node_modules/@forge), a dependency, node's own, or V8's pseudo-frames.
 */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep?.[1] && !/node_modules\/@forge\//.test(url)) return dep[1];
  const mine = /\/(packages|services|bench)\/([^/]+)\//.exec(url);
  if (mine) return `${mine[1]}/${mine[2]}`;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

function short(url: string): string {
  return url
    .replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^file:\/\/.*?\/(packages|services|bench)\//, '$1/');
}

export async function summarizeProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const ancestors = (id: number): ProfileNode[] => {
    const out: ProfileNode[] = [];
    for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur)!);
    return out;
  };
  const fns = new Map<string, number>();
  const owners = new Map<string, number>();
  const callers = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const above = ancestors(id);
    // The profiler's own stop (serialising the profile) is not the router's work.
    if (above.some((n) => n.callFrame.functionName === 'post' && n.callFrame.url === 'node:inspector'))
      continue;
    busy += us;
    const key = `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const o = owner(url, functionName);
    owners.set(o, (owners.get(o) ?? 0) + us);
    if (!url && !functionName.startsWith('(')) {
      const caller = above.find((n) => n.callFrame.url !== '' && !n.callFrame.url.startsWith('node:'));
      const name = caller
        ? `${functionName} < ${caller.callFrame.functionName || '(anonymous)'} ${short(caller.callFrame.url)}`
        : functionName;
      callers.set(name, (callers.get(name) ?? 0) + us);
    }
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, pct: Number(((100 * us) / Math.max(busy, 1)).toFixed(1)) }));
  return {
    file,
    busyMs: Math.round(busy / 1000),
    functions: rank(fns),
    owners: rank(owners),
    callers: rank(callers),
  };
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  for (const file of positionals) {
    const r = await summarizeProfile(file, Number(values.top ?? 25));
    process.stdout.write(`\n${r.file}: ${r.busyMs} ms busy\n  by owner:\n`);
    for (const o of r.owners) process.stdout.write(`    ${o.pct.toFixed(1).padStart(5)}%  ${o.name}\n`);
    process.stdout.write('  by function (self time):\n');
    for (const f of r.functions) process.stdout.write(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.name}\n`);
    process.stdout.write('  native frames, by their first caller outside node:\n');
    for (const c of r.callers) process.stdout.write(`    ${c.pct.toFixed(1).padStart(5)}%  ${c.name}\n`);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
