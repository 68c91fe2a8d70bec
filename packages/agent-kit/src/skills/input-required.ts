/**
 * Thrown by `ctx.requireInput(reason)` (and by the model client when the gateway says a person
 * must decide). The worker catches it and ends the task in `input-required` with `reason`; it is
 * an outcome, not a failure, so it is never retried or dead-lettered.
 */
export class InputRequiredSignal extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`input required: ${reason}`);
    this.name = 'InputRequiredSignal';
    this.reason = reason;
  }
}

export function isInputRequired(error: unknown): error is InputRequiredSignal {
  return error instanceof InputRequiredSignal;
}
