import { describe, expect, it } from 'vitest';
import {
  canTransition,
  ForgeError,
  forgeSubjects,
  nextTier,
  parseOrThrow,
  TASK_STATES,
  TaskEnvelope,
  TERMINAL_STATES,
} from './index.js';

describe('task state machine', () => {
  it('never leaves a terminal state', () => {
    for (const from of TERMINAL_STATES)
      for (const to of TASK_STATES) expect(canTransition(from, to)).toBe(false);
  });
  it('never goes back to submitted', () => {
    for (const from of TASK_STATES) expect(canTransition(from, 'submitted')).toBe(false);
  });
  it('allows the ordinary path', () => {
    expect(canTransition('submitted', 'working')).toBe(true);
    expect(canTransition('working', 'completed')).toBe(true);
    expect(canTransition('input-required', 'working')).toBe(true);
  });
});

describe('subjects', () => {
  it('keeps brains apart', () => {
    const a = forgeSubjects('alpha');
    const b = forgeSubjects('beta');
    expect(a.taskRun('scout')).toBe('forge.alpha.task.run.scout');
    expect(a.streams.tasks.name).not.toBe(b.streams.tasks.name);
    expect(a.status('x')).not.toMatch(/^forge\.alpha\.task\./);
    expect(a.deadLetter('forge.alpha.task.run.scout')).toBe('forge.alpha.dlq.task.run.scout');
  });
  it('refuses a brain name that would break a subject', () => {
    expect(() => forgeSubjects('a.b')).toThrow(/brain/);
    expect(() => forgeSubjects('')).toThrow(ForgeError);
  });
});

describe('envelope', () => {
  it('names the bad field', () => {
    const bad = {
      v: 1,
      id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
      skill: 'scout.fetch-feed',
      input: {},
      origin: { kind: 'partner', brain: 'alpha', by: 'p' },
      idempotencyKey: 'k',
      contextId: 'c',
      createdAt: new Date().toISOString(),
    };
    expect(() => parseOrThrow(TaskEnvelope, bad, 'task envelope')).toThrow(/origin\.partner/);
    expect(() => parseOrThrow(TaskEnvelope, { ...bad, skill: 'nope' }, 'task envelope')).toThrow(/skill/);
  });
});

describe('tiers', () => {
  it('escalates one step and stops at the top', () => {
    expect(nextTier('small')).toBe('mid');
    expect(nextTier('frontier')).toBeNull();
  });
});
