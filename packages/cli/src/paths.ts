import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: this file sits in `packages/cli/src` (tests) or `packages/cli/dist`
 * (the compiled CLI), three levels below it either way.
 */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Where a service's compiled code and working directory live. */
export function serviceDir(name: string, root = repoRoot()): string {
  return join(root, 'services', name);
}

/** The default state folder, `<repo root>/.forge` (git-ignored). */
export function defaultStateDir(root = repoRoot()): string {
  return join(root, '.forge');
}

/** The routing config `forge up` gives the router unless told otherwise: `<repo>/config/forge.yaml`. */
/** Where `forge up --brains` finds each brain's `federation.yaml`: the repository's config/brains. */
export function defaultBrainsDir(root = repoRoot()): string {
  return join(root, 'config', 'brains');
}

export function defaultRoutingConfigPath(root = repoRoot()): string {
  return join(root, 'config', 'forge.yaml');
}

/** The files `forge up` keeps for one brain under `<state>/<brain>/`. */
export interface BrainPaths {
  readonly dir: string;
  /** The embedded Postgres data directory. */
  readonly pgdata: string;
  /** Hashes of the API keys the services accept. */
  readonly apiKeys: string;
  /** The local operator's API key, mode 0600. */
  readonly operatorKey: string;
  /** What a running `forge up` runs, for `status` and `send` to find it. */
  readonly mesh: string;
  /** The console's first-login password, mode 0600 (generated once by `forge up`). */
  readonly consolePassword: string;
  /** Its scrypt hash, mode 0600: what the console checks logins against. */
  readonly consolePasswordHash: string;
}

export function brainPaths(stateDir: string, brain: string): BrainPaths {
  const dir = join(stateDir, brain);
  return {
    dir,
    pgdata: join(dir, 'pgdata'),
    apiKeys: join(dir, 'api-keys.json'),
    operatorKey: join(dir, 'operator.key'),
    mesh: join(dir, 'mesh.json'),
    consolePassword: join(dir, 'console-password'),
    consolePasswordHash: join(dir, 'console-password.hash'),
  };
}

/** Where a nats-server started by `forge up` keeps its JetStream data and log. */
export function natsDir(stateDir: string): string {
  return join(stateDir, 'nats');
}
