import { principalOf, type ServiceExtensionFactory } from '@forge/agent-kit';
import {
  ApprovalQueue,
  ApprovalWatcher,
  approvalsRouter,
  createTaskSubmitter,
  type LoadedDayConfig,
  webhookSender,
} from '@forge/day';
import { PgApprovalRepository, PgTaskRepository } from '@forge/store';
import type { ComplianceRuntime } from './compliance-deps.js';

/**
 * Compliance's part of the service beside its skills: the approval queue (its repository, the
 * hand-off to the publisher, the notifier loop) and its HTTP routes under `/approvals`.
 */
export function complianceExtension(
  runtime: ComplianceRuntime,
  loaded: LoadedDayConfig,
): ServiceExtensionFactory {
  return ({ pool, schema, bus, logger, brain, dispatch }) => {
    const repo = new PgApprovalRepository(pool, schema);
    const tasks = new PgTaskRepository(pool, schema);
    const submitter = createTaskSubmitter({ tasks, bus, dispatch });
    const queue = new ApprovalQueue({ repo, submitter, tasks, bus, brain, logger });
    runtime.bind({ queue, submitter, day: loaded.day, brain });
    const notify = loaded.day.approvals.notify;
    const watcher = new ApprovalWatcher({
      repo,
      queue,
      send: webhookSender(notify, notify.tokenEnv ? loaded.secrets[notify.tokenEnv] : undefined),
      pollMs: loaded.day.approvals.pollMs,
      logger,
    });
    return {
      routes: [{ path: '/approvals', router: approvalsRouter(queue, principalOf) }],
      start: () => watcher.start(),
      stop: () => watcher.stop(),
    };
  };
}
