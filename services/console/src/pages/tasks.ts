import { usd } from '@forge/ledger-views';
import type { TaskOverview } from '@forge/store';
import { type Html, html } from '../html.js';

/** A link to the task's trace in Jaeger (search by the task id the spans carry), or null. */
export function traceLink(jaegerUrl: string | undefined, taskId: string): string | null {
  if (!jaegerUrl) return null;
  const tags = encodeURIComponent(JSON.stringify({ 'forge.task.id': taskId }));
  return `${jaegerUrl}/search?service=forge-router&tags=${tags}&lookback=7d`;
}

export function tasksBody(
  tasks: readonly TaskOverview[],
  options: { open: boolean; jaegerUrl: string | undefined },
): Html {
  return html`<nav aria-label="Filter" class="filters"><a href="/tasks"${options.open ? '' : html` aria-current="true"`}>recent</a><a href="/tasks?open=1"${options.open ? html` aria-current="true"` : ''}>live (open)</a></nav>
${options.jaegerUrl ? '' : html`<p class="meta">Trace links appear when FORGE_JAEGER_URL is set.</p>`}
<div class="table-wrap"><table id="tasks-table" class="cards">
<thead><tr><th scope="col">Started (UTC)</th><th scope="col">Skill</th><th scope="col">Tier</th><th scope="col">Model</th><th scope="col" class="num">Cost</th><th scope="col">State</th><th scope="col">Trace</th></tr></thead>
<tbody>${tasks.map((t) => {
    const link = traceLink(options.jaegerUrl, t.id);
    return html`<tr data-task="${t.id}">
<td data-label="Started">${t.createdAt.slice(0, 19).replace('T', ' ')}</td>
<th scope="row">${t.skill}<div class="meta">${t.origin}</div></th>
<td data-label="Tier">${t.tier ?? '–'}${t.escalated ? html` <span class="badge">escalated</span>` : ''}</td>
<td data-label="Model">${t.model ?? '–'}</td>
<td class="num" data-label="Cost" data-micros="${t.costMicros}">${usd(t.costMicros)}${t.shadowMicros > 0 ? html`<div class="meta">shadow ${usd(t.shadowMicros)}</div>` : ''}</td>
<td data-label="State"><span class="badge ${t.state}">${t.state}</span></td>
<td data-label="Trace">${link ? html`<a href="${link}" rel="noopener">trace<span class="sr-only"> of ${t.skill} ${t.id}</span></a>` : '–'}</td>
</tr>`;
  })}</tbody></table></div>
${tasks.length === 0 ? html`<p class="meta">No tasks yet.</p>` : ''}
<p class="meta">Cost is the sum of the task's ledger rows; the same as <code>forge tasks --json</code>.</p>`;
}
