import { createHash } from 'node:crypto';
import { AgentCard } from '@a2a-js/sdk';
import { agentCardHandler } from '@a2a-js/sdk/server/express';
import type { RequestHandler } from 'express';

/** How long a client may keep the card before asking again (A2A v1.0 §8.6.1). */
const CARD_MAX_AGE_SECONDS = 300;

/** What the card route serves: the v1.0 card, and when it last changed. */
export interface CardSource {
  card(): AgentCard;
  /** When the card was built (the service started with it). */
  since(): Date;
}

/**
 * RFC 9110 §13.1: If-None-Match (weak comparison, `*` matches) when present, else
 * If-Modified-Since. An origin server evaluates them whatever the request's Cache-Control says
 * (a client revalidating with `no-cache` still wants its 304).
 */
function notModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  etag: string,
  since: Date,
): boolean {
  if (ifNoneMatch !== undefined) {
    const bare = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
  }
  if (ifModifiedSince !== undefined) {
    const at = Date.parse(ifModifiedSince);
    return Number.isFinite(at) && since.getTime() <= at;
  }
  return false;
}

/** The card a request asks for: v0.3 only when `A2A-Version` (header or query) says 0.x. */
function wantsLegacy(versionHeader: string | undefined, query: Record<string, unknown>): boolean {
  const fromQuery = Object.entries(query).find(([k]) => k.toLowerCase() === 'a2a-version')?.[1];
  const version = (versionHeader ?? (typeof fromQuery === 'string' ? fromQuery : '')).trim();
  return /^0\.\d+(\.\d+)?$/.test(version);
}

/**
 * `GET /.well-known/agent-card.json` (A2A v1.0 §8.2): the v1.0 card (ProtoJSON), to any client
 * that does not ask for v0.3 by `A2A-Version: 0.3` (a request without the header gets v1.0: the
 * card is how a client learns the versions). Cached as §8.6.1 asks: `Cache-Control` with
 * `max-age`, an `ETag` from a hash of the card, `Last-Modified` from when it was built, `Vary:
 * A2A-Version`; a conditional request that still matches gets 304 (see `notModified`). v0.3
 * clients get the SDK's
 * translation of the same card.
 */
export function cardRoute(source: CardSource): RequestHandler {
  const legacy = agentCardHandler({
    agentCardProvider: async () => source.card(),
    legacyCompat: { enabled: true },
  });
  let cached: { card: AgentCard; body: string; etag: string } | undefined;
  const current = () => {
    const card = source.card();
    if (cached?.card !== card) {
      const body = JSON.stringify(AgentCard.toJSON(card));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      cached = { card, body, etag };
    }
    return cached;
  };
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    if (wantsLegacy(req.header('a2a-version'), req.query)) {
      legacy(req, res, next);
      return;
    }
    const { body, etag } = current();
    const since = source.since();
    res.set({
      'Cache-Control': `public, max-age=${CARD_MAX_AGE_SECONDS}`,
      ETag: etag,
      'Last-Modified': since.toUTCString(),
    });
    res.append('Vary', 'A2A-Version');
    if (notModified(req.header('if-none-match'), req.header('if-modified-since'), etag, since)) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json').send(body);
  };
}
