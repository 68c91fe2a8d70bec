import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskRepository } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { buildAgentCard } from '../edge/agent-card.js';
import { createHttpApp } from '../edge/http-app.js';
import { ForgeRequestHandler } from '../edge/request-handler.js';
import type { StatusSource } from '../edge/task-feed.js';
import type { TaskDispatcher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import { testKeys } from './test-agent.js';

/** An edge served over real HTTP on in-process parts, and the log lines it wrote. */
export interface EdgeApp {
  readonly url: string;
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The agent's HTTP edge (both bindings, the card, the compat layer) on a free port, over the
 * given repository and no NATS: what the edge answers can be tested without a worker, and a
 * repository that throws shows what a caller learns of a failure. Logs at `info` are captured.
 */
export async function startEdgeApp(
  agent: AgentDefinition,
  tasks: TaskRepository,
  options: { dispatcher?: TaskDispatcher; status?: StatusSource; bodyLimit?: string } = {},
): Promise<EdgeApp> {
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'edge-app',
    level: 'info',
    destination: {
      write(chunk: string) {
        logs.push(JSON.parse(chunk) as Record<string, unknown>);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  const closing = new AbortController();
  let url = '';
  const card = () => buildAgentCard(agent, url);
  const handler = new ForgeRequestHandler({
    agent,
    brain: 'unit',
    card,
    tasks,
    status: options.status ?? { subscribe: async () => ({ unsubscribe: () => undefined }) },
    publisher: { publish: () => undefined },
    dispatcher: options.dispatcher ?? { dispatch: async () => undefined },
    canceller: { request: async () => null },
    logger,
    blockingWaitMs: 500,
    quietMs: 200,
    cancelWaitMs: 200,
    closing: closing.signal,
  });
  const keys = testKeys();
  const since = new Date();
  const app = createHttpApp({
    handler,
    card,
    cardSince: () => since,
    keys: () => keys,
    bodyLimit: options.bodyLimit ?? '64kb',
    logger,
    readiness: { accepting: () => true, natsConnected: () => true, pingPostgres: async () => undefined },
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    logs,
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
