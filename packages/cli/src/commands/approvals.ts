import { type ApprovalItem, ForgeError } from '@forge/contracts';
import { readOperatorKey } from '../api-keys.js';
import type { ApprovalsOptions } from '../args.js';
import type { Io } from '../io.js';
import { locateServices } from '../mesh-file.js';
import { brainPaths } from '../paths.js';

/** The agent whose HTTP API holds the approval queue. */
const QUEUE_SERVICE = 'compliance';

function line(item: ApprovalItem): string {
  const what =
    item.kind === 'budget'
      ? `budget ${item.budget?.skill} (${item.budget?.tier})`
      : `${item.channel}: ${JSON.stringify((item.text ?? '').slice(0, 80))}`;
  const flags = [
    item.rulesFired.length ? `rules ${item.rulesFired.join(',')}` : '',
    item.safety.length ? `⚠ ${item.safety.length} instruction(s) in source` : '',
    item.review ? `review: ${item.review.recommendation}` : '',
  ].filter(Boolean);
  return `${item.id}  ${item.status.padEnd(8)}  ${what}${flags.length ? `  [${flags.join('; ')}]` : ''}`;
}

/** An item as a person reads it before deciding. */
export function describeApproval(item: ApprovalItem): string[] {
  const out = [`${item.kind} ${item.id}: ${item.status}${item.decidedBy ? ` by ${item.decidedBy}` : ''}`];
  if (item.kind === 'budget' && item.budget) {
    out.push(
      `task ${item.budget.taskId} (${item.budget.skill}) held at ${item.budget.tier}: ${item.budget.reason}`,
    );
  } else {
    out.push(`channel: ${item.channel}`, `text:\n  ${(item.text ?? '').replace(/\n/g, '\n  ')}`);
    if (item.draft !== item.text) out.push(`draft:\n  ${(item.draft ?? '').replace(/\n/g, '\n  ')}`);
    if (item.verdict) {
      out.push(`policy: ${item.verdict.decision} (${item.verdict.policyVersion})`);
      for (const v of item.verdict.violations) out.push(`  - ${v.ruleId} [${v.severity}]: ${v.why}`);
    }
    if (item.rulesFired.length) out.push(`rules fired: ${item.rulesFired.join(', ')}`);
    for (const s of item.safety)
      out.push(`⚠ instructions in the ${s.source} (${s.pattern}), not followed: "${s.excerpt}"`);
    if (item.review) {
      const r = item.review;
      out.push(
        `frontier review (${r.model}${r.offline ? ', offline' : ''}): ${r.recommendation}, confidence ${r.confidence}`,
      );
      out.push(`  ${r.summary}`, `  reasoning: ${r.reasoning.replace(/\n/g, '\n  ')}`);
      for (const c of r.concerns) out.push(`  concern: ${c}`);
      if (r.suggestedText) out.push(`  suggested: ${r.suggestedText}`);
    } else if (item.status === 'pending' && item.verdict?.decision !== 'allow') {
      out.push('frontier review: not attached yet');
    }
  }
  for (const d of item.decisions)
    out.push(`${d.at}  ${d.action} by ${d.actor}${d.reason ? `: ${d.reason}` : ''}`);
  return out;
}

/**
 * `forge approvals list|show|approve|reject`: the approval queue through the compliance
 * service's HTTP API (`/approvals`), as the operator (the brain's operator key, or
 * FORGE_API_KEY). `--json` prints the API's JSON: `{items}` for list, the item otherwise.
 */
export async function runApprovals(options: ApprovalsOptions, io: Io): Promise<number> {
  const paths = brainPaths(options.stateDir, options.brain);
  const apiKey = options.apiKey ?? (await readOperatorKey(paths));
  if (!apiKey) {
    throw new ForgeError(
      'UNAUTHENTICATED',
      `no API key: set FORGE_API_KEY or run \`forge up\` first (no ${paths.operatorKey})`,
    );
  }
  const services = await locateServices(paths.mesh, options.portBase);
  const service = services.find((s) => s.name === QUEUE_SERVICE);
  if (!service) throw new ForgeError('NOT_FOUND', `no ${QUEUE_SERVICE} service in brain ${options.brain}`);
  const base = `${service.url}/approvals`;
  let url = base;
  let init: RequestInit = { method: 'GET' };
  switch (options.action) {
    case 'list': {
      const query = new URLSearchParams();
      if (options.status) query.set('status', options.status);
      if (options.kind) query.set('kind', options.kind);
      if (options.limit) query.set('limit', String(options.limit));
      url = `${base}${query.size ? `?${query}` : ''}`;
      break;
    }
    case 'show':
      url = `${base}/${options.id}`;
      break;
    case 'approve':
      url = `${base}/${options.id}/approve`;
      init = {
        method: 'POST',
        body: JSON.stringify({
          ...(options.text !== undefined ? { text: options.text } : {}),
          ...(options.at !== undefined ? { publishAt: options.at } : {}),
          ...(options.reason !== undefined ? { reason: options.reason } : {}),
        }),
      };
      break;
    case 'reject':
      url = `${base}/${options.id}/reject`;
      init = { method: 'POST', body: JSON.stringify({ reason: options.reason }) };
      break;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ForgeError(
      'UNAVAILABLE',
      `cannot reach the approval queue at ${base}: ${(error as Error).message}; is \`forge up\` running?`,
      {
        cause: error,
      },
    );
  }
  const body = (await res.json().catch(() => null)) as
    | { items: ApprovalItem[] }
    | ApprovalItem
    | { error?: { code?: string; message?: string } }
    | null;
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const code = (error?.code ?? 'INTERNAL') as ConstructorParameters<typeof ForgeError>[0];
    throw new ForgeError(code, error?.message ?? `the approval queue answered ${res.status}`);
  }
  if (options.json) {
    io.out(JSON.stringify(body));
    return 0;
  }
  if (options.action === 'list') {
    const items = (body as { items: ApprovalItem[] }).items;
    if (items.length === 0) io.out('no items');
    for (const item of items) io.out(line(item));
  } else {
    for (const text of describeApproval(body as ApprovalItem)) io.out(text);
  }
  return 0;
}
