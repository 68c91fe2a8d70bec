import type { ApprovalQueue, DayConfig, Late, TaskSubmitter } from '@forge/day';

/** What compliance's skills need beyond their input, bound once the service is connected. */
export interface ComplianceDeps {
  readonly queue: ApprovalQueue;
  readonly submitter: TaskSubmitter;
  readonly day: DayConfig;
  readonly brain: string;
}

export type ComplianceRuntime = Late<ComplianceDeps>;
