import { type ApprovalItem, ApprovalStatus } from '@forge/contracts';
import { type Html, html } from '../html.js';

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function verdictBlock(item: ApprovalItem): Html {
  const v = item.verdict;
  return html`<h3>Compliance verdict</h3>${
    v
      ? html`<p><span class="badge ${v.decision}">${v.decision}</span> <span class="meta">policy ${v.policyVersion}</span></p>
${v.violations.length ? html`<ul>${v.violations.map((x) => html`<li><strong>${x.ruleId}</strong> [${x.severity}]: ${x.why}${x.excerpt ? html` — “${x.excerpt}”` : ''}</li>`)}</ul>` : ''}`
      : html`<p class="meta">no verdict recorded</p>`
  }
<h3>Rules fired</h3>${
    item.rulesFired.length
      ? html`<p>${item.rulesFired.map((r) => html`<span class="badge">${r}</span>`)}</p>`
      : html`<p class="meta">none</p>`
  }${
    item.safety.length
      ? html`<h3>Instructions found in the source (not followed)</h3><ul>${item.safety.map((s) => html`<li>${s.source}: ${s.pattern} — “${s.excerpt}”</li>`)}</ul>`
      : ''
  }`;
}

function reviewBlock(item: ApprovalItem): Html {
  const r = item.review;
  if (!r) {
    return html`<h3>Frontier review</h3><p class="meta">${item.status === 'pending' && item.verdict?.decision !== 'allow' ? 'not attached yet' : 'none asked for'}</p>`;
  }
  return html`<h3>Frontier review</h3>
<p><span class="badge">${r.recommendation}</span> confidence ${r.confidence.toFixed(2)} <span class="meta">${r.model}${r.offline ? ' (offline)' : ''}</span></p>
<p>${r.summary}</p>
<details><summary>Reasoning</summary><pre>${r.reasoning}</pre>${
    r.concerns.length ? html`<ul>${r.concerns.map((c) => html`<li>${c}</li>`)}</ul>` : ''
  }${r.suggestedText ? html`<p>Suggested text:</p><p class="text">${r.suggestedText}</p>` : ''}</details>`;
}

function actions(item: ApprovalItem, csrf: string): Html {
  if (item.status !== 'pending') return html``;
  const id = item.id;
  const token = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const edit =
    item.kind === 'post'
      ? html`<details class="edit"><summary>Edit then approve</summary>
<form method="post" action="/approvals/${id}/approve">${token}
<label for="text-${id}">Text to publish</label>
<textarea id="text-${id}" name="text" required maxlength="20000">${item.text ?? ''}</textarea>
<p><button type="submit" class="primary">Approve edited text</button></p></form></details>`
      : '';
  return html`<div class="actions">
<form method="post" action="/approvals/${id}/approve">${token}<button type="submit" class="primary" aria-describedby="title-${id}">Approve</button></form>
<form method="post" action="/approvals/${id}/reject" class="grow">${token}
<label for="reason-${id}">Reason to reject</label>
<input id="reason-${id}" name="reason" required minlength="3" maxlength="2000">
<button type="submit" class="danger" aria-describedby="title-${id}">Reject</button></form>
</div>${edit}`;
}

/** One item as a card: what would go out, the verdict, the rules, the review, and the decisions. */
export function approvalCard(item: ApprovalItem, csrf: string): Html {
  const title =
    item.kind === 'budget'
      ? `Budget: ${item.budget?.skill ?? 'task'} at ${item.budget?.tier ?? '?'}`
      : `${item.channel ?? 'post'} post`;
  const body =
    item.kind === 'budget'
      ? html`<p>${item.budget?.reason ?? ''}</p><p class="meta">task ${item.budget?.taskId}</p>`
      : html`<p class="text">${item.text ?? ''}</p>${
          item.draft !== null && item.draft !== item.text
            ? html`<details><summary>Original draft</summary><p class="text">${item.draft}</p></details>`
            : ''
        }${verdictBlock(item)}${reviewBlock(item)}`;
  return html`<article class="card approval" id="item-${item.id}" aria-labelledby="title-${item.id}" data-status="${item.status}">
<h2 id="title-${item.id}"><a href="/approvals/${item.id}">${title}</a> <span class="badge ${item.status}">${item.status}</span></h2>
<p class="meta">asked by ${item.requestedBy}, ${when(item.createdAt)}${item.decidedBy ? ` · ${item.status} by ${item.decidedBy}` : ''}${item.decisionReason ? `: ${item.decisionReason}` : ''}</p>
${body}
${actions(item, csrf)}
${
  item.decisions.length
    ? html`<details><summary>History (${item.decisions.length})</summary><ul>${item.decisions.map(
        (d) => html`<li>${when(d.at)} ${d.action} by ${d.actor}${d.reason ? `: ${d.reason}` : ''}</li>`,
      )}</ul></details>`
    : ''
}
</article>`;
}

export const STATUS_FILTERS = [
  'pending',
  ...ApprovalStatus.options.filter((s) => s !== 'pending'),
  'all',
] as const;

/** The list part of the page (also served alone, for the live refresh). */
export function approvalList(
  items: readonly ApprovalItem[],
  csrf: string,
  status: string,
  version: number,
): Html {
  return html`<div id="approval-list" data-count="${items.length}" data-version="${version}">${
    items.length === 0
      ? html`<p class="meta">No ${status === 'all' ? '' : status} items.</p>`
      : items.map((item) => approvalCard(item, csrf))
  }</div>`;
}

export function approvalsBody(
  items: readonly ApprovalItem[],
  csrf: string,
  status: string,
  version: number,
): Html {
  return html`<nav aria-label="Filter by status" class="filters">${STATUS_FILTERS.map(
    (s) => html`<a href="/approvals?status=${s}"${s === status ? html` aria-current="true"` : ''}>${s}</a>`,
  )}</nav>
<p class="meta" id="live-note" data-status="${status}">New items appear here as they arrive.</p>
${approvalList(items, csrf, status, version)}`;
}
