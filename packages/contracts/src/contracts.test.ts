import { describe, expect, it } from 'vitest';
import {
  AgentEvent,
  canTransition,
  ForgeError,
  forgeSubjects,
  ModelCallRequest,
  nextTier,
  parseOrThrow,
  SchedulerControlRequest,
  StorySurfacedEvent,
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
  it('names the surfaced-story event and the scheduler control inside the brain', () => {
    const a = forgeSubjects('alpha');
    expect(a.storySurfaced).toBe(a.event('scout', 'story-surfaced'));
    expect(a.storySurfaced).toBe('forge.alpha.event.scout.story-surfaced');
    expect(a.schedulerControl).toBe('forge.alpha.scheduler.control');
    // Outside the task and event streams: a request/reply subject must not be captured.
    expect(a.schedulerControl).not.toMatch(/^forge\.alpha\.(task|event|dlq)\./);
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

describe('story-surfaced event', () => {
  const event = {
    v: 1,
    id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
    brain: 'alpha',
    agent: 'scout',
    kind: 'story-surfaced',
    at: '2025-06-10T12:00:00.000Z',
    data: {
      item: {
        hash: 'a'.repeat(64),
        title: 'METRC adds transfer checks',
        link: 'https://news.example.com/metrc',
        summary: null,
        published: null,
        author: null,
        categories: [],
        feed: { id: 'cannabis-business', title: 'Cannabis Business', tags: ['news'] },
        firstSeenAt: '2025-06-10T11:30:00.000Z',
      },
      score: {
        relevance: 0.8,
        topics: ['cannabis-operations'],
        why: null,
        confidence: 0.9,
        model: 'offline:small',
        scoredAt: '2025-06-10T11:35:00.000Z',
      },
      threshold: 0.6,
    },
  };
  it('is an AgentEvent of scout/story-surfaced with typed data', () => {
    expect(StorySurfacedEvent.parse(event)).toEqual(event);
    expect(AgentEvent.safeParse(event).success).toBe(true);
  });
  it('names the bad field', () => {
    const bad = structuredClone(event);
    bad.data.item.hash = 'not-a-hash';
    expect(() => parseOrThrow(StorySurfacedEvent, bad, 'event')).toThrow(/data\.item\.hash/);
    expect(() => parseOrThrow(StorySurfacedEvent, { ...event, kind: 'other' }, 'event')).toThrow(/kind/);
  });
});

describe('scheduler control', () => {
  it('takes the four operations and names a bad schedule name', () => {
    expect(SchedulerControlRequest.parse({ v: 1, op: 'list' }).op).toBe('list');
    expect(
      SchedulerControlRequest.parse({ v: 1, op: 'run', name: 'fetch-news-feeds', by: 'operator' }).op,
    ).toBe('run');
    expect(() =>
      parseOrThrow(SchedulerControlRequest, { v: 1, op: 'pause', name: 'Bad Name', by: 'x' }, 'request'),
    ).toThrow(/name/);
    expect(SchedulerControlRequest.safeParse({ v: 1, op: 'delete', name: 'x' }).success).toBe(false);
  });
});

describe('model call request', () => {
  const base = {
    v: 1,
    taskId: '0b6f5f3e-7c1a-4f8e-9d3b-2a1c5e6f7a8b',
    attempt: 1,
    callId: 0,
    skill: 'scout.score',
    purpose: 'classify',
    messages: [{ role: 'user', content: 'hi' }],
    maxTokens: 10,
  };
  it('carries how long the caller waits as a duration (no clock to agree on), optional', () => {
    expect(ModelCallRequest.parse({ ...base, timeoutMs: 30_000 }).timeoutMs).toBe(30_000);
    expect(ModelCallRequest.parse(base).timeoutMs).toBeUndefined();
    for (const bad of [0, -5, 1.5, 86_400_001]) {
      const parsed = ModelCallRequest.safeParse({ ...base, timeoutMs: bad });
      expect(parsed.success, String(bad)).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['timeoutMs']);
    }
  });
});
