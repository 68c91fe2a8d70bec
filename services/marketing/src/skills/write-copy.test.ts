import { channelLength } from '@forge/channel-text';
import { scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { COPY_LIMITS, WriteCopyInput, writeCopy, writeCopySkill } from './write-copy.js';

const signal = new AbortController().signal;

describe('marketing.write-copy', () => {
  it('asks for copy within the limit, with key points, call to action and a schema carrying maxLength', async () => {
    const input = WriteCopyInput.parse({
      brief: 'Tuesday: take on x about the routing layer',
      channel: 'x',
      keyPoints: ['16 scheduled tasks', 'under $500 a month'],
      callToAction: 'Read the post',
      hashtags: 3,
    });
    const { models, requests } = scriptedModelClient({
      output: {
        copy: 'Routing is the system.',
        hashtags: ['AI', '#ai', '#ops'],
        altText: null,
        confidence: 0.8,
      },
    });
    const out = await writeCopy(input, { models, signal });
    const request = requests[0]!;
    expect(request).toMatchObject({ purpose: 'draft', output: { name: 'post_copy' } });
    expect(request.stable?.[0]?.text).toContain('at most 280 characters (a link counts as 23)');
    expect(request.stable?.[0]?.text).toContain('Suggest up to 3 hashtags');
    expect(request.messages[0]!.content).toBe(
      '<brief>\nTuesday: take on x about the routing layer\n</brief>\n' +
        'Key points:\n- 16 scheduled tasks\n- under $500 a month\nCall to action: Read the post',
    );
    const schema = request.output!.jsonSchema as {
      properties: { copy: { maxLength: number }; hashtags: { maxItems: number } };
    };
    expect(schema.properties.hashtags.maxItems).toBe(3);
    expect(out).toMatchObject({
      copy: 'Routing is the system.',
      hashtags: ['#AI', '#ops'],
      length: 22,
      limit: 280,
    });
    expect(writeCopySkill.output.parse(out)).toEqual(out);
  });

  it('honours a tighter maxChars in the schema and rejects overlong copy counted the channel way', async () => {
    const input = WriteCopyInput.parse({ brief: 'Grow room Friday', channel: 'instagram', maxChars: 50 });
    const long = scriptedModelClient({
      output: { copy: 'x'.repeat(50), hashtags: [], altText: 'a grow room', confidence: 0.9 },
    });
    const ok = await writeCopy(input, { models: long.models, signal });
    expect(ok.limit).toBe(50);
    expect(
      (long.requests[0]!.output!.jsonSchema as { properties: { copy: { maxLength: number } } }).properties
        .copy.maxLength,
    ).toBe(50);
    const over = scriptedModelClient({
      output: { copy: 'x'.repeat(51), hashtags: [], altText: null, confidence: 0.9 },
    });
    await expect(writeCopy(input, { models: over.models, signal })).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
    });
  });

  it('counts links as 23 on X so a long link does not fail a short post', async () => {
    const url = `https://forge.example/${'p'.repeat(300)}`;
    expect(channelLength(`Read ${url}`, 'x')).toBe(28);
    const input = WriteCopyInput.parse({ brief: 'Link to the post', channel: 'x' });
    const { models } = scriptedModelClient({
      output: { copy: `Read ${url}`, hashtags: [], altText: null, confidence: 0.9 },
    });
    expect((await writeCopy(input, { models, signal })).length).toBe(28);
    const over = scriptedModelClient({
      output: { copy: `${'a'.repeat(260)} ${url}`, hashtags: [], altText: null, confidence: 0.9 },
    });
    await expect(writeCopy(input, { models: over.models, signal })).rejects.toThrow(
      'copy is 284 characters, limit 280',
    );
  });

  it('takes the platform limit from @forge/channel-text under the house ceilings for long-form copy', () => {
    expect(COPY_LIMITS).toEqual({
      x: 280,
      threads: 500,
      bluesky: 300,
      instagram: 2200,
      tiktok: 2200,
      linkedin: 3000,
      facebook: 5000,
      email: 10_000,
      blog: 20_000,
    });
  });

  it('counts a link as compliance does: trailing punctuation is text, not part of the link', async () => {
    const input = WriteCopyInput.parse({ brief: 'Link to the post', channel: 'x' });
    const { models } = scriptedModelClient({
      output: { copy: 'Read https://forge.example/post.', hashtags: [], altText: null, confidence: 0.9 },
    });
    expect((await writeCopy(input, { models, signal })).length).toBe(5 + 23 + 1);
  });

  it('is declared mid tier and validates input naming the field', () => {
    expect(writeCopySkill).toMatchObject({ id: 'write-copy', tier: 'mid' });
    expect(() => WriteCopyInput.parse({ brief: 'hello there', channel: 'myspace' })).toThrow(/channel/);
  });
});
