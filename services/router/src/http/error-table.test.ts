import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CODES, ERROR_SPECS, ForgeError } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeError, sendOpenAIError } from './openai-errors.js';

/**
 * The error table walked through the router's OpenAI-compatible answers, code by code, over real
 * HTTP: status, OpenAI `type` and `code`, `Retry-After`, and the message the table allows.
 */
describe('every error code through the OpenAI endpoint', () => {
  const DETAIL = 'anthropic 529 at api.internal:443';
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'openai-walk',
    level: 'info',
    destination: {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  const server = createServer(
    express().get('/:code', (req, res) => {
      sendOpenAIError(res, outcomeError(req.params.code, `${req.params.code}: ${DETAIL}`), logger);
    }),
  );
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([...ERROR_CODES])('%s', async (code) => {
    const spec = ERROR_SPECS[code];
    const res = await fetch(`${url}/${code}`);
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(res.status).toBe(spec.openAI.status);
    expect(body.error).toMatchObject({ type: spec.openAI.type, code: spec.openAI.code });
    expect(res.headers.get('retry-after')).toBe(
      spec.retryAfterSeconds === undefined ? null : String(spec.retryAfterSeconds),
    );
    if (spec.showsMessage) expect(body.error.message).toContain(DETAIL);
    else {
      expect(body.error.message).not.toContain(DETAIL);
      const id = /\(error id ([0-9a-f]{16})\)$/.exec(body.error.message)?.[1];
      expect(lines.some((line) => line.errorId === id && String(line.err).includes(DETAIL))).toBe(true);
    }
  });

  it('answers a code the table does not know as a provider failure', () => {
    expect(outcomeError('rate_limited_somewhere', 'x')).toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(outcomeError('UNAVAILABLE', 'x')).toBeInstanceOf(ForgeError);
  });
});
