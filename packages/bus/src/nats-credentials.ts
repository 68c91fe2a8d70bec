import { ForgeError } from '@forge/contracts';

/** Server URLs without their credentials, and the credentials they carried. */
export interface ServerCredentials {
  servers: string[];
  user?: string;
  pass?: string;
}

/**
 * Takes `user:password@` out of NATS server URLs (`nats://forge-router:s3cret@nats:4222`, what
 * the chart composes from a Secret), since nats.js authenticates from options, not from the URL.
 * Every URL that carries credentials must carry the same ones (BAD_CONFIG otherwise); values are
 * percent-decoded. URLs without credentials pass through unchanged.
 */
export function splitServerCredentials(servers: readonly string[]): ServerCredentials {
  let user: string | undefined;
  let pass: string | undefined;
  const stripped = servers.map((server) => {
    const at = server.lastIndexOf('@');
    if (at < 0) return server;
    const scheme = server.indexOf('://');
    const start = scheme < 0 ? 0 : scheme + 3;
    const userinfo = server.slice(start, at);
    const colon = userinfo.indexOf(':');
    const u = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const p = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    if ((user !== undefined && user !== u) || (pass !== undefined && pass !== p)) {
      throw new ForgeError('BAD_CONFIG', 'NATS_URL: every server must carry the same credentials', {
        retryable: false,
      });
    }
    user = u;
    pass = p;
    return `${server.slice(0, start)}${server.slice(at + 1)}`;
  });
  return {
    servers: stripped,
    ...(user ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
  };
}
