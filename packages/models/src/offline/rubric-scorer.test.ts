import { describe, expect, it } from 'vitest';
import { scoreRubric } from './rubric-scorer.js';

const rubric = [
  'Triage inbound mentions.',
  'complaint: late delivery, broken package, refund, wrong order',
  'question: hours, location, delivery area, prices',
  'praise: love, great service, thanks',
].join('\n');

describe('scoreRubric', () => {
  it('picks the label whose rubric line shares the most terms with the item', () => {
    const labels = ['complaint', 'question', 'praise'];
    expect(
      scoreRubric(rubric, 'My order arrived late and the package was broken, I want a refund', labels).label,
    ).toBe('complaint');
    expect(
      scoreRubric(rubric, 'What are your hours and prices at the downtown location?', labels).label,
    ).toBe('question');
    expect(scoreRubric(rubric, 'Thanks, I love the great service', labels).label).toBe('praise');
  });

  it('shows matched words as the item wrote them, once each', () => {
    const verdict = scoreRubric(rubric, 'Refund! Refunds for the broken packages', ['complaint', 'question']);
    expect(verdict.matched).toEqual(['refund', 'broken', 'packages']);
  });

  it('gives a lone label line to the longer label that contains the shorter', () => {
    const labels = ['relevant', 'not_relevant'];
    const lines = 'relevant: compliance, licensing\nnot relevant: sports, weather';
    expect(scoreRubric(lines, 'Weekend sports and weather', labels).label).toBe('not_relevant');
    expect(scoreRubric(lines, 'New licensing compliance rules', labels).label).toBe('relevant');
  });

  it('maps relevance along ordered labels when the rubric does not describe them', () => {
    const labels = ['low', 'medium', 'high'];
    const about = 'Rate urgency for METRC compliance, license renewal, regulator audit, recall.';
    expect(scoreRubric(about, 'Nice weather', labels).label).toBe('low');
    expect(
      scoreRubric(about, 'Regulator audit of METRC compliance and license renewal, plus a recall', labels)
        .label,
    ).toBe('high');
  });
});
