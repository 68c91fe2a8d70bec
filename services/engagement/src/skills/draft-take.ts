import type { SkillContext } from '@forge/agent-kit';
import { callForOutput } from '@forge/agent-kit';
import { ReplyChannel } from '@forge/channel-text';
import { type ChatMessage, SafetyFlag } from '@forge/contracts';
import { findInstructions } from '@forge/day';
import { z } from 'zod';
import type { EngagementRuntime } from '../engagement-deps.js';
import { SurfacedStory } from '../take/surfaced-story.js';
import {
  buildTakeMessages,
  buildTakeSystemPrompt,
  redraftMessage,
  type TakeSource,
} from '../take/take-prompt.js';
import { checkVoice } from '../take/voice-check.js';
import { fitReply } from './fit-reply.js';

/** Where a drafted take goes next: the compliance gate, then the approval queue. */
export const GATE_SKILL = 'compliance.gate-outbound';

export const Mention = z.object({
  id: z.string().trim().min(1).max(200),
  author: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(5000),
  url: z.url({ protocol: /^https?$/ }).optional(),
});

export const DraftTakeInput = z.object({
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('story'), story: SurfacedStory }),
    z.object({ kind: z.literal('mention'), mention: Mention }),
  ]),
  channel: ReplyChannel.optional(),
});
export type DraftTakeInput = z.input<typeof DraftTakeInput>;

const TakeModelOutput = z.object({
  take: z.string().min(1).max(2000),
  angle: z.string().min(1).max(300),
  confidence: z.number().min(0).max(1),
});

export const DraftTakeOutput = z.object({
  take: z.string(),
  channel: ReplyChannel,
  angle: z.string(),
  confidence: z.number(),
  /** Model drafts it took (1 + redrafts). */
  drafts: z.number().int().positive(),
  /** Voice checks still failing after the redrafts: the person sees them on the approval item. */
  failedChecks: z.array(z.string()),
  /** Instructions found in the story or mention (never followed), recorded on the approval item. */
  safety: z.array(SafetyFlag),
  lessonsUsed: z.array(z.string()),
  gateTaskId: z.uuid(),
  model: z.string(),
});
export type DraftTakeOutput = z.infer<typeof DraftTakeOutput>;

function untrustedText(source: TakeSource): {
  title?: string;
  text: string;
  link?: string;
  author?: string;
  id: string;
} {
  if (source.kind === 'story') {
    const s = source.story;
    return { title: s.title, text: s.summary, ...(s.link ? { link: s.link } : {}), id: s.storyId };
  }
  const m = source.mention;
  return { text: m.text, author: m.author, id: m.id, ...(m.url ? { link: m.url } : {}) };
}

/**
 * Drafts a take on a surfaced story (or a reply to a mention) in the operator's voice (mid
 * tier), checks it in code against the voice guide from config, redrafts with the failures named
 * (up to `voice.maxRedrafts`), fits what is left to the channel, and hands it to the compliance
 * gate. A draft that still fails is not dropped and not published: it goes to a person with the
 * failed checks on it. Untrusted text is only ever material in the prompt.
 */
export async function draftTake(
  input: z.output<typeof DraftTakeInput>,
  ctx: Pick<SkillContext, 'models' | 'signal' | 'task' | 'emit'>,
  runtime: EngagementRuntime,
): Promise<DraftTakeOutput> {
  const { day, submitter, recall, brain } = runtime.get();
  const source = input.source as TakeSource;
  const channel = input.channel ?? ReplyChannel.catch('x').parse(day.engagement.channel);
  const material = untrustedText(source);
  const safety = findInstructions(`${material.title ?? ''}\n${material.text}`, source.kind);
  const lessons = day.engagement.recallLessons
    ? await recall(`${material.title ?? ''} ${material.text}`, day.engagement.recallLessons)
    : [];
  const system = buildTakeSystemPrompt(day.voice, channel, lessons);
  const messages: ChatMessage[] = buildTakeMessages(source);
  const allowedLink = source.kind === 'story' ? source.story.link : undefined;

  let drafts = 0;
  let last: z.output<typeof TakeModelOutput> | undefined;
  let failures: string[] = [];
  let model = '';
  while (drafts <= day.voice.maxRedrafts) {
    const { output, reply } = await callForOutput(
      ctx.models,
      {
        purpose: 'draft',
        system,
        messages: [...messages],
        maxTokens: 600,
        temperature: 0.7,
        name: 'take_draft',
        schema: TakeModelOutput,
      },
      ctx.signal,
    );
    drafts += 1;
    model = reply.model;
    last = output;
    failures = checkVoice(output.take.trim(), { voice: day.voice, channel, allowedLink });
    if (failures.length === 0) break;
    messages.push({ role: 'assistant', content: JSON.stringify(output) }, redraftMessage(failures));
  }
  let take = last!.take.trim();
  if (failures.length > 0) {
    // Fitting fixes what code can (opener, length); what it cannot stays flagged for the person.
    try {
      take = fitReply({ text: take, channel, extraOpeners: day.voice.sycophanticOpeners }).text;
    } catch {
      // Nothing but an opener: the person sees the draft as the model wrote it.
    }
    failures = checkVoice(take, { voice: day.voice, channel, allowedLink });
  }
  const { taskId: gateTaskId } = await submitter.submit({
    skill: GATE_SKILL,
    input: {
      text: take,
      channel,
      draftedBy: 'engagement',
      source: { kind: source.kind, ...material },
      failedChecks: failures.map((f) => `voice:${f.split(':')[0]}`),
    },
    origin: { kind: 'agent', brain, by: 'engagement' },
    idempotencyKey: `gate:${ctx.task.id}`,
    parentId: ctx.task.id,
  });
  await ctx.emit('take-drafted', {
    source: source.kind,
    sourceId: material.id,
    drafts,
    failedChecks: failures,
    injection: safety.map((s) => s.pattern),
    gateTaskId,
  });
  return {
    take,
    channel,
    angle: last!.angle,
    confidence: last!.confidence,
    drafts,
    failedChecks: failures,
    safety,
    lessonsUsed: lessons.map((l) => l.title),
    gateTaskId,
    model,
  };
}

/** `engagement.draft-take`: a take on a surfaced story, or a reply to a mention, into the approval queue. */
export function draftTakeSkill(runtime: EngagementRuntime) {
  return {
    id: 'draft-take',
    name: 'Draft take',
    description:
      "Drafts a take on a surfaced story (or a reply to a mention) in the operator's voice, checks it in code " +
      'against the voice guide (limit, banned phrases, no sycophancy), redrafts on failure, and hands it to compliance.',
    tags: ['take', 'reply', 'voice', 'x'],
    examples: [
      '{"source":{"kind":"mention","mention":{"id":"m1","author":"ivan","text":"How do you keep agent costs down?"}}}',
    ],
    tier: 'mid' as const,
    input: DraftTakeInput,
    output: DraftTakeOutput,
    handler: (input: z.output<typeof DraftTakeInput>, ctx: SkillContext) => draftTake(input, ctx, runtime),
  };
}
