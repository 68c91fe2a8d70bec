import { describe, expect, it } from 'vitest';
import {
  A2A_ERROR_DOMAIN,
  callerError,
  ERROR_CODES,
  ERROR_SPECS,
  errorDetail,
  ForgeError,
  jsonDepth,
  parseBoundedJson,
} from './index.js';

/** A2A v1.0 §5.4: JSON-RPC code and HTTP status of each A2A-specific error. */
const SPEC_5_4: Record<string, [number, number]> = {
  TaskNotFoundError: [-32001, 404],
  TaskNotCancelableError: [-32002, 400],
  PushNotificationNotSupportedError: [-32003, 400],
  UnsupportedOperationError: [-32004, 400],
  ContentTypeNotSupportedError: [-32005, 400],
  VersionNotSupportedError: [-32009, 400],
};

describe('the error table', () => {
  it('has one row per code, keyed by its own code', () => {
    expect(Object.keys(ERROR_SPECS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(ERROR_SPECS[code].code).toBe(code);
  });

  it('maps every A2A-defined error as A2A v1.0 §5.4 says, with its ErrorInfo reason (§11.6)', () => {
    for (const spec of Object.values(ERROR_SPECS)) {
      const error = spec.a2a.error;
      if (!error) continue;
      // A request body of another media type is HTTP's 415 (RFC 9110 §15.5.16): §5.4 speaks of
      // the media types of message parts, which get its 400.
      const httpStatus = spec.code === 'UNSUPPORTED_MEDIA_TYPE' ? 400 : spec.a2a.httpStatus;
      expect([spec.a2a.jsonRpcCode, httpStatus], spec.code).toEqual(SPEC_5_4[error]);
      expect(spec.a2a.domain).toBe(A2A_ERROR_DOMAIN);
      expect(spec.a2a.reason).toBe(
        error
          .replace(/Error$/, '')
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .toUpperCase(),
      );
    }
    expect(ERROR_SPECS.NOT_CANCELABLE.a2a.reason).toBe('TASK_NOT_CANCELABLE');
    expect(ERROR_SPECS.UNSUPPORTED_CONTENT_TYPE.a2a.reason).toBe('CONTENT_TYPE_NOT_SUPPORTED');
  });

  it('gives Forge-only codes JSON-RPC codes outside the ranges JSON-RPC 2.0 and A2A reserve', () => {
    const standard = new Set([-32700, -32600, -32601, -32602, -32603]);
    for (const spec of Object.values(ERROR_SPECS)) {
      const code = spec.a2a.jsonRpcCode;
      if (spec.a2a.error || standard.has(code)) continue;
      expect(code > -32000 || code < -32768, spec.code).toBe(true);
      expect(code, spec.code).toBe(-31000 - spec.http.status);
    }
  });

  it('tells "try later" apart from "your request is wrong"', () => {
    const tryLater = ERROR_CODES.filter((code) => ERROR_SPECS[code].retryable).sort();
    expect(tryLater).toEqual([
      'BUDGET_EXHAUSTED',
      'DEADLINE_EXCEEDED',
      'OVERLOADED',
      'PROVIDER_ERROR',
      'RATE_LIMITED',
      'UNAVAILABLE',
    ]);
    for (const code of ERROR_CODES) {
      const { http } = ERROR_SPECS[code];
      if (ERROR_SPECS[code].retryable) expect(http.status === 429 || http.status >= 500, code).toBe(true);
      else if (http.status >= 400 && http.status < 500)
        expect(ERROR_SPECS[code].showsMessage, code).toBe(true);
    }
  });

  it('makes the table the default retryable of a ForgeError', () => {
    for (const code of ERROR_CODES) {
      expect(new ForgeError(code, 'x').retryable).toBe(ERROR_SPECS[code].retryable);
    }
    expect(new ForgeError('UNAVAILABLE', 'x', { retryable: false }).retryable).toBe(false);
  });
});

describe('callerError', () => {
  it("hides a server fault's message behind the table's, with the id", () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:7750');
    const view = callerError(
      new ForgeError('UNAVAILABLE', `task repository: postgres unreachable: ${cause.message}`, { cause }),
      'abc123',
    );
    expect(view.message).toBe('the service is unavailable; try again later (error id abc123)');
    expect(view).toMatchObject({ retryable: true, retryAfterSeconds: 5, errorId: 'abc123' });
    expect(callerError(new TypeError("Cannot read properties of null (reading 'text')")).message).toMatch(
      /^internal error \(error id [0-9a-f]{16}\)$/,
    );
  });

  it("shows the caller's own mistake, with the field, and caps it", () => {
    const view = callerError(
      new ForgeError('BAD_INPUT', `message.parts: ${'x'.repeat(5000)}`, {
        details: { field: 'message.parts' },
      }),
    );
    expect(view.field).toBe('message.parts');
    expect(view.message.length).toBeLessThan(1100);
    expect(view.retryAfterSeconds).toBeUndefined();
  });

  it('tells an overloaded caller the reason class, never the counts or components behind it', () => {
    const queueFull = callerError(
      new ForgeError(
        'OVERLOADED',
        'router overloaded (admission queue full): 16 calls running and 64 waiting',
        {
          details: { reason: 'queue_full', retryAfterSeconds: 3 },
        },
      ),
      'id1',
    );
    expect(queueFull.message).toBe(
      'the router is at its concurrent-call limit; try again after the Retry-After delay (error id id1)',
    );
    expect(queueFull).toMatchObject({ retryable: true, retryAfterSeconds: 3 });
    const late = callerError(
      new ForgeError('OVERLOADED', 'it has 40 ms left and calls here take about 900 ms, behind 3 waiting', {
        details: { reason: 'deadline' },
      }),
      'id2',
    );
    expect(late.message).toMatch(/^the call's deadline would pass before a slot frees; .*\(error id id2\)$/);
    const database = callerError(
      new ForgeError('OVERLOADED', 'task repository: every database connection stayed busy', {
        details: { reason: 'database' },
      }),
    );
    expect(database.message).toMatch(/^the database is busy; try again after the Retry-After delay/);
    for (const view of [queueFull, late, database])
      expect(view.message).not.toMatch(/\d+ (calls|ms)|repository/);
    // A reason the table does not know gets the row's own message.
    expect(
      callerError(new ForgeError('OVERLOADED', '7 running', { details: { reason: 'x' } }), 'i').message,
    ).toBe('the service is overloaded; try again after the Retry-After delay (error id i)');
  });

  it('keeps the whole cause chain for the log line only', () => {
    const error = new ForgeError('UNAVAILABLE', 'task repository failed', {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:7750'),
    });
    expect(errorDetail(error)).toBe('task repository failed <- connect ECONNREFUSED 127.0.0.1:7750');
  });
});

describe('bounded JSON', () => {
  it('measures depth without recursion and ignores brackets inside strings', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(jsonDepth(deep, 64)).toBe(65);
  });

  it('refuses too deep and not-JSON with BAD_INPUT saying which', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(() => parseBoundedJson(deep)).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', details: { refusal: 'depth' } }),
    );
    expect(() => parseBoundedJson('{"a":')).toThrow(
      expect.objectContaining({ details: { refusal: 'syntax' } }),
    );
    expect(parseBoundedJson('{"a":[1,2]}')).toEqual({ a: [1, 2] });
  });
});
