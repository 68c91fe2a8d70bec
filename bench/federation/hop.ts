import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  generateSigningKeyPem,
  issueAccessToken,
  KeyRing,
  parseFederationConfig,
  RateLimiter,
  sha256Hex,
} from '@forge/federation';
import { createPublicApp, PartnerAuthenticator, type PartnerSpend, PublicCard } from '@forge/service-gateway';
import { createLogger } from '@forge/telemetry';

/** p50/p99 of one path's latencies and the process CPU per call (µs). */
export interface HopPath {
  p50: number;
  p99: number;
  cpuUsPerCall: number;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The gateway's own cost, in this process: its public app (token check from cache, skill grant,
 * rate, the outbound policy over the answer, the proxy) in front of a stand-in agent that answers a
 * fixed task at once, against calling that stand-in directly; alternating, `count` calls each. No NATS,
 * Postgres or other processes: what is left is the hop itself (and this process's telemetry, if
 * it started any).
 */
export async function measureHop(count: number): Promise<{ direct: HopPath; viaGateway: HopPath }> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-hop-'));
  const answer = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    result: {
      id: '00000000-0000-4000-8000-000000000000',
      status: { state: 'TASK_STATE_COMPLETED' },
      artifacts: [{ artifactId: 'result', parts: [{ data: { decision: 'allow', violations: [] } }] }],
    },
  });
  const standIn = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  const servers: Server[] = [standIn];
  try {
    await writeFile(join(dir, 'sign.pem'), generateSigningKeyPem());
    await writeFile(join(dir, 'a.sha256'), `${sha256Hex('secret')}\n`);
    const standInUrl = await listen(standIn);
    const config = parseFederationConfig(
      JSON.stringify({
        publicUrl: 'http://gateway.bench',
        organization: 'bench',
        signingKeys: [join(dir, 'sign.pem')],
        shares: ['compliance.check-text'],
        partners: {
          a: {
            cardUrl: 'http://a.bench/.well-known/agent-card.json',
            inbound: {
              skills: ['compliance.check-text'],
              credentials: { clientSecretHashesFile: join(dir, 'a.sha256') },
              rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
              monthlyBudgetUsd: 10,
            },
          },
        },
      }),
      join(dir, 'federation.yaml'),
    );
    const ring = new KeyRing(config.signingKeys);
    const logger = createLogger({ name: 'bench-hop', level: 'silent' });
    const agentUrls = { compliance: standInUrl };
    const gateway = createServer(
      createPublicApp({
        config,
        ring,
        card: new PublicCard({ config, ring, brain: 'bench', agentUrls, logger }),
        auth: new PartnerAuthenticator(config, ring),
        limiter: new RateLimiter(),
        spend: { admit: async () => {} } as unknown as PartnerSpend,
        pool: undefined as never,
        schema: 'bench',
        agentUrls,
        gatewayKey: async () => 'bench-key',
        bodyLimit: '1mb',
        logger,
        httpAgent: new Agent({ keepAlive: true, timeout: 4_000 }),
      }),
    );
    servers.push(gateway);
    const gatewayUrl = await listen(gateway);
    const { accessToken } = await issueAccessToken(ring, {
      issuer: config.publicUrl,
      audience: config.publicUrl,
      subject: 'a',
      scopes: ['skill:compliance.check-text'],
      ttlSeconds: 3600,
    });
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'GetTask',
      params: { id: '00000000-0000-4000-8000-000000000000' },
    });
    const call = async (url: string, token?: string) => {
      const response = await fetch(`${url}/a2a/jsonrpc`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
      const text = await response.text();
      if (response.status !== 200 || !text.includes('TASK_STATE_COMPLETED')) {
        throw new Error(`hop: ${response.status} ${text.slice(0, 200)}`);
      }
    };
    const paths = { direct: () => call(standInUrl), viaGateway: () => call(gatewayUrl, accessToken) };
    const samples = { direct: [] as number[], viaGateway: [] as number[] };
    const cpu = { direct: 0, viaGateway: 0 };
    const warmup = Math.min(500, count);
    for (let i = 0; i < warmup + count; i++) {
      for (const name of (i % 2 === 0
        ? ['direct', 'viaGateway']
        : ['viaGateway', 'direct']) as (keyof typeof paths)[]) {
        const usage = process.cpuUsage();
        const started = performance.now();
        await paths[name]();
        if (i >= warmup) {
          samples[name].push(performance.now() - started);
          const used = process.cpuUsage(usage);
          cpu[name] += used.user + used.system;
        }
      }
    }
    const stats = (name: keyof typeof paths): HopPath => {
      const sorted = [...samples[name]].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      return { p50: round(at(0.5)), p99: round(at(0.99)), cpuUsPerCall: Math.round(cpu[name] / count) };
    };
    return { direct: stats('direct'), viaGateway: stats('viaGateway') };
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  }
}
