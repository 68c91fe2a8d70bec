import type { ApprovalItem } from '@forge/contracts';
import type { ApprovalRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { ApprovalQueue } from './approval-queue.js';
import type { DayConfig } from './day-config.js';

/** Sends one notification; throws when the receiver did not take it. */
export type SendNotification = (item: ApprovalItem) => Promise<void>;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Title and body a person reads on a phone. */
export function notificationText(item: ApprovalItem): { title: string; body: string } {
  if (item.kind === 'budget') {
    return {
      title: `Budget approval: ${item.budget?.skill ?? 'task'}`,
      body: oneLine(`${item.budget?.tier} task held: ${item.budget?.reason ?? ''}`, 500),
    };
  }
  const rules = item.rulesFired.length ? ` Rules: ${item.rulesFired.join(', ')}.` : '';
  const safety = item.safety.length ? ' ⚠ instructions found in the source material.' : '';
  return {
    title: `Approve ${item.channel} post? (${item.verdict?.decision ?? 'check'})`,
    body: oneLine(`${item.text ?? ''}${rules}${safety}`, 1000),
  };
}

/**
 * An ntfy-compatible sender (plain-text body, `Title`/`Priority`/`Tags`/`Click` headers: a phone
 * subscribed to the topic shows it), or a generic JSON webhook. Bearer token when configured.
 */
export function webhookSender(
  notify: DayConfig['approvals']['notify'],
  token: string | undefined,
  fetchImpl: typeof fetch = fetch,
): SendNotification | null {
  const url = notify.url;
  if (!url) return null;
  return async (item) => {
    const { title, body } = notificationText(item);
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const click = notify.clickUrl?.replace('{id}', item.id);
    let init: RequestInit;
    if (notify.format === 'ntfy') {
      init = {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'text/plain; charset=utf-8',
          // Header values must be ISO-8859-1: ntfy reads RFC 2047 encoded words for the rest.
          title: `=?UTF-8?B?${Buffer.from(title, 'utf8').toString('base64')}?=`,
          priority: item.safety.length || item.verdict?.decision === 'needs-review' ? 'high' : 'default',
          tags: item.kind === 'budget' ? 'moneybag' : 'memo',
          ...(click ? { click } : {}),
        },
        body,
      };
    } else {
      init = {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'approval.pending', title, message: body, click: click ?? null, item }),
      };
    }
    const res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`notification webhook answered ${res.status}`);
  };
}

/**
 * The queue's background loop: announces each new pending item once (retrying a failed webhook
 * on the next round, never marking it sent until it was taken) and finishes hand-offs a crash
 * cut. One round every `pollMs`; rounds never overlap.
 */
export class ApprovalWatcher {
  readonly #repo: ApprovalRepository;
  readonly #queue: ApprovalQueue;
  readonly #send: SendNotification | null;
  readonly #pollMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: {
    repo: ApprovalRepository;
    queue: ApprovalQueue;
    send: SendNotification | null;
    pollMs: number;
    logger: Logger;
  }) {
    this.#repo = deps.repo;
    this.#queue = deps.queue;
    this.#send = deps.send;
    this.#pollMs = deps.pollMs;
    this.#logger = deps.logger;
  }

  async start(): Promise<void> {
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  /** One round, also callable directly (tests). */
  async runOnce(): Promise<{ notified: number; handedOff: number }> {
    let notified = 0;
    const items = await this.#repo.unnotified(20);
    const sent: string[] = [];
    for (const item of items) {
      try {
        if (this.#send) await this.#send(item);
        sent.push(item.id);
        notified += this.#send ? 1 : 0;
      } catch (error) {
        this.#logger.warn(
          { approvalId: item.id, err: (error as Error).message },
          'approval notification failed; will retry',
        );
        break;
      }
    }
    await this.#repo.markNotified(sent);
    const handedOff = await this.#queue.retryHandOffs();
    return { notified, handedOff };
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#round = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'approval watcher round failed'))
        .finally(() => this.#schedule());
    }, this.#pollMs);
    this.#timer.unref();
  }
}
