import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { Late } from '@forge/day';
import type { EngagementDeps, EngagementRuntime } from './engagement-deps.js';
import { draftReplySkill } from './skills/draft-reply.js';
import { draftTakeSkill } from './skills/draft-take.js';
import { fitReplySkill } from './skills/fit-reply.js';
import { triageMentionsSkill } from './skills/triage-mentions.js';

/**
 * The engagement agent: takes on surfaced stories and replies to mentions in the operator's voice
 * (`draft-take`, mid, checked in code and handed to compliance), mention triage (`triage-mentions`,
 * policy engine then small), reply drafting (`draft-reply`, mid) and fitting (`fit-reply`, tool).
 */
export function createEngagementAgent(runtime: EngagementRuntime): AgentDefinition {
  return defineAgent({
    name: 'engagement',
    description:
      "Drafts takes on surfaced stories and replies to mentions in the operator's voice (under 280 characters " +
      'on X, no banned phrases, no sycophancy), triages inbound mentions for brand safety and intent, and hands ' +
      'every outbound text to compliance.',
    defaultSkill: 'fit-reply',
    skills: [
      defineSkill(fitReplySkill),
      defineSkill(draftReplySkill),
      defineSkill(draftTakeSkill(runtime)),
      defineSkill(triageMentionsSkill(runtime)),
    ],
  });
}

/** The agent's definition for its card and manifests (its runtime is never bound). */
export const engagementAgent = createEngagementAgent(new Late<EngagementDeps>('engagement'));
