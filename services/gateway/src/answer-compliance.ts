import { checkText } from '@forge/text-policy';

/** What the outbound policy says of an answer a partner is about to get. */
export interface AnswerVerdict {
  readonly decision: 'allow' | 'needs-review' | 'block';
  /** The rules that fired (ids only: never the text). */
  readonly rules: readonly string[];
}

/** The most text of one answer the policy reads (the rest is not sent unread: it is read in parts). */
const CHUNK = 100_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every string leaf of a JSON value. */
function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (isObject(value)) for (const item of Object.values(value)) leaves(item, out);
}

/** The strings of a message's (or artifact's) parts: text parts and the leaves of data parts. */
function partStrings(holder: unknown, out: string[]): void {
  if (!isObject(holder) || !Array.isArray(holder.parts)) return;
  for (const part of holder.parts) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') out.push(part.text);
    if (part.data !== undefined) leaves(part.data, out);
  }
}

/**
 * What an A2A result tells the partner, split into what this brain wrote (its artifacts, its
 * status messages, its agent messages) and what the partner sent (the user messages of the
 * history). Tasks (`task`, a bare task, `tasks` of ListTasks) and messages are read.
 */
export function answerStrings(result: unknown): { ours: string[]; theirs: string[] } {
  const ours: string[] = [];
  const theirs: string[] = [];
  const message = (m: unknown) => {
    if (!isObject(m)) return;
    partStrings(m, m.role === 'ROLE_USER' || m.role === 'user' ? theirs : ours);
  };
  const task = (t: unknown) => {
    if (!isObject(t)) return;
    if (Array.isArray(t.artifacts)) for (const a of t.artifacts) partStrings(a, ours);
    if (isObject(t.status)) message(t.status.message);
    if (Array.isArray(t.history)) for (const m of t.history) message(m);
  };
  if (!isObject(result)) return { ours, theirs };
  if (isObject(result.task)) task(result.task);
  else if (isObject(result.message)) message(result.message);
  // Stream events: a status update's message, an artifact (or one chunk of it).
  else if (isObject(result.statusUpdate)) {
    if (isObject(result.statusUpdate.status)) message(result.statusUpdate.status.message);
  } else if (isObject(result.artifactUpdate)) partStrings(result.artifactUpdate.artifact, ours);
  else if (Array.isArray(result.tasks)) for (const t of result.tasks) task(t);
  else if (result.status !== undefined || result.artifacts !== undefined) task(result);
  else if (result.parts !== undefined) message(result);
  return { ours, theirs };
}

/** The most strings the partner sent that are read to excuse an echo, and their total size. */
const MAX_THEIRS = 256;
const MAX_THEIRS_CHARS = 1_000_000;

/** The partner's own strings, bounded: a later or larger one only makes the check stricter. */
function boundedTheirs(theirs: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const s of theirs) {
    if (out.length >= MAX_THEIRS || total >= MAX_THEIRS_CHARS) break;
    const kept = s.slice(0, MAX_THEIRS_CHARS - total);
    out.push(kept);
    total += kept.length;
  }
  return out;
}

/**
 * The outbound policy over an answer to a partner: the brand-safety rules of `@forge/text-policy`
 * (personal e-mail addresses and phone numbers, credentials, profanity; not the advertising rules,
 * an answer is not an ad) over what this brain wrote, unchanged. A violation is excused only when
 * the very text it matched is in one of the strings the partner sent (the partner's own data
 * echoed back leaks nothing); what the partner sent never changes the text that is checked.
 * `allowedContacts` are the company's own addresses and numbers, which may go out.
 */
export function checkAnswer(
  result: unknown,
  options: { request?: unknown; allowedContacts?: readonly string[] } = {},
): AnswerVerdict {
  const { ours, theirs } = answerStrings(result);
  if (options.request !== undefined) partStrings(options.request, theirs);
  const known = boundedTheirs(theirs);
  const echoed = (matched: string) => matched.length > 0 && known.some((s) => s.includes(matched));
  const text = ours.join('\n');
  let decision: AnswerVerdict['decision'] = 'allow';
  const rules = new Set<string>();
  for (let at = 0; at < text.length; at += CHUNK) {
    const chunk = text.slice(at, at + CHUNK);
    if (chunk.trim() === '') continue;
    const verdict = checkText({
      text: chunk,
      channel: 'web',
      cannabisContent: false,
      allowedContacts: [...(options.allowedContacts ?? [])],
    });
    const brandSafety = verdict.violations.filter(
      (v) => v.category === 'brand-safety' && !(v.span && echoed(chunk.slice(v.span.start, v.span.end))),
    );
    for (const v of brandSafety) rules.add(v.ruleId);
    if (brandSafety.some((v) => v.severity === 'block')) decision = 'block';
    else if (brandSafety.length > 0 && decision === 'allow') decision = 'needs-review';
  }
  return { decision, rules: [...rules] };
}
