import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { generateSigningKeyPem, sha256Hex } from '@forge/federation';
import { ApiKeysFile, hashApiKey } from '@forge/service-runtime';
import type { BrainPaths } from './paths.js';

/** The principal of the gateway's key at its own brain's agents; it may act for `partner:` principals. */
export const GATEWAY_PRINCIPAL = 'gateway';

/** Where one brain's federation files live, and the folder the local brains exchange secrets in. */
export interface FederationFiles {
  /** `<state>/<brain>/federation`: the signing keys (`sign.pem`, `sign-next.pem` during a rotation). */
  readonly dir: string;
  /** The gateway's key at its own agents. */
  readonly gatewayKey: string;
  /** `<state>/federation-exchange`: `<x>-at-<y>.secret` (what x presents at y) and its `.sha256`. */
  readonly exchange: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes `text` to `path` unless it exists (never overwrites a key or a secret), mode 0600. */
async function writeOnce(path: string, text: () => string): Promise<void> {
  if (await exists(path)) return;
  await writeFile(path, text(), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/**
 * What `forge up --brains` makes once and keeps for the brains it runs on one machine: each
 * brain's ES256 signing key and its gateway key (listed in the brain's api-keys.json as
 * `gateway`, allowed to act for `partner:` principals), and for every ordered pair of the local
 * brains a client secret and its SHA-256 in the exchange folder. Two companies exchange such
 * secrets out of band; on one machine the folder stands in for that.
 */
export async function ensureFederationFiles(
  stateDir: string,
  paths: BrainPaths,
  brain: string,
  brains: readonly string[],
): Promise<FederationFiles> {
  const dir = join(paths.dir, 'federation');
  const exchange = join(stateDir, 'federation-exchange');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(exchange, { recursive: true, mode: 0o700 });
  await writeOnce(join(dir, 'sign.pem'), generateSigningKeyPem);
  const gatewayKey = join(dir, 'gateway.key');
  await writeOnce(gatewayKey, () => `fg_${randomBytes(32).toString('base64url')}\n`);
  await chmod(gatewayKey, 0o600);
  for (const other of brains) {
    if (other === brain) continue;
    for (const [from, to] of [
      [brain, other],
      [other, brain],
    ] as const) {
      const secret = join(exchange, `${from}-at-${to}.secret`);
      await writeOnce(secret, () => `fs_${randomBytes(32).toString('base64url')}\n`);
      const value = (await readFile(secret, 'utf8')).trim();
      await writeFile(join(exchange, `${from}-at-${to}.sha256`), `${sha256Hex(value)}\n`, { mode: 0o600 });
    }
  }
  await listGatewayKey(paths, (await readFile(gatewayKey, 'utf8')).trim());
  return { dir, gatewayKey, exchange };
}

/** Lists the gateway's key in the brain's api-keys.json (kept with the others, replaced if it changed). */
async function listGatewayKey(paths: BrainPaths, key: string): Promise<void> {
  const text = await readFile(paths.apiKeys, 'utf8').catch(() => null);
  let file: ApiKeysFile = { v: 1, keys: [] };
  if (text !== null) {
    try {
      file = parseOrThrow(ApiKeysFile, JSON.parse(text), paths.apiKeys);
    } catch (error) {
      throw new ForgeError('BAD_CONFIG', `${paths.apiKeys}: ${(error as Error).message}`);
    }
  }
  const sha256 = hashApiKey(key);
  const current = file.keys.find((k) => k.principal === GATEWAY_PRINCIPAL);
  if (current?.sha256 === sha256 && current.actsFor?.includes('partner:')) return;
  const next: ApiKeysFile = {
    v: 1,
    keys: [
      ...file.keys.filter((k) => k.principal !== GATEWAY_PRINCIPAL),
      { principal: GATEWAY_PRINCIPAL, sha256, createdAt: new Date().toISOString(), actsFor: ['partner:'] },
    ],
  };
  const tmp = `${paths.apiKeys}.${process.pid}.gw.tmp`;
  await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, paths.apiKeys);
}
