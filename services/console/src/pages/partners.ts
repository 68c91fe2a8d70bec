import { type PartnerCallCounts, type PartnerOverview, type PartnerReport, usd } from '@forge/ledger-views';
import { type Html, html } from '../html.js';
import { traceLink } from './tasks.js';

const when = (iso: string | null) => (iso === null ? '–' : iso.slice(0, 16).replace('T', ' '));
const rate = (counts: PartnerCallCounts) =>
  counts.errorRate === null ? '–' : `${(counts.errorRate * 100).toFixed(1)}%`;
const money = (micros: number) => html`<span data-micros="${micros}">${usd(micros)}</span>`;

function stat(label: string, value: string | Html, id: string): Html {
  return html`<div><dt>${label}</dt><dd id="${id}">${value}</dd></div>`;
}

/** One skill's link to the tasks page, filtered to that skill. */
const skillLink = (skill: string) =>
  skill.includes('.') && !skill.startsWith('(')
    ? html`<a href="/tasks?skill=${encodeURIComponent(skill)}">${skill}</a>`
    : html`${skill}`;

function partnerSection(p: PartnerReport['partners'][number]): Html {
  const { inbound, outbound } = p;
  return html`<section id="partner-${p.partner}" aria-labelledby="partner-${p.partner}-title">
<h2 id="partner-${p.partner}-title">Partner ${p.partner}</h2>
<h3>What ${p.partner} asked of us</h3>
${
  inbound.bySkill.length === 0
    ? html`<p class="meta">Nothing this month.</p>`
    : html`<div class="table-wrap"><table class="cards skills-table" data-direction="inbound">
<thead><tr><th scope="col">Skill</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Completed</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Open</th><th scope="col" class="num">Spend</th><th scope="col" class="num">Shadow</th></tr></thead>
<tbody>${inbound.bySkill.map(
        (s) => html`<tr data-skill="${s.skill}">
<th scope="row">${skillLink(s.skill)}</th>
<td class="num" data-label="Calls">${s.calls}</td>
<td class="num" data-label="Completed">${s.completed}</td>
<td class="num" data-label="Errors">${s.errors}</td>
<td class="num" data-label="Open">${s.open}</td>
<td class="num" data-label="Spend">${money(s.spendMicros)}</td>
<td class="num" data-label="Shadow">${usd(s.shadowMicros)}</td>
</tr>`,
      )}</tbody></table></div>`
}
${
  inbound.byTier.length === 0
    ? ''
    : html`<div class="table-wrap"><table class="tiers-table"><caption class="meta">Spend on ${p.partner}'s work by tier (ledger rows)</caption>
<thead><tr><th scope="col">Tier</th><th scope="col" class="num">Model calls</th><th scope="col" class="num">Refused by budget</th><th scope="col" class="num">Spend</th><th scope="col" class="num">Shadow</th></tr></thead>
<tbody>${inbound.byTier.map(
        (t) =>
          html`<tr data-tier="${t.tier}"><th scope="row">${t.tier}</th><td class="num" data-field="model-calls">${t.modelCalls}</td><td class="num" data-field="refused">${t.refusedCalls}</td><td class="num">${money(t.spendMicros)}</td><td class="num">${usd(t.shadowMicros)}</td></tr>`,
      )}</tbody></table></div>`
}
<h3>What we asked of ${p.partner}</h3>
${
  outbound.bySkill.length === 0
    ? html`<p class="meta">Nothing this month.</p>`
    : html`<div class="table-wrap"><table class="cards skills-table" data-direction="outbound">
<thead><tr><th scope="col">Their skill</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Completed</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Open</th><th scope="col">Last call (UTC)</th></tr></thead>
<tbody>${outbound.bySkill.map(
        (s) => html`<tr data-skill="${s.skill}">
<th scope="row">${s.skill}</th>
<td class="num" data-label="Calls">${s.calls}</td>
<td class="num" data-label="Completed">${s.completed}</td>
<td class="num" data-label="Errors">${s.errors}</td>
<td class="num" data-label="Open">${s.open}</td>
<td data-label="Last call">${when(s.lastCallAt)}</td>
</tr>`,
      )}</tbody></table></div>`
}
</section>`;
}

/**
 * The partners page: per partner, the calls it made this month and in the last 24 hours (task
 * records), their errors and error rate, the ledger's spend on its work by tier and skill, what
 * this brain asked of it (`partners.ask` tasks), and the recent failed calls with their traces.
 */
export function partnersBody(overview: PartnerOverview, options: { jaegerUrl: string | undefined }): Html {
  const { window: month, last24h } = overview;
  const day = new Map(last24h.partners.map((p) => [p.partner, p]));
  const names = [...new Set([...month.partners, ...last24h.partners].map((p) => p.partner))].sort();
  const byName = new Map(month.partners.map((p) => [p.partner, p]));
  const t = month.totals;
  return html`<dl class="stats">
${stat(`Calls from partners since ${month.since.slice(0, 10)}`, String(t.inbound.calls), 'inbound-calls')}
${stat('Errors (failed, rejected, canceled)', String(t.inbound.errors), 'inbound-errors')}
${stat('Error rate', rate(t.inbound), 'inbound-error-rate')}
${stat('Spent on partners’ work', usd(t.inbound.spendMicros), 'inbound-spend')}
${stat('Calls, last 24 h', String(last24h.totals.inbound.calls), 'day-calls')}
${stat('Spent, last 24 h', usd(last24h.totals.inbound.spendMicros), 'day-spend')}
${stat('Our calls to partners', String(t.outbound.calls), 'outbound-calls')}
</dl>
<h2>Partners</h2>
${
  names.length === 0
    ? html`<p class="meta">No partner has called this brain, and it has asked none, this month.</p>`
    : html`<div class="table-wrap"><table id="partners-table" class="cards">
<thead><tr><th scope="col">Partner</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Completed</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Error rate</th><th scope="col" class="num">Spend</th><th scope="col">Last call (UTC)</th><th scope="col" class="num">Calls 24 h</th><th scope="col" class="num">Errors 24 h</th><th scope="col" class="num">Spend 24 h</th><th scope="col" class="num">Outbound</th><th scope="col" class="num">Outbound errors</th></tr></thead>
<tbody>${names.map((name) => {
        const m = byName.get(name)?.inbound;
        const o = byName.get(name)?.outbound;
        const d = day.get(name)?.inbound;
        return html`<tr data-partner="${name}">
<th scope="row"><a href="#partner-${name}">${name}</a></th>
<td class="num" data-label="Calls" data-field="calls">${m?.calls ?? 0}</td>
<td class="num" data-label="Completed" data-field="completed">${m?.completed ?? 0}</td>
<td class="num" data-label="Errors" data-field="errors">${m?.errors ?? 0}</td>
<td class="num" data-label="Error rate" data-field="error-rate">${m ? rate(m) : '–'}</td>
<td class="num" data-label="Spend" data-field="spend">${money(m?.spendMicros ?? 0)}</td>
<td data-label="Last call" data-field="last-call">${when(m?.lastCallAt ?? null)}</td>
<td class="num" data-label="Calls 24 h" data-field="day-calls">${d?.calls ?? 0}</td>
<td class="num" data-label="Errors 24 h" data-field="day-errors">${d?.errors ?? 0}</td>
<td class="num" data-label="Spend 24 h" data-field="day-spend">${money(d?.spendMicros ?? 0)}</td>
<td class="num" data-label="Outbound" data-field="outbound-calls">${o?.calls ?? 0}</td>
<td class="num" data-label="Outbound errors" data-field="outbound-errors">${o?.errors ?? 0}</td>
</tr>`;
      })}</tbody></table></div>`
}
${month.partners.map(partnerSection)}
<h2>Recent failed calls</h2>
${options.jaegerUrl ? '' : html`<p class="meta">Trace links appear when FORGE_JAEGER_URL is set.</p>`}
${
  month.recentFailures.length === 0
    ? html`<p class="meta">None since ${month.since.slice(0, 10)}.</p>`
    : html`<div class="table-wrap"><table id="failures-table" class="cards">
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Partner</th><th scope="col">Skill</th><th scope="col">State</th><th scope="col">Error</th><th scope="col">Trace</th></tr></thead>
<tbody>${month.recentFailures.map((f) => {
        const link = traceLink(options.jaegerUrl, f.taskId);
        return html`<tr data-task="${f.taskId}">
<td data-label="When">${when(f.updatedAt)}</td>
<td data-label="Partner">${f.partner} <span class="meta">${f.direction}</span></td>
<th scope="row">${f.skill}<div class="meta">task ${f.taskId}</div></th>
<td data-label="State"><span class="badge ${f.state}">${f.state}</span></td>
<td data-label="Error">${f.message === null ? '–' : html`${f.code ? html`<code>${f.code}</code> ` : ''}${f.message.slice(0, 300)}`}</td>
<td data-label="Trace">${link ? html`<a href="${link}" rel="noopener">trace<span class="sr-only"> of ${f.skill} ${f.taskId}</span></a>` : '–'}</td>
</tr>`;
      })}</tbody></table></div>`
}
<p class="meta">Calls and errors are the task records: inbound, tasks whose origin is a partner (created from ${month.since.slice(0, 16).replace('T', ' ')} UTC, the start of the month partner budgets count, and in the last 24 hours); an error is a call that ended failed, rejected or canceled, and the error rate is errors over the calls that ended. Spend is the cost ledger's rows for the partner's work, counted by when each row was written (from the same instant), as the gateway's monthly partner budget counts them: work on a task made before the 1st is this month's spend, so a partner can show spend without calls at a month boundary (offline shadow cost apart, never spend). Model calls are the ledger rows of calls sent to a model; attempts the budget refused are counted apart and cost nothing. Outbound is this brain's <code>partners.ask</code> tasks whose target is <code>partner/&lt;name&gt;/&lt;agent&gt;.&lt;skill&gt;</code>, less those the gateway refused before asking (no such partner in the registry, or not allowed to ask it that skill) (<code>forge send partner/…</code>); a skill asking a partner from inside its own task is in that task's trace, not counted here. Partner budgets are enforced by the gateway from the federation registry, which the console does not read. The same numbers as <code>forge partners --json</code>.</p>`;
}
