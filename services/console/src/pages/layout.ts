import { type Html, html } from '../html.js';

/** The pages of the console, in the order of its navigation. */
export const NAV = [
  { path: '/approvals', label: 'Approvals' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/costs', label: 'Costs' },
  { path: '/partners', label: 'Partners' },
  { path: '/routing', label: 'Routing' },
  { path: '/schedule', label: 'Schedule' },
] as const;

export interface PageContext {
  readonly operator: string;
  readonly csrfToken: string;
  readonly brain: string;
}

export interface PageOptions {
  readonly title: string;
  /** The nav entry to mark current. */
  readonly path: string;
  readonly body: Html;
  /** Scripts of this page (served from /static, deferred). */
  readonly scripts?: readonly string[];
  readonly styles?: readonly string[];
  /** A message for the person after an action (a live region reads it). */
  readonly flash?: { kind: 'ok' | 'error'; text: string } | null;
}

/**
 * The page shell: one small stylesheet, no script unless a page asks for one (deferred, from
 * /static), a skip link, the navigation, and a logout form carrying the CSRF token.
 */
export function page(ctx: PageContext | null, options: PageOptions): string {
  const nav = ctx
    ? html`<nav aria-label="Console"><ul>${NAV.map(
        (item) =>
          html`<li><a href="${item.path}"${options.path === item.path ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
      )}</ul><form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${ctx.csrfToken}"><button type="submit">Log out ${ctx.operator}</button></form></nav>`
    : '';
  const flash = options.flash
    ? html`<p class="flash ${options.flash.kind}" role="${options.flash.kind === 'error' ? 'alert' : 'status'}">${options.flash.text}</p>`
    : html`<p class="flash" role="status" hidden></p>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · Forge${ctx ? ` (${ctx.brain})` : ''}</title>
<link rel="stylesheet" href="/static/console.css">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand">Forge${ctx ? html` <span class="brain">${ctx.brain}</span>` : ''}</p>${nav}</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${flash}
${options.body}
</main>
</body>
</html>`.value;
}
