import type { Logger } from '@forge/telemetry';
import type { NatsConnection, Status } from '@nats-io/transport-node';

/** Whether the connection is up, as the status events last said, and who wants to hear of reconnects. */
export interface ConnectionState {
  readonly connected: boolean;
  /** Calls `listener` after each reconnect; returns a function that removes it. */
  onReconnect(listener: () => void): () => void;
}

/**
 * Follows the connection's status events for as long as it lives: logs disconnects, reconnects
 * and server errors, keeps `connected` current, and tells reconnect listeners (pull consumers,
 * which then renew their pull requests).
 */
export function watchConnection(nc: NatsConnection, logger: Logger): ConnectionState {
  const listeners = new Set<() => void>();
  const state = {
    connected: true,
    onReconnect(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  void (async () => {
    for await (const status of nc.status()) {
      logStatus(status, state, logger);
      if (status.type === 'reconnect') for (const listener of [...listeners]) listener();
    }
  })().catch((error) => logger.error({ err: String(error) }, 'connection status watch ended'));
  return state;
}

function logStatus(status: Status, state: { connected: boolean }, logger: Logger): void {
  switch (status.type) {
    case 'disconnect':
      state.connected = false;
      logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
      return;
    case 'reconnect':
      state.connected = true;
      logger.info({ server: status.server }, 'NATS reconnected');
      return;
    case 'reconnecting':
      logger.debug('NATS reconnect attempt');
      return;
    case 'error':
      logger.error({ err: status.error.message }, 'NATS server error');
      return;
    case 'ldm':
      logger.warn({ server: status.server }, 'NATS server entering lame duck mode');
      return;
    case 'staleConnection':
      logger.warn('NATS connection went stale');
      return;
    case 'slowConsumer':
      logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'NATS slow consumer');
      return;
    case 'close':
      state.connected = false;
      logger.info('NATS connection closed');
      return;
    case 'update':
    case 'ping':
    case 'forceReconnect':
      logger.debug({ status: status.type }, 'NATS status');
      return;
    default: {
      // Compile-time exhaustiveness; a status type added by a newer client is only logged.
      const unknown: never = status;
      logger.debug({ status: unknown }, 'NATS status');
    }
  }
}
