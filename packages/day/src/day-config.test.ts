import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultDayConfigPath, loadDayConfig, parseDayConfig } from './day-config.js';

describe('day config', () => {
  it('parses the shipped config/day.yaml', async () => {
    const { day, secrets } = await loadDayConfig({});
    expect(day.voice.bannedPhrases).toContain('game changer');
    expect(day.approvals.mode).toBe('all');
    expect(day.publisher.target).toBe('outbox');
    expect(secrets).toEqual({});
  });

  it('names every bad field, and the token variables it needs', async () => {
    const text = await readFile(defaultDayConfigPath(), 'utf8');
    expect(() => parseDayConfig(text.replace('target: outbox', 'target: mastodon'), 'day.yaml')).toThrow(
      /publisher\.mastodon: required when target is mastodon/,
    );
    expect(() => parseDayConfig(text.replace('maxRedrafts: 2', 'maxRedrafts: 9'), 'day.yaml')).toThrow(
      /voice\.maxRedrafts/,
    );
    const withToken = text.replace('tokenEnv: null\n    clickUrl', 'tokenEnv: NTFY_TOKEN\n    clickUrl');
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/forge-day-');
    await writeFile(`${dir}/day.yaml`, withToken);
    await expect(loadDayConfig({ FORGE_DAY_CONFIG: `${dir}/day.yaml` })).rejects.toThrow(/needs NTFY_TOKEN/);
    const loaded = await loadDayConfig({ FORGE_DAY_CONFIG: `${dir}/day.yaml`, NTFY_TOKEN: 's3cret' });
    expect(loaded.secrets).toEqual({ NTFY_TOKEN: 's3cret' });
  });
});
