import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { askPartner } from './partners-agent.js';

describe('askPartner', () => {
  it('refuses a partner not in the registry with FORBIDDEN, in the words the partner views know', async () => {
    const error = await Promise.resolve()
      .then(() => askPartner(new Map(), { partner: 'ghost', skill: 'compliance.check-text', input: {} }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    // packages/store partner-views-repository REFUSED_HERE matches this start.
    expect((error as ForgeError).message).toMatch(/^no partner ghost /);
  });
});
