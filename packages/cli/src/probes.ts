import { z } from 'zod';

/** Whether `GET <url>/readyz` answers 200 within `timeoutMs`. */
export async function isReady(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The parts of an A2A agent card `status` checks: a name and a list of skills. */
export const CardShape = z.object({
  name: z.string().min(1),
  skills: z.array(z.object({ id: z.string().min(1) }).loose()),
});

/** Fetches an agent card; null when it does not answer 200 with a card-shaped JSON object. */
export async function fetchCard(
  cardUrl: string,
  timeoutMs = 2_000,
): Promise<z.infer<typeof CardShape> | null> {
  try {
    const res = await fetch(cardUrl, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return null;
    }
    const parsed = CardShape.safeParse(await res.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Polls every service's /readyz until all answer ready. Resolves with the names still not ready
 * when `deadline` (epoch ms) passes or `shouldStop()` says to give up; an empty list means
 * all are ready.
 */
export async function waitForAllReady(
  services: readonly { name: string; url: string }[],
  opts: { deadline: number; intervalMs?: number; shouldStop?: () => boolean },
): Promise<string[]> {
  const pending = new Map(services.map((service) => [service.name, service.url]));
  while (pending.size > 0 && Date.now() < opts.deadline && !opts.shouldStop?.()) {
    const checks = await Promise.all(
      [...pending].map(async ([name, url]) => [name, await isReady(url, 500)] as const),
    );
    for (const [name, ready] of checks) if (ready) pending.delete(name);
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 150));
  }
  return [...pending.keys()];
}
