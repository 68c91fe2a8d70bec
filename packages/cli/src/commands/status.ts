import type { StatusOptions } from '../args.js';
import type { Io } from '../io.js';
import { locateServices } from '../mesh-file.js';
import { brainPaths } from '../paths.js';
import { fetchCard, isReady } from '../probes.js';

/** One row of `forge status --json`. */
export interface ServiceStatus {
  readonly name: string;
  /** /readyz answered 200 and the agent card (for an A2A agent) is a card. */
  readonly healthy: boolean;
  /** The agent card URL; null for a service that is not an A2A agent. */
  readonly card: string | null;
  readonly url: string;
  readonly port: number;
  readonly ready: boolean;
  readonly skills: string[];
}

/**
 * `forge status`: probes each service of the brain (found through its live mesh.json, else the
 * port table) and prints `{"services":[{name, healthy, card, url, port, ...}]}`. Exit code 1
 * when any service is unhealthy.
 */
export async function runStatus(options: StatusOptions, io: Io): Promise<number> {
  const services = await locateServices(brainPaths(options.stateDir, options.brain).mesh, options.portBase);
  const rows: ServiceStatus[] = await Promise.all(
    services.map(async (service) => {
      const [ready, card] = await Promise.all([
        isReady(service.url, 2_000),
        service.card === null ? null : fetchCard(service.card),
      ]);
      return {
        name: service.name,
        healthy: ready && (service.card === null || card !== null),
        card: service.card,
        url: service.url,
        port: service.port,
        ready,
        skills: card?.skills.map((skill) => skill.id) ?? [],
      };
    }),
  );
  if (options.json) {
    io.out(JSON.stringify({ brain: options.brain, services: rows }));
  } else {
    const width = Math.max(8, ...rows.map((row) => row.name.length));
    io.out(`brain ${options.brain}`);
    for (const row of rows) {
      const state = row.healthy ? 'healthy  ' : row.ready ? 'no card  ' : 'down     ';
      const where = row.card ?? `${row.url} (no card)`;
      io.out(`  ${row.name.padEnd(width)}  ${state}  ${where}  ${row.skills.join(', ')}`);
    }
  }
  return rows.every((row) => row.healthy) ? 0 : 1;
}
