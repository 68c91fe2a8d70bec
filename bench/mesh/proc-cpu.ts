/**
 * CPU time of processes from `/proc/<pid>/stat` (utime + stime, in clock ticks of 10 ms), and the
 * Postgres backends that serve a given process: its TCP sockets to the server's port, matched
 * with `pg_stat_activity.client_port`. Linux only, as the bench machines are.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import type pg from 'pg';

/** USER_HZ: the unit of utime/stime; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU ms a process has used so far (user + system); undefined once it is gone. */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** The local TCP ports of `pid`'s sockets connected to `remotePort`. */
async function clientPorts(pid: number, remotePort: number): Promise<number[]> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, remote, inode] = [cols[1], cols[2], cols[9]];
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (Number.parseInt(remote.split(':')[1] ?? '', 16) !== remotePort) continue;
      ports.push(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

/** The pids of the Postgres backends serving `clientPids` now (their pools' connections). */
export async function backendPids(admin: pg.Pool, clientPids: number[], pgPort: number): Promise<number[]> {
  const ports = (await Promise.all(clientPids.map((pid) => clientPorts(pid, pgPort)))).flat();
  if (ports.length === 0) return [];
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
    [ports],
  );
  return rows.map((r) => r.pid);
}

/** The server's own processes (WAL writer, checkpointer, background writer...): shared by all its users. */
export async function auxiliaryPids(admin: pg.Pool): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend'",
  );
  return rows.map((r) => r.pid);
}

/** CPU of a set of processes over an interval: `start`, then `end` → ms used in between. */
export class CpuWindow {
  readonly #start = new Map<number, number>();

  static async open(pids: number[]): Promise<CpuWindow> {
    const window = new CpuWindow();
    for (const pid of pids) {
      const ms = await processCpuMs(pid);
      if (ms !== undefined) window.#start.set(pid, ms);
    }
    return window;
  }

  /** CPU ms since `open` of `pids` (a pid not seen at the start counts its whole life: a new connection). */
  async close(pids: number[]): Promise<number> {
    let total = 0;
    for (const pid of new Set([...pids, ...this.#start.keys()])) {
      const ms = await processCpuMs(pid);
      if (ms === undefined) continue;
      total += ms - (this.#start.get(pid) ?? 0);
    }
    return total;
  }
}
