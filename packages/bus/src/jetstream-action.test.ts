import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type DeliveryPolicy, jetstreamAction } from './jetstream-action.js';

const policy = (deliveryCount: number): DeliveryPolicy => ({
  deliveryCount,
  maxDeliver: 3,
  backoffMs: [100, 500, 2000],
});

describe('backoffDelay', () => {
  it('picks the delay by delivery count and repeats the last one', () => {
    expect([1, 2, 3, 4, 9].map((n) => backoffDelay(n, [100, 500, 2000]))).toEqual([
      100, 500, 2000, 2000, 2000,
    ]);
  });

  it('is zero without delays and never reads before the first entry', () => {
    expect(backoffDelay(3, [])).toBe(0);
    expect(backoffDelay(0, [100, 500])).toBe(100);
  });
});

describe('jetstreamAction', () => {
  it('acks a resolved handler', () => {
    expect(jetstreamAction({ kind: 'resolved' }, policy(1))).toEqual({ kind: 'ack' });
  });

  it('naks a retryable failure with the backoff of its delivery count', () => {
    const error = new ForgeError('UNAVAILABLE', 'provider down');
    expect(jetstreamAction({ kind: 'failed', error }, policy(1))).toEqual({ kind: 'nak', delayMs: 100 });
    expect(jetstreamAction({ kind: 'failed', error }, policy(2))).toEqual({ kind: 'nak', delayMs: 500 });
  });

  it('dead-letters a retryable failure on delivery maxDeliver, saying how many deliveries it had', () => {
    const action = jetstreamAction(
      { kind: 'failed', error: new ForgeError('PROVIDER_ERROR', 'still failing') },
      policy(3),
    );
    expect(action).toEqual({
      kind: 'dead-letter',
      code: 'PROVIDER_ERROR',
      reason: 'gave up after 3 deliveries: PROVIDER_ERROR: still failing',
    });
  });

  it('dead-letters a non-retryable ForgeError at once, with its code', () => {
    const error = new ForgeError('FORBIDDEN', 'partner may not use this skill');
    expect(jetstreamAction({ kind: 'failed', error }, policy(1))).toEqual({
      kind: 'dead-letter',
      code: 'FORBIDDEN',
      reason: 'FORBIDDEN: partner may not use this skill',
    });
  });

  it('honours a thrower that marks a normally retryable code as final', () => {
    const error = new ForgeError('UNAVAILABLE', 'gone for good', { retryable: false });
    expect(jetstreamAction({ kind: 'failed', error }, policy(1)).kind).toBe('dead-letter');
  });

  it('treats errors that are not ForgeErrors as retryable with code INTERNAL', () => {
    const error = new TypeError('socket hang up');
    expect(jetstreamAction({ kind: 'failed', error }, policy(2))).toEqual({ kind: 'nak', delayMs: 500 });
    expect(jetstreamAction({ kind: 'failed', error }, policy(3))).toMatchObject({
      kind: 'dead-letter',
      code: 'INTERNAL',
    });
  });

  it('dead-letters an invalid payload at once with BAD_INPUT and the reason', () => {
    expect(jetstreamAction({ kind: 'invalid', reason: 'origin.kind: Invalid option' }, policy(1))).toEqual({
      kind: 'dead-letter',
      code: 'BAD_INPUT',
      reason: 'origin.kind: Invalid option',
    });
  });

  it('naks an interrupted handler with no delay', () => {
    expect(jetstreamAction({ kind: 'interrupted' }, policy(2))).toEqual({ kind: 'nak', delayMs: 0 });
  });

  it('dead-letters a message that arrives past maxDeliver without an outcome', () => {
    const action = jetstreamAction({ kind: 'over-delivered' }, policy(4));
    expect(action).toMatchObject({ kind: 'dead-letter', code: 'INTERNAL' });
    expect(action.kind === 'dead-letter' && action.reason).toContain('delivered 4 times (maxDeliver 3)');
  });
});
