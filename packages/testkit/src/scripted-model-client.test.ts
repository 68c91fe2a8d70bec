import { ModelCallSuccess } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { type ScriptedModelRequest, scriptedModelClient } from './scripted-model-client.js';

const request = (content: string): ScriptedModelRequest => ({
  purpose: 'classify',
  messages: [{ role: 'user', content }],
  maxTokens: 10,
});

describe('scriptedModelClient', () => {
  it('answers with the reply over a successful default, and records each request in order', async () => {
    const { models, requests } = scriptedModelClient({ output: { ok: 1 } }, { tier: 'small' });
    const first = await models.call(request('one'));
    await models.call(request('two'));
    // A reply the gateway could really send: it passes the contract as it is.
    expect(ModelCallSuccess.parse(first)).toEqual(first);
    expect(first).toMatchObject({
      ok: true,
      text: '',
      output: { ok: 1 },
      tier: 'small',
      model: 'fake:small-1',
      offline: false,
      usage: { inputTokens: 1, outputTokens: 1 },
      costMicros: 0,
      notes: [],
    });
    expect(requests.map((r) => r.messages[0]!.content)).toEqual(['one', 'two']);
  });

  it('defaults to the mid tier and lets the options and the reply name the model', async () => {
    expect((await scriptedModelClient({}).models.call(request('a'))).model).toBe('fake:mid-1');
    const judge = scriptedModelClient({ text: 'hi' }, { tier: 'frontier', model: 'fake:judge-1' });
    expect(await judge.models.call(request('a'))).toMatchObject({ tier: 'frontier', model: 'fake:judge-1' });
    const offline = scriptedModelClient({ offline: true, model: 'offline:frontier' }, { tier: 'frontier' });
    expect(await offline.models.call(request('a'))).toMatchObject({
      offline: true,
      model: 'offline:frontier',
    });
  });

  it('plays a script in order and repeats its last reply', async () => {
    const { models } = scriptedModelClient([{ text: 'first' }, { text: 'second' }]);
    const texts = [];
    for (let i = 0; i < 4; i++) texts.push((await models.call(request(String(i)))).text);
    expect(texts).toEqual(['first', 'second', 'second', 'second']);
  });

  it('refuses an empty script', () => {
    expect(() => scriptedModelClient([])).toThrow('at least one reply');
  });
});
