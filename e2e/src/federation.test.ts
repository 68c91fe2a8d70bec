import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { generateSigningKeyPem, issueAccessToken, KeyRing } from '@forge/federation';
import { type OtlpReceiver, startOtlpReceiver } from '@forge/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FederationPair, rssBytes, SECRETS, startFederationPair } from './federation/federation-pair.js';
import { fetchToken, resultOf, rpc, skillMessage, stateOf, statusText, taskOf } from './federation/wire.js';
import { acquireMeshLock } from './mesh-lock.js';

const CHECK = { text: 'New rosin drops Friday. 21+ only.', channel: 'instagram' };
const OPERATOR = { authorization: `Bearer ${SECRETS.operator}` };

/** The operator of `brain` asks a partner through its own gateway's `partners.ask`. */
function askThrough(base: string, target: string, input: unknown, headers: Record<string, string> = {}) {
  return rpc(
    base,
    'SendMessage',
    { message: skillMessage('partners.ask', { target, input }) },
    { ...OPERATOR, ...headers },
  );
}

describe('federation: two brains in two companies over A2A', () => {
  let pair: FederationPair;
  let otlp: OtlpReceiver;
  let release: () => Promise<void>;
  let pool: pg.Pool;

  beforeAll(async () => {
    release = await acquireMeshLock('federation');
    otlp = await startOtlpReceiver();
    pair = await startFederationPair({ otlpEndpoint: otlp.url });
    pool = new pg.Pool({ connectionString: pair.b.brain.databaseUrl, max: 2 });
  }, 240_000);

  afterAll(async () => {
    await pool?.end();
    await pair?.close();
    await otlp?.close();
    await release?.();
  }, 60_000);

  const bToken = async () => {
    const response = await fetchToken(pair.b.gatewayUrl, 'a', SECRETS.aToB);
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('A asks B (compliance check) and B asks A (story scouting), each answered; B sees partner a as the origin', async () => {
    const fromA = taskOf(await askThrough(pair.a.partnersUrl, 'partner/b/compliance.check-text', CHECK));
    expect(stateOf(fromA), pair.logs()).toBe('TASK_STATE_COMPLETED');
    const answer = resultOf(fromA) as { partner: string; state: string; output: { decision: string } };
    expect(answer).toMatchObject({ partner: 'b', state: 'completed' });
    expect(['allow', 'needs-review', 'block']).toContain(answer.output.decision);

    const fromB = taskOf(
      await askThrough(pair.b.partnersUrl, 'partner/a/scout.recent-items', { sinceHours: 24 }),
    );
    expect(stateOf(fromB), pair.logs()).toBe('TASK_STATE_COMPLETED');
    expect(resultOf(fromB)).toMatchObject({ partner: 'a', state: 'completed', output: { items: [] } });

    const rows = await pool.query<{ origin: { kind: string; partner: string; by: string } }>(
      `SELECT origin FROM "forge_${pair.b.name}".tasks WHERE owner = 'partner:a'`,
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows[0]!.origin).toMatchObject({ kind: 'partner', partner: 'a', by: 'partner:a' });
  }, 90_000);
});
