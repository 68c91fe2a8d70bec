import { readdir, readFile } from 'node:fs/promises';

/** Memory of a process and everything below it, in MB (Linux /proc). */
export interface TreeMemory {
  /** How many processes the tree had when read. */
  readonly processes: number;
  /** Sum of VmRSS: counts shared pages (a Postgres's shared buffers) once per process. */
  readonly rssMb: number;
  /** Sum of Pss: shared pages split between the processes that map them, so the tree's real share. */
  readonly pssMb: number;
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/** `pid` and its descendants, found by walking every process's parent. */
export async function processTree(pid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = new Map<number, number>();
  await Promise.all(
    pids.map(async (candidate) => {
      const parent = await parentOf(candidate);
      if (parent !== null) parents.set(candidate, parent);
    }),
  );
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  return [...tree].filter((member) => member === pid || parents.has(member));
}

async function kbField(path: string, field: string): Promise<number> {
  try {
    const text = await readFile(path, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** RSS and PSS of `pid` and its descendants; zeros when it is gone. */
export async function treeMemory(pid: number): Promise<TreeMemory> {
  const pids = await processTree(pid);
  const rss = await Promise.all(pids.map((member) => kbField(`/proc/${member}/status`, 'VmRSS')));
  const pss = await Promise.all(pids.map((member) => kbField(`/proc/${member}/smaps_rollup`, 'Pss')));
  const mb = (kb: number[]) => Math.round((kb.reduce((sum, value) => sum + value, 0) / 1024) * 10) / 10;
  return { processes: pids.length, rssMb: mb(rss), pssMb: mb(pss) };
}
