import type { SkillContext } from '@forge/agent-kit';
import { CheckTextInput, CheckTextOutput, checkText } from '@forge/text-policy';
import type { z } from 'zod';

export { CheckTextInput, CheckTextOutput, checkText };

/**
 * Runs {@link checkText} and, unless the text is allowed, publishes a `text-flagged` event with
 * the decision and rule ids (never the text or excerpts, which may hold personal data) so brand
 * safety incidents are visible in the console.
 */
export async function checkTextHandler(
  input: z.output<typeof CheckTextInput>,
  ctx: Pick<SkillContext, 'emit'>,
): Promise<CheckTextOutput> {
  const out = checkText(input);
  if (out.decision !== 'allow') {
    await ctx.emit('text-flagged', {
      decision: out.decision,
      channel: out.channel,
      policyVersion: out.policyVersion,
      rules: [...new Set(out.violations.map((v) => v.ruleId))],
    });
  }
  return out;
}

/** `compliance.check-text`: the policy decision tree over a text. Plain code, $0. */
export const checkTextSkill = {
  id: 'check-text',
  name: 'Check text',
  description:
    'Checks a text for a channel against the cannabis advertising, brand safety and format rules; ' +
    'returns allow, needs-review or block with each violation (rule, severity, span, why).',
  tags: ['compliance', 'policy', 'brand-safety'],
  examples: ['{"text":"New rosin drops Friday. 21+ only.","channel":"instagram"}'],
  tier: 'tool' as const,
  input: CheckTextInput,
  output: CheckTextOutput,
  handler: checkTextHandler,
};
