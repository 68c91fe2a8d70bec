import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BodyLimit,
  intFromEnv,
  OptionalHttpUrl,
  optionalIntFromEnv,
  PostgresUrl,
  parseEnv,
} from './env-fields.js';

const Env = z.object({
  PORT: intFromEnv(0, 65535),
  WORKERS: intFromEnv(1, 8, 2),
  POOL: optionalIntFromEnv(1, 50),
  DATABASE_URL: PostgresUrl,
  LIMIT: BodyLimit.default('1mb'),
  PUBLIC_URL: OptionalHttpUrl,
});

describe('parseEnv and the shared variable fields', () => {
  it('applies defaults, and takes an empty variable as unset', () => {
    expect(
      parseEnv(
        Env,
        { PORT: '80', WORKERS: '', POOL: '', DATABASE_URL: 'postgres://db/x', PUBLIC_URL: '' },
        'test',
      ),
    ).toEqual({
      PORT: 80,
      WORKERS: 2,
      POOL: undefined,
      DATABASE_URL: 'postgres://db/x',
      LIMIT: '1mb',
      PUBLIC_URL: undefined,
    });
    expect(parseEnv(Env, { PORT: '0', POOL: '7', DATABASE_URL: 'postgres://db/x' }, 'test').POOL).toBe(7);
  });

  it('lists every bad variable at once, by name, never the value', () => {
    let error: unknown;
    try {
      parseEnv(
        Env,
        {
          WORKERS: '9',
          POOL: 'x',
          DATABASE_URL: 'mysql://root:hunter2@db/x',
          LIMIT: 'huge',
          PUBLIC_URL: 'ftp://x',
        },
        'invalid test configuration',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BAD_CONFIG', retryable: false });
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid test configuration: /);
    expect(message).toContain('PORT: is required');
    expect(message).toContain('WORKERS: must be an integer from 1 to 8');
    expect(message).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(message).toContain('LIMIT: must be a size such as 512kb or 1mb');
    expect(message).toContain('POOL: must be an integer from 1 to 50');
    expect(message).toContain('PUBLIC_URL:');
    expect(message).not.toContain('hunter2');
    expect((error as { details: { issues: string[] } }).details.issues).toHaveLength(6);
  });
});
