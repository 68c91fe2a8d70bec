import {
  type FederationConfig,
  HashedSecrets,
  issueAccessToken,
  type KeyRing,
  skillScope,
} from '@forge/federation';
import type { Logger } from '@forge/telemetry';
import express, { type Request, type Response, type Router } from 'express';

/** An OAuth2 error answer (RFC 6749 §5.2). */
function oauthError(
  res: Response,
  status: number,
  error: string,
  description: string,
  challenge?: string,
): void {
  if (challenge) res.set('WWW-Authenticate', challenge);
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the body. */
function clientCredentials(req: Request): { id: string; secret: string; basic: boolean } | null {
  const authorization = req.header('authorization');
  if (authorization) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    try {
      return {
        id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
        basic: true,
      };
    } catch {
      return null;
    }
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') {
    return { id: body.client_id, secret: body.client_secret, basic: false };
  }
  return null;
}

/**
 * `POST /oauth/token`: OAuth2 client credentials (RFC 6749 §4.4) for partners. The client is a
 * partner (its `clientId`, default its name) with a secret whose hash is in its file; the token is
 * a JWT signed by the brain's current key for the gateway's public URL, with the scopes asked for
 * (`skill:<agent>.<skill>`, each granted to the partner) or, without `scope`, every skill granted.
 */
export function tokenEndpoint(config: FederationConfig, ring: KeyRing, logger: Logger): Router {
  const clients = new Map(
    Object.entries(config.partners).flatMap(([name, p]) => {
      const file = p.inbound?.credentials.clientSecretHashesFile;
      if (!p.inbound || !file) return [];
      return [
        [
          p.inbound.credentials.clientId ?? name,
          { partner: name, secrets: new HashedSecrets(file), skills: p.inbound.skills },
        ],
      ];
    }),
  );
  const router = express.Router();
  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    async (req, res) => {
      try {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (body.grant_type !== 'client_credentials') {
          oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
          return;
        }
        const presented = clientCredentials(req);
        const client = presented ? clients.get(presented.id) : undefined;
        if (!presented || !client || !(await client.secrets.matches(presented.secret))) {
          logger.info(
            { clientId: presented?.id?.slice(0, 100) },
            'token refused: unknown client or wrong secret',
          );
          oauthError(
            res,
            401,
            'invalid_client',
            'client authentication failed',
            `Basic realm="${config.publicUrl}"`,
          );
          return;
        }
        const granted = client.skills.map(skillScope);
        const asked =
          typeof body.scope === 'string' && body.scope.trim() !== ''
            ? body.scope.trim().split(/\s+/)
            : granted;
        const refused = asked.filter((scope) => !granted.includes(scope));
        if (refused.length > 0) {
          oauthError(
            res,
            400,
            'invalid_scope',
            `not granted to this client: ${refused.join(' ').slice(0, 300)}`,
          );
          return;
        }
        const token = await issueAccessToken(ring, {
          issuer: config.publicUrl,
          audience: config.publicUrl,
          subject: client.partner,
          scopes: asked,
          ttlSeconds: config.tokenTtlSeconds,
        });
        res
          .status(200)
          .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
          .json({
            access_token: token.accessToken,
            token_type: 'Bearer',
            expires_in: token.expiresIn,
            scope: asked.join(' '),
          });
      } catch (error) {
        logger.error({ err: String(error) }, 'token endpoint failed');
        oauthError(res, 500, 'server_error', 'the token could not be issued');
      }
    },
  );
  router.all('/', (_req, res) => {
    res.set('Allow', 'POST');
    oauthError(res, 405, 'invalid_request', 'the token endpoint takes POST');
  });
  return router;
}
