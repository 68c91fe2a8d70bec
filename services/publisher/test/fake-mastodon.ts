import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A status as the fake server stored it. */
export interface FakeStatus {
  id: string;
  status: string;
  visibility: string;
  mediaIds: string[];
  idempotencyKey: string | null;
}

export interface FakeMastodon {
  readonly url: string;
  readonly statuses: FakeStatus[];
  readonly media: { id: string; description: string | null; bytes: number; type: string }[];
  /** Every request's method, path and status, in order. */
  readonly log: { method: string; path: string; status: number }[];
  /** The next status creates answer this HTTP status instead (e.g. 503, 422). */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A server that speaks the part of Mastodon's REST API the publisher uses, as Mastodon does:
 * `POST /api/v2/media` (multipart, 200 with the attachment), `GET /api/v1/media/:id` (the client polls it), `POST /api/v1/statuses` (JSON or
 * form, Bearer token, `Idempotency-Key` honoured: the same key returns the first status),
 * `GET /api/v1/instance`. Unknown tokens get 401 `{"error":"The access token is invalid"}`.
 */
export async function startFakeMastodon(opts: { token: string }): Promise<FakeMastodon> {
  const statuses: FakeStatus[] = [];
  const media: FakeMastodon['media'] = [];
  const log: FakeMastodon['log'] = [];
  const byKey = new Map<string, FakeStatus>();
  let failures: { status: number; times: number } | null = null;
  let base = '';

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    log.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const statusEntity = (s: FakeStatus) => ({
    id: s.id,
    uri: `${base}/users/forge/statuses/${s.id}`,
    url: `${base}/@forge/${s.id}`,
    created_at: new Date().toISOString(),
    content: `<p>${s.status}</p>`,
    visibility: s.visibility,
    sensitive: false,
    spoiler_text: '',
    media_attachments: s.mediaIds.map((id) => ({ id, type: 'image', url: `${base}/media/${id}.png` })),
    account: { id: '1', username: 'forge', acct: 'forge' },
    mentions: [],
    tags: [],
    emojis: [],
    reblogs_count: 0,
    favourites_count: 0,
    replies_count: 0,
  });

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const body = await read(req);
    if (req.method === 'GET' && path === '/api/v1/instance') {
      return send(req, res, 200, { uri: 'fake.example', title: 'fake', version: '4.3.0' });
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      return send(req, res, 401, { error: 'The access token is invalid' });
    }
    if (req.method === 'POST' && path === '/api/v2/media') {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data')) return send(req, res, 422, { error: 'file is missing' });
      const text = body.toString('latin1');
      const description = /name="description"\r\n\r\n([^\r]*)/.exec(text)?.[1] ?? null;
      const entry = { id: String(100_000 + media.length), description, bytes: body.length, type: 'image' };
      media.push(entry);
      return send(req, res, 200, {
        id: entry.id,
        type: 'image',
        url: `${base}/media/${entry.id}.png`,
        description,
      });
    }
    const mediaMatch = /^\/api\/v1\/media\/(\d+)$/.exec(path ?? '');
    if (req.method === 'GET' && mediaMatch) {
      const entry = media.find((m) => m.id === mediaMatch[1]);
      if (!entry) return send(req, res, 404, { error: 'Record not found' });
      return send(req, res, 200, {
        id: entry.id,
        type: 'image',
        url: `${base}/media/${entry.id}.png`,
        description: entry.description,
      });
    }
    if (req.method === 'POST' && path === '/api/v1/statuses') {
      if (failures && failures.times > 0) {
        failures.times -= 1;
        return send(req, res, failures.status, { error: `fake failure ${failures.status}` });
      }
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      if (key && byKey.has(key)) return send(req, res, 200, statusEntity(byKey.get(key)!));
      const contentType = req.headers['content-type'] ?? '';
      const params = contentType.includes('json')
        ? (JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const text = typeof params.status === 'string' ? params.status : '';
      const mediaIds = Array.isArray(params.media_ids) ? (params.media_ids as string[]) : [];
      if (!text && mediaIds.length === 0)
        return send(req, res, 422, { error: "Validation failed: Text can't be blank" });
      if ([...text].length > 500)
        return send(req, res, 422, { error: 'Validation failed: Text character limit of 500 exceeded' });
      const status: FakeStatus = {
        id: String(110_000_000 + statuses.length),
        status: text,
        visibility: typeof params.visibility === 'string' ? params.visibility : 'public',
        mediaIds,
        idempotencyKey: key,
      };
      statuses.push(status);
      if (key) byKey.set(key, status);
      return send(req, res, 200, statusEntity(status));
    }
    return send(req, res, 404, { error: 'Record not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    statuses,
    media,
    log,
    failNext(status, times = 1) {
      failures = { status, times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A Mastodon-looking id for tests that need one. */
export const someId = (): string => randomUUID();
