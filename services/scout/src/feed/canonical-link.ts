/**
 * Query parameters that only say where a click came from. They are stripped so the same
 * article shared through two campaigns de-duplicates to one link.
 */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
]);

function paramName(piece: string): string {
  const raw = piece.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

/**
 * The canonical form of a feed item's link, or null when it is not an http(s) URL:
 * resolved against `base` when relative, host lower-cased and default port dropped (WHATWG URL
 * does both), credentials removed (they must never be stored or logged), `utm_*` and click-id
 * parameters removed with the remaining order kept, and the fragment dropped.
 */
export function canonicalLink(raw: string, base?: string): string | null {
  const text = raw.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.username = '';
  url.password = '';
  url.hash = '';
  // Filter the raw `name=value` pieces rather than re-serialising URLSearchParams, which would
  // re-encode the kept values (`%20` to `+`) and make two spellings of one link differ.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((piece) => piece !== '' && !isTracking(paramName(piece)));
  url.search = kept.length ? `?${kept.join('&')}` : '';
  return url.toString();
}

/** Resolves `href` against `base` without canonicalising; null when it cannot be resolved. */
export function resolveUrl(href: string, base?: string): string | null {
  try {
    return (base ? new URL(href.trim(), base) : new URL(href.trim())).toString();
  } catch {
    return null;
  }
}
