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

/**
 * The outbound policy over an answer to a partner: the brand-safety rules of `@forge/text-policy`
 * (personal e-mail addresses and phone numbers, credentials, profanity; not the advertising rules,
 * an answer is not an ad) over what this brain wrote, less anything the partner itself sent (the
 * partner's own data echoed back leaks nothing). `allowedContacts` are the company's own
 * addresses and numbers, which may go out.
 */
export function checkAnswer(
  result: unknown,
  options: { request?: unknown; allowedContacts?: readonly string[] } = {},
): AnswerVerdict {
  const { ours, theirs } = answerStrings(result);
  if (options.request !== undefined) partStrings(options.request, theirs);
  const known = theirs.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  const text = ours
    .map((s) => known.reduce((rest, mine) => (rest.includes(mine) ? rest.replaceAll(mine, ' ') : rest), s))
    .join('\n');
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
    for (const v of verdict.violations) if (v.category === 'brand-safety') rules.add(v.ruleId);
    const brandSafety = verdict.violations.filter((v) => v.category === 'brand-safety');
    if (brandSafety.some((v) => v.severity === 'block')) decision = 'block';
    else if (brandSafety.length > 0 && decision === 'allow') decision = 'needs-review';
  }
  return { decision, rules: [...rules] };
}
