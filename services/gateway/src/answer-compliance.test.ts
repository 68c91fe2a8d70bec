import { describe, expect, it } from 'vitest';
import { answerStrings, checkAnswer } from './answer-compliance.js';

const task = (artifactText: string, userText = 'please check') => ({
  task: {
    id: 't',
    status: { state: 'TASK_STATE_COMPLETED', message: { role: 'ROLE_AGENT', parts: [{ text: 'done' }] } },
    artifacts: [{ artifactId: 'result', parts: [{ data: { note: artifactText, n: 1 } }] }],
    history: [{ role: 'ROLE_USER', parts: [{ text: userText }] }],
  },
});

describe('checkAnswer: the outbound policy over what goes back to a partner', () => {
  it('splits what this brain wrote from what the partner sent', () => {
    expect(answerStrings(task('all fine', 'hello'))).toEqual({
      ours: ['all fine', 'done'],
      theirs: ['hello'],
    });
  });

  it('blocks a personal e-mail address or a credential this brain would send', () => {
    expect(checkAnswer(task('write to jane.doe@gmail.com'))).toEqual({
      decision: 'block',
      rules: ['personal-email'],
    });
    expect(checkAnswer(task('key sk-ant-abcdefghijklmnopqrstuvwxyz123456')).decision).toBe('block');
  });

  it("allows what the partner sent echoed back, the company's own contacts, and plain answers", () => {
    expect(checkAnswer(task('reply to jane.doe@gmail.com', 'reply to jane.doe@gmail.com')).decision).toBe(
      'allow',
    );
    expect(
      checkAnswer(task('write to hello@forge.example'), { allowedContacts: ['hello@forge.example'] })
        .decision,
    ).toBe('allow');
    expect(checkAnswer(task('New rosin drops Friday.')).decision).toBe('allow');
    expect(checkAnswer({ tasks: [task('ok').task, task('call 415-555-0134 now').task] }).decision).toBe(
      'block',
    );
  });

  it('lets no string the partner sent switch the check off: only a verbatim echo of the match is excused', () => {
    for (const sent of ['com', 'gmail', 'jane', 'sk-', '555', '0134']) {
      expect(checkAnswer(task('write to jane.doe@gmail.com', sent)).decision).toBe('block');
      expect(
        checkAnswer(task('call 415-555-0134 now', sent), { request: { parts: [{ text: sent }] } }).decision,
      ).toBe('block');
    }
    expect(
      checkAnswer(task('key sk-ant-abcdefghijklmnopqrstuvwxyz123456'), {
        request: { parts: [{ data: { a: 'sk-', b: 'abcdefghijklmnop', c: '123456' } }] },
      }).decision,
    ).toBe('block');
    // The partner's own address, sent in the request and echoed back, still goes out.
    expect(
      checkAnswer(task('we will write to jane.doe@gmail.com'), {
        request: { parts: [{ text: 'my address is jane.doe@gmail.com' }] },
      }).decision,
    ).toBe('allow');
  });

  it('reads a bounded number of partner strings, so many of them cost no more than the cap', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ text: `x${i}` }));
    const echo = { text: 'jane.doe@gmail.com' };
    // The echo past the cap is not read: the check stays strict.
    expect(
      checkAnswer(task('write to jane.doe@gmail.com'), { request: { parts: [...many, echo] } }).decision,
    ).toBe('block');
    expect(
      checkAnswer(task('write to jane.doe@gmail.com'), { request: { parts: [echo, ...many] } }).decision,
    ).toBe('allow');
  });
});
