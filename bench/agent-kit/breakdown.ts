import { round } from './stats.js';

/** A timestamp on the shared wall clock (timeOrigin + performance.now()), ms. */
export interface ClockMark {
  at: number;
  label: string;
}

export interface Stage {
  /** The mark that ends the stage. */
  label: string;
  /** Median time of the mark after the client sent the call. */
  atMs: number;
  /** Median time from the previous stage's mark to this one (in median terms). */
  deltaMs: number;
  /** Share of calls where the mark was seen. */
  seen: number;
}

/**
 * Turns the marks of calls made one at a time into a timeline: marks are grouped by call (each
 * `client send` starts one), repeated labels numbered (`#2`), and each label placed at its
 * median offset from the send. Labels seen in fewer than `minShare` of the calls are dropped.
 */
export function timeline(marks: ClockMark[], minShare = 0.9): { calls: number; stages: Stage[] } {
  const sorted = [...marks].sort((a, b) => a.at - b.at);
  const calls: Map<string, number>[] = [];
  let current: Map<string, number> | undefined;
  let start = 0;
  for (const m of sorted) {
    if (m.label === 'client send') {
      current = new Map();
      calls.push(current);
      start = m.at;
    }
    if (!current) continue;
    let label = m.label;
    for (let n = 2; current.has(label); n++) label = `${m.label} #${n}`;
    current.set(label, m.at - start);
  }
  const offsets = new Map<string, number[]>();
  for (const call of calls) {
    for (const [label, offset] of call) {
      const list = offsets.get(label) ?? [];
      list.push(offset);
      offsets.set(label, list);
    }
  }
  const medians = [...offsets]
    .filter(([, list]) => list.length >= minShare * calls.length)
    .map(([label, list]) => {
      const s = list.sort((a, b) => a - b);
      return { label, atMs: s[Math.floor(s.length / 2)] ?? 0, seen: list.length / calls.length };
    })
    .sort((a, b) => a.atMs - b.atMs);
  let previous = 0;
  const stages = medians.map((m) => {
    const stage = {
      label: m.label,
      atMs: round(m.atMs, 3),
      deltaMs: round(m.atMs - previous, 3),
      seen: round(m.seen),
    };
    previous = m.atMs;
    return stage;
  });
  return { calls: calls.length, stages };
}
