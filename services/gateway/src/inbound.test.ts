import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateSigningKeyPem,
  issueAccessToken,
  KeyRing,
  parseFederationConfig,
  RateLimiter,
  sha256Hex,
} from '@forge/federation';
import { createLogger } from '@forge/telemetry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PartnerAuthenticator } from './partner-auth.js';
import type { PartnerSpend } from './partner-spend.js';
import { createPublicApp } from './public-app.js';
import { PublicCard } from './public-card.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const TASK = {
  id: '00000000-0000-4000-8000-000000000000',
  status: { state: 'TASK_STATE_COMPLETED' },
  artifacts: [{ artifactId: 'result', parts: [{ data: { decision: 'allow' } }] }],
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** A raw HTTP call: the path goes out exactly as written (fetch would resolve `%2e%2e` first). */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('the inbound gateway forwards only A2A v1.0 operations, each authorised', () => {
  let dir: string;
  let stub: Server;
  let gateway: Server;
  let gatewayUrl: string;
  let token: string;
  let streamFrames = '';
  const seen: Seen[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-inbound-'));
    stub = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if ((req.url ?? '').includes('message:stream')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' }).end(streamFrames);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ task: TASK }));
      });
    });
    const stubUrl = await listen(stub);
    await writeFile(join(dir, 'sign.pem'), generateSigningKeyPem());
    await writeFile(join(dir, 'a.sha256'), `${sha256Hex('secret')}\n`);
    const config = parseFederationConfig(
      JSON.stringify({
        publicUrl: 'http://gateway.test',
        organization: 'test',
        signingKeys: [join(dir, 'sign.pem')],
        shares: ['compliance.check-text'],
        partners: {
          a: {
            cardUrl: 'http://a.test/.well-known/agent-card.json',
            inbound: {
              skills: ['compliance.check-text'],
              credentials: { clientSecretHashesFile: join(dir, 'a.sha256') },
              rateLimit: { perMinute: 100_000, burst: 100_000 },
              monthlyBudgetUsd: 10,
            },
          },
        },
      }),
      join(dir, 'federation.yaml'),
    );
    const ring = new KeyRing(config.signingKeys);
    const logger = createLogger({ name: 'inbound-test', level: 'silent' });
    const agentUrls = { compliance: stubUrl };
    gateway = createServer(
      createPublicApp({
        config,
        ring,
        card: new PublicCard({ config, ring, brain: 'test', agentUrls, logger }),
        auth: new PartnerAuthenticator(config, ring),
        limiter: new RateLimiter(),
        // The budget is PartnerSpend's (tested with Postgres elsewhere); here every task is admitted.
        spend: { admit: async () => {} } as unknown as PartnerSpend,
        pool: undefined as never,
        schema: 'inbound_test',
        agentUrls,
        gatewayKey: async () => 'gateway-key',
        bodyLimit: '1mb',
        logger,
        httpAgent: new Agent({ keepAlive: false }),
      }),
    );
    gatewayUrl = await listen(gateway);
    ({ accessToken: token } = await issueAccessToken(ring, {
      issuer: config.publicUrl,
      audience: config.publicUrl,
      subject: 'a',
      scopes: ['skill:compliance.check-text'],
      ttlSeconds: 3600,
    }));
  });

  afterAll(async () => {
    await Promise.all([gateway, stub].map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const auth = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const send = (message: Record<string, unknown>) =>
    JSON.stringify({ message: { messageId: 'm1', role: 'ROLE_USER', ...message } });

  it('refuses paths outside the v1.0 route table, without the version header too', async () => {
    const body = send({ parts: [{ text: 'hi' }], metadata: { skill: 'compliance.other' } });
    for (const [method, path, status] of [
      ['POST', '/a2a/rest/v1/message:send', 404],
      ['POST', '/a2a/rest/%2e%2e/jsonrpc', 400],
      ['POST', '/a2a/rest/%2E%2E/%2e%2e/approvals/x/approve', 400],
      ['POST', '/a2a/rest/tasks/%2e%2e%2fx:cancel', 400],
      ['GET', '/a2a/rest/tasks/..', 400],
      ['GET', '/a2a/rest/tasks/a%5c..', 400],
      ['POST', '/a2a/rest/jsonrpc', 404],
    ] as const) {
      const answer = await raw(gatewayUrl, method, path, auth(), method === 'POST' ? body : undefined);
      expect({ path, status: answer.status }).toEqual({ path, status });
    }
    expect(seen).toEqual([]);
  });

  it('forwards a v1.0 route with A2A-Version 1.0 and refuses another version', async () => {
    const ok = await raw(gatewayUrl, 'GET', `/a2a/rest/tasks/${TASK.id}`, auth());
    expect(ok.status).toBe(200);
    expect(seen.map((s) => [s.method, s.url, s.headers['a2a-version']])).toEqual([
      ['GET', `/a2a/rest/tasks/${TASK.id}`, '1.0'],
    ]);
    const old = await raw(gatewayUrl, 'GET', `/a2a/rest/tasks/${TASK.id}`, {
      ...auth(),
      'a2a-version': '0.3',
    });
    expect(old.status).toBe(400);
    expect(old.text).toContain('VERSION_NOT_SUPPORTED');
    expect(seen).toHaveLength(1);
  });

  it('takes only v1.0 JSON-RPC methods', async () => {
    for (const method of ['message/send', 'tasks/get', 'Unknown']) {
      const answer = await raw(
        gatewayUrl,
        'POST',
        '/a2a/jsonrpc',
        auth(),
        JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: { message: { parts: [] } } }),
      );
      expect(JSON.parse(answer.text).error.code).toBe(-32601);
    }
    expect(seen).toEqual([]);
  });

  it('pins the authorised skill in metadata.skill and refuses parts that name another', async () => {
    const ok = await raw(
      gatewayUrl,
      'POST',
      '/a2a/rest/message:send',
      auth(),
      send({ parts: [{ data: { skill: 'compliance.check-text', input: { text: 'hi' } } }] }),
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(seen[0]!.body).message.metadata).toEqual({ skill: 'compliance.check-text' });
    const mixed = await raw(
      gatewayUrl,
      'POST',
      '/a2a/rest/message:send',
      auth(),
      send({
        metadata: { skill: 'compliance.check-text' },
        parts: [
          { data: { skill: 'compliance.check-text', input: {} } },
          { data: { skill: 'compliance.review' } },
        ],
      }),
    );
    expect(mixed.status).toBe(400);
    expect(mixed.text).toContain('message.parts[1].data.skill');
    const rpc = await raw(
      gatewayUrl,
      'POST',
      '/a2a/jsonrpc',
      auth(),
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: {
          message: {
            messageId: 'm2',
            role: 'ROLE_USER',
            parts: [{ data: { skill: 'compliance.check-text', input: {} } }],
          },
        },
      }),
    );
    expect(rpc.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[1]!.body).params.message.metadata.skill).toBe('compliance.check-text');
  });

  it('answers an unauthenticated JSON-RPC call before its body has arrived', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gatewayUrl}/a2a/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '1000000' },
      });
      req.once('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.once('error', reject);
      req.write('{"jsonrpc":"2.0",');
    });
    expect(status).toBe(401);
  });

  it('judges a last SSE frame without its blank line like any other', async () => {
    streamFrames = `data: ${JSON.stringify({ task: TASK })}\n\ndata: ${JSON.stringify({
      artifactUpdate: { artifact: { artifactId: 'r', parts: [{ text: 'mail jane.doe@gmail.com' }] } },
    })}`;
    const answer = await raw(
      gatewayUrl,
      'POST',
      '/a2a/rest/message:stream',
      { ...auth(), accept: 'text/event-stream' },
      send({ metadata: { skill: 'compliance.check-text' }, parts: [{ text: 'hi' }] }),
    );
    expect(answer.text).toContain('TASK_STATE_COMPLETED');
    expect(answer.text).not.toContain('jane.doe@gmail.com');
    expect(answer.text).toContain('outbound policy');
  });
});
