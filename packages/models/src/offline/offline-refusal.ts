import { ForgeError } from '@forge/contracts';

/**
 * The offline provider declining to judge: no real model ran, so a call that needs judgment
 * must go to a person. The gateway turns it into A2A `input-required` with `inputRequired` as
 * the reason. Code UNAVAILABLE, not retryable (another offline attempt decides nothing).
 */
export class OfflineRefusal extends ForgeError {
  /** Why a person is needed, in words fit for the task's status message. */
  readonly inputRequired: string;

  constructor(inputRequired: string) {
    super('UNAVAILABLE', `offline provider cannot judge: ${inputRequired}`, {
      retryable: false,
      details: { inputRequired },
    });
    this.name = 'OfflineRefusal';
    this.inputRequired = inputRequired;
  }
}

export function isOfflineRefusal(error: unknown): error is OfflineRefusal {
  return error instanceof OfflineRefusal;
}
