import type { ServerCallContext, User } from '@a2a-js/sdk/server';
import { ForgeError } from '@forge/contracts';

/**
 * The SDK's `User` for a caller the auth middleware accepted. Besides the principal it carries
 * the request's lifetime: `signal` aborts when the HTTP connection closes, so a relay for a
 * client that went away stops instead of running until the task ends.
 */
export class ForgeUser implements User {
  constructor(
    readonly principal: string,
    readonly signal: AbortSignal,
  ) {}

  get isAuthenticated(): boolean {
    return true;
  }

  get userName(): string {
    return this.principal;
  }
}

/** Who is calling, and for how long they listen. */
export interface Caller {
  readonly principal: string;
  readonly signal: AbortSignal;
}

/** The caller of an A2A call; UNAUTHENTICATED when the call did not pass the auth middleware. */
export function callerOf(context: ServerCallContext): Caller {
  const user = context.user;
  if (user instanceof ForgeUser) return { principal: user.principal, signal: user.signal };
  throw new ForgeError('UNAUTHENTICATED', 'this call needs an API key', { retryable: false });
}
