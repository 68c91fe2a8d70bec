/**
 * The router child of `bench mesh`: `createRouterService` from its environment, as
 * `services/router` runs it (telemetry from `--import ../router-overhead/router-instrumentation.ts`).
 * Announces its URL and pid; `stop` ends it (a `--cpu-prof` is written then).
 */
import { createRouterService, loadRouterConfig, type RouterService } from '@forge/service-router';
import { serveParent } from '../lib/child.js';

let service: RouterService | undefined;

const parent = serveParent(
  async (command) => {
    throw new Error(`unknown command ${command}`);
  },
  async () => {
    await service?.stop();
  },
);

try {
  service = createRouterService(loadRouterConfig(process.env));
  await service.start();
  parent.ready({ url: service.url, pid: String(process.pid) });
} catch (error) {
  await service?.stop().catch(() => undefined);
  parent.failed(error);
}
