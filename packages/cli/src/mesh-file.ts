import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { z } from 'zod';
import { type PlacedService, placeServices } from './service-table.js';

const MeshService = z.object({
  name: z.string(),
  port: z.number().int(),
  url: z.string(),
  card: z.string().nullable(),
  pid: z.number().int().nullable(),
});

/**
 * `mesh.json`: what a running `forge up` runs, so `status` and `send` find it. URLs of NATS
 * and Postgres are stored redacted (no credentials ever reach this file).
 */
export const MeshFile = z.object({
  v: z.literal(1),
  brain: z.string(),
  /** The `forge up` process; the file is stale when it is gone. */
  pid: z.number().int(),
  startedAt: z.string(),
  /** `pid`: a nats-server forge up started (absent in files of older versions). */
  nats: z.object({
    url: z.string(),
    startedByForge: z.boolean(),
    pid: z.number().int().nullable().optional(),
  }),
  /** `pid`: the embedded server's postmaster; `dataDir`: its data folder (null for DATABASE_URL). */
  postgres: z.object({
    url: z.string(),
    embedded: z.boolean(),
    pid: z.number().int().nullable(),
    dataDir: z.string().nullable().optional(),
  }),
  operatorKeyFile: z.string(),
  /** The routing config the router runs with, so `route explain` and `costs` read the same one. */
  routingConfig: z.string().optional(),
  /** The model providers the router reaches with it (names only), so `route explain` matches it. */
  providers: z.array(z.string()).optional(),
  services: z.array(MeshService),
});
export type MeshFile = z.infer<typeof MeshFile>;

export async function writeMeshFile(path: string, mesh: MeshFile): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(mesh, null, 2)}\n`);
  await rename(tmp, path);
}

export async function removeMeshFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The mesh file of a `forge up` that is still running, or null (missing or stale). */
export async function readLiveMeshFile(path: string): Promise<MeshFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ForgeError('BAD_CONFIG', `${path} is not valid JSON; delete it (forge up writes it again)`);
  }
  const mesh = parseOrThrow(MeshFile, json, path);
  return isAlive(mesh.pid) ? mesh : null;
}

/**
 * Where the services of a brain are: from its live mesh file when `forge up` runs, else from
 * the port table, so `status` still answers for a mesh started some other way.
 */
export async function locateServices(meshPath: string, portBase: number): Promise<PlacedService[]> {
  const mesh = await readLiveMeshFile(meshPath);
  if (mesh) return mesh.services.map(({ name, port, url, card }) => ({ name, port, url, card }));
  return placeServices(portBase);
}
