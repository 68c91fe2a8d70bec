import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, testRoutingConfig } from '../../test/harness.js';
import { RoutingConfigSource } from '../routing/routing-config-source.js';

describe('the provider pool closes its adapters’ connections', () => {
  let fake: FakeLlm;
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    dir = await mkdtemp(join(tmpdir(), 'forge-pool-close-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the router stops: a call through a closed adapter fails and reaches no vendor', async () => {
    const path = join(dir, 'routing.json');
    await writeFile(path, JSON.stringify(await testRoutingConfig()));
    const source = await RoutingConfigSource.load(
      path,
      { secretsEnv: { ANTHROPIC_API_KEY: 'sk-ant-test' }, baseUrls: { anthropic: fake.anthropicBaseUrl } },
      quietLogger(),
    );
    const { provider, vendorModel } = source.current.providers.resolve({
      model: 'anthropic:claude-haiku-5.5',
      provider: 'anthropic',
      shadowOf: null,
    });
    const request = {
      model: vendorModel,
      system: 'You score headlines.',
      messages: [{ role: 'user' as const, content: 'METRC adds new tracking rules' }],
      maxTokens: 50,
    };
    fake.script({ text: 'ok' });
    expect((await provider.complete(request)).text).toBe('ok');
    await source.close();
    await expect(provider.complete(request)).rejects.toThrow();
    expect(fake.requests).toHaveLength(1);
  });
});
