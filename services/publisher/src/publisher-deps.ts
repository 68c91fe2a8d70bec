import type { DayConfig, Late } from '@forge/day';
import type { ApprovalRepository, PgPublicationRepository } from '@forge/store';
import type { PublishChannel } from './channels/publish-channel.js';

/** What the publisher's skills need beyond their input, bound once the service is connected. */
export interface PublisherDeps {
  readonly approvals: ApprovalRepository;
  readonly publications: PgPublicationRepository;
  readonly channel: PublishChannel;
  readonly day: DayConfig;
}

export type PublisherRuntime = Late<PublisherDeps>;
