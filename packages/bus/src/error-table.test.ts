import { ERROR_CODES, ERROR_SPECS, ForgeError } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bus } from './bus.js';

/**
 * The error table walked through NATS request/reply, code by code, over the real server: the
 * code crosses in the `Forge-Error` header, the message as is (inside the mesh), and a replier
 * that does not say `retryable` gets the code's row.
 */
describe('every error code through a NATS reply', () => {
  let brain: TestBrain;
  let server: Bus;
  let client: Bus;
  const Code = z.object({ code: z.enum(ERROR_CODES), says: z.boolean() });

  beforeAll(async () => {
    brain = await testBrain('buswalk');
    const logger = createLogger({ name: 'bus-walk', level: 'silent' });
    server = await Bus.connect({ servers: brain.natsUrl, name: 'walk-server', brain: brain.name, logger });
    client = await Bus.connect({ servers: brain.natsUrl, name: 'walk-client', brain: brain.name, logger });
    await server.serve(server.subjects.modelCall, Code, z.object({}), async ({ code, says }) => {
      throw new ForgeError(code, `${code} happened`, says ? { retryable: !ERROR_SPECS[code].retryable } : {});
    }).ready;
  });

  afterAll(async () => {
    await server?.drain();
    await client?.drain();
    await brain?.cleanup();
  });

  it.each([...ERROR_CODES])('%s', async (code) => {
    const ask = (says: boolean) =>
      client.request(client.subjects.modelCall, Code, { code, says }, z.object({})).catch((e: unknown) => e);
    expect(await ask(false)).toMatchObject({
      code,
      message: `${code} happened`,
      retryable: ERROR_SPECS[code].retryable,
    });
    expect(await ask(true)).toMatchObject({ code, retryable: !ERROR_SPECS[code].retryable });
  });
});
