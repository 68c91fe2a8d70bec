import { readFile } from 'node:fs/promises';
import { MeshFile } from './mesh-file.js';

/** The command line of a running process (Linux /proc), or null when it is gone or unreadable. */
async function commandLine(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return null;
  }
}

function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      try {
        process.kill(pid, 0);
      } catch {
        return resolve(true);
      }
      if (Date.now() > deadline) return resolve(false);
      setTimeout(check, 50);
    };
    check();
  });
}

/**
 * Stops what a `forge up` that died without cleaning up (SIGKILL, a crash) left running: the
 * processes its mesh file lists, when that `forge up` is gone: the services first, then the
 * embedded Postgres (SIGINT, its fast shutdown), then a nats-server it started. A pid is only
 * signalled when its command line is still that process's (the service's entry, the Postgres
 * data folder, the NATS store folder), so a reused pid is never touched. Returns the names stopped.
 */
export async function stopLeftovers(meshPath: string, natsDir: string, graceMs = 5_000): Promise<string[]> {
  let mesh: MeshFile;
  try {
    mesh = MeshFile.parse(JSON.parse(await readFile(meshPath, 'utf8')));
  } catch {
    return [];
  }
  if ((await commandLine(mesh.pid)) !== null) return [];
  const candidates: { name: string; pid: number | null; marker: string; signal?: NodeJS.Signals }[] = [
    ...mesh.services.map((service) => ({
      name: service.name,
      pid: service.pid,
      marker: `/services/${service.name}/dist/main.js`,
    })),
    {
      name: 'postgres',
      // Without its data folder (a file of an older version) there is no safe marker.
      pid: mesh.postgres.dataDir ? mesh.postgres.pid : null,
      marker: `-D ${mesh.postgres.dataDir}`,
      signal: 'SIGINT',
    },
    { name: 'nats', pid: mesh.nats.pid ?? null, marker: `-sd ${natsDir}` },
  ];
  const stopped: string[] = [];
  for (const { name, pid, marker, signal } of candidates) {
    if (pid === null || !(await commandLine(pid))?.includes(marker)) continue;
    process.kill(pid, signal ?? 'SIGTERM');
    if (!(await waitGone(pid, graceMs))) process.kill(pid, 'SIGKILL');
    stopped.push(name);
  }
  return stopped;
}
