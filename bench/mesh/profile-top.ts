/**
 * `node bench/mesh/profile-top.ts FILE.cpuprofile [--top N]` (with tsx, or `pnpm bench mesh` writes the
 * profiles and this reads them): the self time of a V8 CPU profile by function and by where the
 * code lives (a package of this repository, a dependency, node's own, GC, idle), as shares of the
 * profile's busy time. Prints one JSON line last.
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

/** Where a frame's code lives: `@forge/<pkg>`, a dependency's name, `node:`, or V8's pseudo-frames. */
export function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep?.[1] && !/node_modules\/@forge\//.test(url)) return dep[1];
  const mine = /\/(packages|services|bench)\/([^/]+)\//.exec(url);
  if (mine) return `${mine[1]}/${mine[2]}`;
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

export async function profileTop(file: string, top = 25) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const fns = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    busy += us;
    const short = url
      .replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?)/, '')
      .replace(/^file:\/\/.*?\/(packages|services|bench)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const o = owner(url, functionName);
    owners.set(o, (owners.get(o) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, pct: Number(((100 * us) / busy).toFixed(1)) }));
  return { file, busyMs: Math.round(busy / 1000), functions: rank(fns), owners: rank(owners) };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  for (const file of positionals) {
    const r = await profileTop(file, Number(values.top ?? 25));
    process.stdout.write(`\n${r.file}: ${r.busyMs} ms busy\n  by owner:\n`);
    for (const o of r.owners) process.stdout.write(`    ${o.pct.toFixed(1).padStart(5)}%  ${o.name}\n`);
    process.stdout.write('  by function (self time):\n');
    for (const f of r.functions) process.stdout.write(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.name}\n`);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
