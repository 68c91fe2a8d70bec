import { stripTags } from './message-items.js';

/** A block of material: `<post author="pat">…</post>`, open and close tags with the same name. */
const BLOCK = /<([A-Za-z][\w:-]*)(?:\s[^<>]*)?>([\s\S]*?)<\/\1\s*>/g;

/** `Intent: …`, `Notes from Brad: …`, `Format: …`: a prompt field, not material. */
const FIELD_LABEL =
  /^\s*(?:intent|notes?|instructions?|task|goal|format|tone|voice|style|channel|audience|length|rules?|constraints?|output|language|persona)\b[^:\n]{0,40}:/i;

/** A line that speaks to the model: "Write a reply…", "Answer with JSON…", "Never open with…". */
const DIRECTIVE =
  /^\s*(?:please\s+)?(?:write|draft|answer|respond|reply|return|summari[sz]e|classify|score|rate|rank|translate|rewrite|extract|keep|stay|never|always|avoid|do not|don't|make sure|use only|you are|you will|your task|text inside|content inside|treat)\b/i;

function keepLine(line: string): string | undefined {
  if (FIELD_LABEL.test(line)) return undefined;
  if (/^\s*```/.test(line)) return undefined;
  if (DIRECTIVE.test(line)) {
    // "Summarize this article: The board…" keeps what follows the colon.
    const after = /:\s+(\S[\s\S]*)$/.exec(line)?.[1];
    return after;
  }
  return line.replace(/^\s*#{1,6}\s+/, '');
}

function outsideBlocks(text: string): string {
  return stripTags(text)
    .split('\n')
    .map(keepLine)
    .filter((line): line is string => line !== undefined && line.trim() !== '')
    .join('\n');
}

/**
 * The material in a prompt message, for extracting and drafting from: tagged blocks keep their
 * content (tags dropped: `<post>` wraps material, it is not part of it); text outside blocks
 * loses its markup, code fences, prompt fields (`Intent: …`) and directive lines ("Write a
 * reply…"). Lines are kept in order.
 */
export function messageContent(text: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const match of text.matchAll(BLOCK)) {
    parts.push(outsideBlocks(text.slice(at, match.index)));
    parts.push(stripTags(match[2]!).trim());
    at = match.index + match[0].length;
  }
  parts.push(outsideBlocks(text.slice(at)));
  return parts.filter((part) => part.trim() !== '').join('\n');
}
