import {
  type ArtifactWriter,
  defineAgent,
  defineSkill,
  parsePartnerTarget,
  part,
  type SkillContext,
} from '@forge/agent-kit';
import { ForgeError, PartnerAskReply } from '@forge/contracts';
import { z } from 'zod';
import type { PartnerEvent, PartnerLink } from './partner-link.js';

/** The gateway's links by partner name. */
export type PartnerLinks = ReadonlyMap<string, PartnerLink>;

/** Asks a partner through its link; FORBIDDEN for a partner we do not know. */
export function askPartner(
  links: PartnerLinks,
  request: { partner: string; skill: string; input: unknown; timeoutMs?: number | undefined },
  onEvent?: (event: PartnerEvent) => Promise<void>,
): Promise<PartnerAskReply> {
  const link = links.get(request.partner);
  // The store's partner views know this refusal by its code and the text's start (`no partner `):
  // a target it refuses names no partner of ours. Keep them in step.
  if (!link)
    throw new ForgeError('FORBIDDEN', `no partner ${request.partner} in this brain's registry`, {
      retryable: false,
    });
  return link.ask(request.skill, request.input, request.timeoutMs ?? 60_000, onEvent);
}

/**
 * Relays a partner's stream into the local task: its task id and state changes as status lines,
 * its artifacts (other than the result) as local artifacts, chunk by chunk. Text from the partner
 * is shown as text, never acted upon.
 */
function relayInto(ctx: SkillContext, partner: string): (event: PartnerEvent) => Promise<void> {
  const writers = new Map<string, ArtifactWriter>();
  return async (event) => {
    switch (event.kind) {
      case 'task':
        await ctx.progress(`partner ${partner} took it as task ${event.taskId} (${event.state})`);
        return;
      case 'status':
        await ctx.progress(
          `partner ${partner}: ${event.state}${event.text ? `: ${event.text.slice(0, 500)}` : ''}`,
        );
        return;
      case 'artifact': {
        const parts = event.parts.map((p) => ('text' in p ? part.text(p.text) : part.data(p.data)));
        let writer = writers.get(event.artifactId);
        if (!writer) {
          writer = ctx.artifactStream({ name: `${partner}: ${event.name ?? event.artifactId}` });
          writers.set(event.artifactId, writer);
        }
        if (event.lastChunk) {
          await writer.end(parts);
          writers.delete(event.artifactId);
        } else await writer.write(parts);
        return;
      }
    }
  };
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
        outputModes: ['application/json', 'text/plain'],
        tier: 'tool',
        handler: async ({ target, input }, ctx) => {
          const { partner, skill } = parsePartnerTarget(target);
          await ctx.progress(`asking ${partner} for ${skill}`);
          const answer = await askPartner(links, { partner, skill, input }, relayInto(ctx, partner));
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
