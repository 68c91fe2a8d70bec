import { z } from 'zod';
import { renderTerminalCard } from '../card/terminal-card.js';

export const RenderCardInput = z.object({
  body: z.string().min(1).max(4000),
  title: z.string().trim().min(1).max(80).default('forge'),
  command: z.string().trim().min(1).max(120).default('forge costs --since 30d'),
  theme: z.enum(['dark', 'light']).default('dark'),
  width: z.number().int().min(400).max(2000).default(1200),
  altText: z.string().trim().max(1500).optional(),
});
export type RenderCardInput = z.input<typeof RenderCardInput>;

export const RenderCardOutput = z.object({
  mediaType: z.literal('image/png'),
  pngBase64: z.string(),
  sha256: z.string().length(64),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  altText: z.string(),
});
export type RenderCardOutput = z.infer<typeof RenderCardOutput>;

/** Renders the card and describes it; alt text defaults to the command and the text. */
export async function renderCard(raw: RenderCardInput): Promise<RenderCardOutput> {
  const input = RenderCardInput.parse(raw);
  const card = await renderTerminalCard(input);
  return {
    mediaType: 'image/png',
    pngBase64: card.png.toString('base64'),
    sha256: card.sha256,
    width: card.width,
    height: card.height,
    bytes: card.png.length,
    altText: (input.altText ?? `Terminal: $ ${input.command}\n${input.body}`).slice(0, 1500),
  };
}

/** `publisher.render-card`: the terminal-style image card for a post, text to PNG. Plain code, $0. */
export const renderCardSkill = {
  id: 'render-card',
  name: 'Render card',
  description:
    'Renders text as a terminal-style image card (window bar, prompt, monospace output) to PNG for a post: ' +
    'plain code, no model, the same text always gives the same image.',
  tags: ['image', 'card', 'publish'],
  examples: [
    '{"body":"tier      spend\\ntool      $0.00\\nsmall     $3.10\\nfrontier  $63.00","command":"forge costs"}',
  ],
  tier: 'tool' as const,
  input: RenderCardInput,
  output: RenderCardOutput,
  handler: (input: z.output<typeof RenderCardInput>): Promise<RenderCardOutput> => renderCard(input),
};
