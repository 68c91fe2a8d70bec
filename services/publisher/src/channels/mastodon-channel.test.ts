import { randomUUID } from 'node:crypto';
import type { Publication } from '@forge/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMastodon, startFakeMastodon } from '../../test/fake-mastodon.js';
import { renderCard } from '../skills/render-card.js';
import { MastodonChannel } from './mastodon-channel.js';
import { PermanentPublishError } from './publish-channel.js';

function publication(overrides: Partial<Publication> = {}): Publication {
  return {
    id: randomUUID(),
    approvalId: randomUUID(),
    channel: 'mastodon',
    target: 'mastodon',
    body: 'Routing is the system: 16 tasks, under $500 a month.',
    card: null,
    idempotencyKey: randomUUID().replace(/-/g, ''),
    dueAt: new Date().toISOString(),
    status: 'publishing',
    attempts: 1,
    externalId: null,
    url: null,
    publishedAt: null,
    lastError: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

describe('MastodonChannel through masto against a fake Mastodon server', () => {
  let server: FakeMastodon;
  beforeAll(async () => {
    server = await startFakeMastodon({ token: 'tok-123' });
  });
  afterAll(() => server.close());

  it('posts a status with the idempotency key and returns its id and URL', async () => {
    const channel = new MastodonChannel({ url: server.url, accessToken: 'tok-123' });
    const p = publication();
    const receipt = await channel.publish(p);
    expect(receipt.url).toBe(`${server.url}/@forge/${receipt.externalId}`);
    expect(server.statuses.at(-1)).toMatchObject({
      status: p.body,
      idempotencyKey: p.idempotencyKey,
      visibility: 'public',
    });
  });

  it('posts once when the same publication is published again (a retry after a crash)', async () => {
    const channel = new MastodonChannel({ url: server.url, accessToken: 'tok-123' });
    const p = publication();
    const before = server.statuses.length;
    const first = await channel.publish(p);
    const second = await channel.publish(p);
    expect(second).toEqual(first);
    expect(server.statuses.length).toBe(before + 1);
  });

  it('uploads the card as media with its alt text and attaches it', async () => {
    const channel = new MastodonChannel({ url: server.url, accessToken: 'tok-123' });
    const card = await renderCard({ body: 'tool $0.00' });
    const p = publication({
      card: {
        sha256: card.sha256,
        width: card.width,
        height: card.height,
        pngBase64: card.pngBase64,
        altText: 'A terminal',
      },
    });
    await channel.publish(p);
    const media = server.media.at(-1)!;
    expect(media.description).toBe('A terminal');
    expect(media.bytes).toBeGreaterThan(card.bytes);
    expect(server.statuses.at(-1)!.mediaIds).toEqual([media.id]);
  });

  it('fails for good on a bad token or a refused status, retryably on a 503', async () => {
    const bad = new MastodonChannel({ url: server.url, accessToken: 'wrong' });
    await expect(bad.publish(publication())).rejects.toBeInstanceOf(PermanentPublishError);
    const channel = new MastodonChannel({ url: server.url, accessToken: 'tok-123' });
    await expect(channel.publish(publication({ body: 'x'.repeat(600) }))).rejects.toBeInstanceOf(
      PermanentPublishError,
    );
    server.failNext(503);
    const error = await channel.publish(publication()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentPublishError);
  });
});
