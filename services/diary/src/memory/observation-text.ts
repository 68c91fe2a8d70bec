import type { AgentEvent } from '@forge/contracts';

function pick(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  return undefined;
}

/**
 * One line a person (and the synthesis model) can read for an agent event: the agent, what
 * happened, and the fields that say the most. Text from outside (a story title) is quoted, and
 * the line is capped, so an event can never carry a long instruction into the diary.
 */
export function observationText(event: AgentEvent): string {
  const d = event.data;
  const fields = [
    'title',
    'decision',
    'status',
    'channel',
    'rules',
    'injection',
    'drafts',
    'failedChecks',
    'room',
    'severity',
    'text',
    'score',
    'critical',
    'major',
    'warning',
    'dueAt',
    'target',
    'total',
    'risks',
    'replies',
  ]
    .map((k) => [k, pick(d, k)] as const)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v!.slice(0, 200))}`);
  return `${event.agent} ${event.kind}${fields.length ? `: ${fields.join(' ')}` : ''}`.slice(0, 1000);
}

/** Whether the diary keeps an event: `<agent>.<kind>` or `<agent>.*` in the configured list. */
export function isNotable(event: Pick<AgentEvent, 'agent' | 'kind'>, notable: readonly string[]): boolean {
  return notable.includes(`${event.agent}.${event.kind}`) || notable.includes(`${event.agent}.*`);
}
