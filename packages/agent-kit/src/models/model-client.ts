import type { ModelCallRequest, ModelCallSuccess } from '@forge/contracts';
import type { z } from 'zod';

/**
 * What a skill asks of a model. The kit fills in the task, the attempt, the call number and the
 * skill, so a skill cannot misattribute a call (and a ledger row) to another task.
 */
export type ModelCallInput = Omit<
  z.input<typeof ModelCallRequest>,
  'v' | 'taskId' | 'attempt' | 'callId' | 'skill'
>;

/** How a caller waits for one model call. */
export interface ModelCallOptions {
  signal?: AbortSignal;
  /**
   * Told, in words, when the call waits in a vendor batch (a deferrable skill) and when that
   * changes; the kit's skill context shows it as the task's `working` status line.
   */
  onWaiting?: (message: string) => void;
}

/**
 * The only way a skill reaches a model. One instance is bound to one attempt of one task; each
 * `call` gets the next `callId` (0, 1, 2, ...) of that attempt, so a redelivered task numbers its
 * calls afresh under a new attempt and the ledger keeps both.
 *
 * Resolves with the model's answer; rejects with a `ForgeError` (code and `retryable` as the
 * gateway reported them), or with the kit's input-required signal when the gateway says a person
 * must decide (the task then ends `input-required` with that reason). A call of a skill config
 * marks deferrable may wait in a vendor batch (minutes to hours, at half price) before it
 * resolves; `onWaiting` hears about it.
 */
export interface ModelClient {
  call(request: ModelCallInput, opts?: ModelCallOptions): Promise<ModelCallSuccess>;
}

/** The task attempt a model client is bound to. */
export interface ModelCallScope {
  readonly taskId: string;
  readonly attempt: number;
  /** `<agent>.<skill>` */
  readonly skill: string;
}

/** Makes the model client for one attempt of one task. */
export type ModelClientFactory = (scope: ModelCallScope) => ModelClient;
