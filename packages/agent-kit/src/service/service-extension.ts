import type { Bus } from '@forge/bus';
import type { Logger } from '@forge/telemetry';
import type { Router } from 'express';
import type pg from 'pg';

/** What an agent service shares with its extension once its connections are up. */
export interface ExtensionContext {
  readonly brain: string;
  /** The brain's Postgres schema, migrated. */
  readonly schema: string;
  /** The service's own pool and bus: an extension opens no connections of its own. */
  readonly pool: pg.Pool;
  readonly bus: Bus;
  readonly logger: Logger;
  /** Where new tasks go: `router` → `task.route`, `direct` → `task.run.<agent>`. */
  readonly dispatch: 'direct' | 'router';
}

/** HTTP routes served under `path`, behind the service's API keys; see `principalOf`. */
export interface ExtensionRoutes {
  /** e.g. `/approvals`; must not be `/a2a`, `/livez`, `/readyz` or `/.well-known`. */
  readonly path: string;
  readonly router: Router;
}

/**
 * What a service adds to the kit beside its skills: components that run with it (an event
 * consumer, a notifier) and HTTP routes. `start` runs after the worker is set up and before the
 * service reports ready; `stop` runs after consuming has stopped and before NATS drains and the
 * pool closes, so in-flight skill handlers may still use what the extension holds.
 */
export interface ServiceExtension {
  readonly routes?: readonly ExtensionRoutes[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** Builds the extension once the service's pool and bus exist (during `start`). */
export type ServiceExtensionFactory = (ctx: ExtensionContext) => ServiceExtension | Promise<ServiceExtension>;
