import type { SafetyFlag } from '@forge/contracts';

/**
 * Phrasings that address the agents rather than the reader: what an injected instruction in a
 * feed item, a mention or a partner message looks like. Finding one changes nothing the text can
 * make an agent do (untrusted text is only ever material in a prompt); it makes the attempt
 * visible and keeps the item away from any automatic approval.
 */
const PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  {
    name: 'override-instructions',
    pattern:
      /\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:previous|prior|above|earlier|all|your|the|system)\b[^.!?\n]{0,20}\b(?:instructions?|prompts?|rules|guidelines|directions)\b/i,
  },
  {
    name: 'skip-review',
    pattern:
      /\b(?:skip|bypass|avoid|without|no need for|don'?t (?:wait for|need))\b[^.!?\n]{0,30}\b(?:review|approval|approvals|compliance|moderation|policy check|human)\b/i,
  },
  {
    name: 'publish-command',
    pattern:
      /\b(?:publish|post|tweet|share|send|announce)\b[^.!?\n]{0,30}\b(?:immediately|right now|now|verbatim|as[- ]is|exactly|without (?:changes|edits))\b/i,
  },
  {
    name: 'approve-command',
    pattern: /\b(?:auto-?approve|approve (?:this|it|the post)|mark (?:it|this) (?:as )?approved)\b/i,
  },
  {
    name: 'role-play',
    pattern:
      /\b(?:you are now|act as|pretend to be|from now on you)\b[^.!?\n]{0,40}\b(?:assistant|agent|ai|bot|model|admin)\b/i,
  },
  {
    name: 'prompt-markup',
    pattern: /(?:<\/?system>|\[system\]|^\s*system\s*:|###\s*(?:instruction|system)|<\|im_start\|>)/im,
  },
  {
    name: 'exfiltrate',
    pattern:
      /\b(?:reveal|print|show|repeat|leak)\b[^.!?\n]{0,20}\b(?:system prompt|instructions|api keys?|secrets?|credentials)\b/i,
  },
];

const EXCERPT = 160;

/** Every place in `text` that reads like an instruction to the agents, in text order. */
export function findInstructions(text: string, source: SafetyFlag['source']): SafetyFlag[] {
  const flags: (SafetyFlag & { at: number })[] = [];
  for (const { name, pattern } of PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const start = Math.max(0, match.index - 20);
    const raw = text
      .slice(start, Math.min(text.length, match.index + match[0].length + 40))
      .replace(/\s+/g, ' ');
    flags.push({
      source,
      kind: 'instruction-in-data',
      pattern: name,
      excerpt: raw.length > EXCERPT ? `${raw.slice(0, EXCERPT - 1)}…` : raw.trim(),
      at: match.index,
    });
  }
  return flags.sort((a, b) => a.at - b.at).map(({ at: _at, ...flag }) => flag);
}
