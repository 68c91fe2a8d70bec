import type { ScheduleView } from '@forge/contracts';
import { type Html, html } from '../html.js';

const at = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '–');

export function scheduleBody(input: {
  schedules: readonly ScheduleView[];
  clock: string;
  now: string;
  csrf: string;
  error: string | null;
}): Html {
  const token = html`<input type="hidden" name="_csrf" value="${input.csrf}">`;
  return html`${input.error ? html`<p class="flash error" role="alert">${input.error}</p>` : ''}
<p class="meta">${input.schedules.length} schedules on the ${input.clock} clock; now ${at(input.now)}.</p>
${input.schedules.map(
  (s) => html`<article class="card" id="schedule-${s.name}" aria-labelledby="s-${s.name}">
<h2 id="s-${s.name}">${s.name} ${s.paused ? html`<span class="badge pending">paused</span>` : ''}</h2>
<p class="meta">${s.cron} (${s.timeZone}) → ${s.skill}${s.tier ? ` [${s.tier}]` : ''}${s.skillRegistered ? '' : ' · skill not registered yet'}</p>
<p>${s.description}</p>
<p>Next run: <strong>${s.paused ? `paused by ${s.pausedBy ?? '?'}` : at(s.nextRunAt)}</strong><br>
Last run: ${s.lastRun ? html`${at(s.lastRun.tickAt)} ${s.lastRun.trigger}, ${s.lastRun.outcome}${s.lastRun.state ? `, task ${s.lastRun.state}` : ''}${s.lastRun.reason ? html` <span class="meta">(${s.lastRun.reason})</span>` : ''}` : 'never'}</p>
<div class="actions">
<form method="post" action="/schedule/${s.name}/${s.paused ? 'resume' : 'pause'}">${token}<button type="submit">${s.paused ? 'Resume' : 'Pause'}<span class="sr-only"> ${s.name}</span></button></form>
<form method="post" action="/schedule/${s.name}/run">${token}<button type="submit">Run now<span class="sr-only"> ${s.name}</span></button></form>
</div>
</article>`,
)}`;
}
