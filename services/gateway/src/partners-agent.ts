import { defineAgent, defineSkill, parsePartnerTarget } from '@forge/agent-kit';
import { ForgeError, PartnerAskReply } from '@forge/contracts';
import { z } from 'zod';
import type { PartnerLink } from './partner-link.js';

/** The gateway's links by partner name. */
export type PartnerLinks = ReadonlyMap<string, PartnerLink>;

/** Asks a partner through its link; FORBIDDEN for a partner we do not know. */
export function askPartner(
  links: PartnerLinks,
  request: { partner: string; skill: string; input: unknown; timeoutMs?: number | undefined },
): Promise<PartnerAskReply> {
  const link = links.get(request.partner);
  if (!link)
    throw new ForgeError('FORBIDDEN', `no partner ${request.partner} in this brain's registry`, {
      retryable: false,
    });
  return link.ask(request.skill, request.input, request.timeoutMs ?? 60_000);
}

/**
 * The gateway as a local agent, `partners`, so the operator (`forge send partner/b/<skill>`) and
 * any agent can hand work to a partner as a task of this brain: `partners.ask` takes
 * `{ target: "partner/<name>/<agent>.<skill>", input }`, asks through the partner's link, and
 * answers with the partner's reply as data (never run as instructions). Its task is this brain's
 * record of the question; a partner's refusal or failure ends it failed with the reason.
 */
export function partnersAgent(links: PartnerLinks) {
  return defineAgent({
    name: 'partners',
    description: 'Asks partner brains for the skills they share with this one.',
    version: '1.0.0',
    skills: [
      defineSkill({
        id: 'ask',
        description:
          'Calls a partner brain\'s skill: target "partner/<name>/<agent>.<skill>", input its input.',
        tags: ['federation'],
        examples: ['{"target":"partner/b/compliance.check-text","input":{"text":"..."}}'],
        input: z.object({ target: z.string().min(1).max(300), input: z.unknown() }),
        output: PartnerAskReply,
        tier: 'tool',
        handler: async ({ target, input }, ctx) => {
          const { partner, skill } = parsePartnerTarget(target);
          await ctx.progress(`asking ${partner} for ${skill}`);
          const answer = await askPartner(links, { partner, skill, input });
          if (answer.state !== 'completed') {
            throw new ForgeError(
              'PROVIDER_ERROR',
              `partner ${partner} ended ${skill} ${answer.state}${answer.text ? `: ${answer.text.slice(0, 300)}` : ''}`,
              {
                retryable: false,
              },
            );
          }
          return answer;
        },
      }),
    ],
  });
}
