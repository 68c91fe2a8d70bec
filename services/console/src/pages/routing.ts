import { type RouteExplanation, usd } from '@forge/ledger-views';
import type { DecisionOverview, EscalationOverview } from '@forge/store';
import { type Html, html } from '../html.js';

/** One registered skill's row of the route table: what the router would give it now, and why. */
export interface RouteRow {
  readonly skill: string;
  readonly tierHint: string;
  readonly configured: string | null;
  readonly explanation: RouteExplanation;
}

const TIER_RANK: Record<string, number> = { tool: 0, small: 1, mid: 2, frontier: 3 };

function explainBlock(e: RouteExplanation): Html {
  return html`<section class="card" id="explain" aria-labelledby="explain-title">
<h2 id="explain-title">${e.skill} → ${e.tier}${e.model ? ` (${e.model})` : ' (plain code, $0)'}</h2>
<p class="meta">critical: ${e.critical ? 'yes' : 'no'} · max tier ${e.maxTier} · budget action ${e.budgetAction} · policy ${e.policyVersion}</p>
<ol>${e.reasons.map((r) => html`<li>${r}</li>`)}</ol>
${
  e.budgets.length
    ? html`<h3>Budgets this month</h3><ul>${e.budgets.map(
        (b) =>
          html`<li>${b.scope}: ${usd(b.usedMicros)} of ${usd(b.limitMicros)} used${b.exhausted ? ' — EXHAUSTED' : ''}</li>`,
      )}</ul>`
    : ''
}
</section>`;
}

export function routingBody(input: {
  routes: readonly RouteRow[];
  decisions: readonly DecisionOverview[];
  escalations: readonly EscalationOverview[];
  explained: RouteExplanation | null;
  skill: string;
  error: string | null;
  providers: readonly string[];
  policyVersion: string;
}): Html {
  const downgrades = input.decisions.filter(
    (d) => d.tierHint !== null && TIER_RANK[d.tier]! < TIER_RANK[d.tierHint]!,
  );
  return html`<form method="get" action="/routing" class="card">
<label for="skill">Explain the route of a skill</label>
<input id="skill" name="skill" list="skills" value="${input.skill}" placeholder="compliance.review" required>
<datalist id="skills">${input.routes.map((r) => html`<option value="${r.skill}"></option>`)}</datalist>
<p><button type="submit">Explain</button></p>
${input.error ? html`<p class="flash error" role="alert">${input.error}</p>` : ''}
</form>
${input.explained ? explainBlock(input.explained) : ''}
<h2>Route table</h2>
<p class="meta">Policy ${input.policyVersion}; models: ${input.providers.length ? input.providers.join(', ') : 'offline only (no model key)'}.</p>
<div class="table-wrap"><table id="route-table" class="cards"><thead><tr><th scope="col">Skill</th><th scope="col">Manifest</th><th scope="col">Config</th><th scope="col">Tier now</th><th scope="col">Model</th><th scope="col">Why (last rule)</th></tr></thead>
<tbody>${input.routes.map(
    (
      r,
    ) => html`<tr><th scope="row"><a href="/routing?skill=${encodeURIComponent(r.skill)}#explain">${r.skill}</a>${r.explanation.critical ? html` <span class="badge">critical</span>` : ''}</th>
<td data-label="Manifest">${r.tierHint}</td><td data-label="Config">${r.configured ?? '–'}</td><td data-label="Tier now">${r.explanation.tier}</td><td data-label="Model">${r.explanation.model ?? '–'}</td><td data-label="Why">${r.explanation.reasons.at(-1) ?? ''}</td></tr>`,
  )}</tbody></table></div>
<h2>Recent decisions</h2>
<div class="table-wrap"><table id="decisions-table" class="cards"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Skill</th><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">Reasons</th></tr></thead>
<tbody>${input.decisions.map(
    (d) =>
      html`<tr><td data-label="When">${d.decidedAt.slice(0, 19).replace('T', ' ')}</td><th scope="row">${d.skill}</th><td data-label="Tier">${d.tier}${d.model ? html`<div class="meta">${d.model}</div>` : ''}</td><td data-label="Status">${d.status}</td><td data-label="Reasons"><details><summary>${d.reasons.at(-1) ?? ''}</summary><ol>${d.reasons.map((r) => html`<li>${r}</li>`)}</ol></details></td></tr>`,
  )}</tbody></table></div>
${input.decisions.length === 0 ? html`<p class="meta">No decisions yet.</p>` : ''}
<h2>Escalations and fallbacks</h2>
${
  input.escalations.length === 0
    ? html`<p class="meta">None recorded.</p>`
    : html`<ul id="escalations">${input.escalations.map(
        (e) =>
          html`<li>${e.at.slice(0, 19).replace('T', ' ')} ${e.skill ?? 'api'}: ${e.escalated ? `escalated to ${e.tier}` : 'fell back'} (${e.model})${e.reason ? ` — ${e.reason}` : ''}</li>`,
      )}</ul>`
}
<h2>Downgrades</h2>
${
  downgrades.length === 0
    ? html`<p class="meta">None among the recent decisions.</p>`
    : html`<ul id="downgrades">${downgrades.map(
        (d) =>
          html`<li>${d.decidedAt.slice(0, 19).replace('T', ' ')} ${d.skill}: ${d.tierHint} → ${d.tier} — ${d.reasons.at(-1) ?? ''}</li>`,
      )}</ul>`
}`;
}
