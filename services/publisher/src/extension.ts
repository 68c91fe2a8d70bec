import type { ServiceExtensionFactory } from '@forge/agent-kit';
import type { LoadedDayConfig } from '@forge/day';
import { PgApprovalRepository, PgPublicationRepository } from '@forge/store';
import { MastodonChannel } from './channels/mastodon-channel.js';
import { OutboxChannel } from './channels/outbox-channel.js';
import type { PublishChannel } from './channels/publish-channel.js';
import { WebhookChannel } from './channels/webhook-channel.js';
import type { PublisherRuntime } from './publisher-deps.js';

/** The channel the day config names (secrets from the environment, resolved by `loadDayConfig`). */
export function channelFor(loaded: LoadedDayConfig, publications: PgPublicationRepository): PublishChannel {
  const p = loaded.day.publisher;
  switch (p.target) {
    case 'outbox':
      return new OutboxChannel(publications);
    case 'webhook':
      return new WebhookChannel({
        url: p.webhook!.url,
        token: p.webhook!.tokenEnv ? loaded.secrets[p.webhook!.tokenEnv] : undefined,
      });
    case 'mastodon':
      return new MastodonChannel({
        url: p.mastodon!.url,
        accessToken: loaded.secrets[p.mastodon!.tokenEnv]!,
      });
  }
}

/** The publisher beside its skills: repositories and the channel, bound for the skills. */
export function publisherExtension(
  runtime: PublisherRuntime,
  loaded: LoadedDayConfig,
): ServiceExtensionFactory {
  return ({ pool, schema }) => {
    const publications = new PgPublicationRepository(pool, schema);
    runtime.bind({
      approvals: new PgApprovalRepository(pool, schema),
      publications,
      channel: channelFor(loaded, publications),
      day: loaded.day,
    });
    return {};
  };
}
