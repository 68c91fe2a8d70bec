import { routingConfigFromObject } from '@forge/policy';
import { describe, expect, it } from 'vitest';
import { testRoutingConfig } from '../../test/harness.js';
import { ProviderPool } from './provider-pool.js';

const ANTHROPIC_KEY = 'sk-ant-api03-REDACTCAUSE-1a2b3c4d5e6f';
const OPENAI_KEY = 'sk-proj-REDACTCAUSE-6f5e4d3c2b1a';

async function pool(): Promise<ProviderPool> {
  const config = routingConfigFromObject(await testRoutingConfig(), 'test');
  return ProviderPool.build(config, {
    secretsEnv: { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY },
    baseUrls: {},
  });
}

describe('ProviderPool.redact', () => {
  it('cuts the keys out of the whole cause chain, not only the top-level error', async () => {
    const providers = await pool();
    const proxy = new Error(`upstream said: invalid key ${OPENAI_KEY}`);
    const middle = new Error('proxy error', { cause: proxy });
    const wrapped = new AggregateError(
      [new Error(`attempt 1: bad key ${ANTHROPIC_KEY}`)],
      'all attempts failed',
      { cause: middle },
    );
    const top = new Error(`request failed (key ${ANTHROPIC_KEY})`, { cause: wrapped });
    const stringCause = new Error('with a string cause', { cause: `echoed ${OPENAI_KEY}` });
    expect(providers.redact(top)).toBe(top);
    providers.redact(stringCause);
    const chain: unknown[] = [top, wrapped, middle, proxy, wrapped.errors[0], stringCause];
    const text = chain
      .map((e) => (e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)))
      .concat(String(stringCause.cause))
      .join('\n');
    expect(text).not.toContain(ANTHROPIC_KEY);
    expect(text).not.toContain(OPENAI_KEY);
    expect(proxy.message).toBe('upstream said: invalid key [redacted]');
    expect(stringCause.cause).toBe('echoed [redacted]');
  });

  it('stops on a cause chain that loops', async () => {
    const providers = await pool();
    const a = new Error(`a ${OPENAI_KEY}`);
    const b = new Error(`b ${OPENAI_KEY}`, { cause: a });
    a.cause = b;
    providers.redact(a);
    expect([a.message, b.message]).toEqual(['a [redacted]', 'b [redacted]']);
  });
});
