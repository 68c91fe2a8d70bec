import { dirname, isAbsolute, resolve } from 'node:path';
import { loadYamlConfigFile, parseYamlConfig } from '@forge/yaml-config';
import { z } from 'zod';

/** A partner's name: it becomes the principal `partner:<name>` and a path segment (`partner/<name>/...`). */
export const PartnerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes, starting with a letter');

/** A qualified skill id, `<agent>.<skill>`, as cards list them. */
export const QualifiedSkill = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/, 'must be <agent>.<skill> in lower-case kebab-case');

const RateLimit = z.strictObject({
  /** Calls per minute, refilled evenly. */
  perMinute: z.number().int().positive().max(1_000_000),
  /** Calls that may come at once on top of the steady rate; default: a second's worth, at least 1. */
  burst: z.number().int().positive().max(1_000_000).optional(),
});

/** How a partner proves who it is when it calls us; hashes only (SHA-256 hex, one per line). */
const InboundCredentials = z
  .strictObject({
    /** The OAuth2 client id; default: the partner's name. */
    clientId: z.string().min(1).max(200).optional(),
    /** File of SHA-256 hex hashes of accepted client secrets, one per line (two during a rotation). */
    clientSecretHashesFile: z.string().min(1).optional(),
    /** File of SHA-256 hex hashes of accepted API keys, one per line. */
    apiKeyHashesFile: z.string().min(1).optional(),
  })
  .refine((c) => c.clientSecretHashesFile !== undefined || c.apiKeyHashesFile !== undefined, {
    message: 'needs clientSecretHashesFile or apiKeyHashesFile',
  });

/** How we prove who we are when we call them. Secrets come from a file (rotatable) or a variable. */
const OutboundCredentials = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('oauth2'),
    clientId: z.string().min(1).max(200),
    clientSecretFile: z.string().min(1).optional(),
    clientSecretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    /** Default: the tokenUrl of the partner card's OAuth2 scheme. */
    tokenUrl: z.url().optional(),
  }),
  z.strictObject({
    kind: z.literal('apiKey'),
    keyFile: z.string().min(1).optional(),
    keyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
  }),
]);

const Partner = z.strictObject({
  /** Where the partner's signed agent card is. */
  cardUrl: z.url(),
  /** The JWKS their card's `jku` must name; default: any URL on the card URL's origin. */
  jwksUrl: z.url().optional(),
  /** What this partner may do here; absent: nothing. */
  inbound: z
    .strictObject({
      skills: z.array(QualifiedSkill).max(200),
      credentials: InboundCredentials,
      rateLimit: RateLimit,
      /** The spend (USD, calendar month, UTC) of the work they ask of us; refused once reached. */
      monthlyBudgetUsd: z.number().nonnegative().max(1_000_000),
    })
    .optional(),
  /** What we may ask of them; absent: nothing. */
  outbound: z
    .strictObject({
      skills: z.array(QualifiedSkill).max(200),
      credentials: OutboundCredentials,
      timeoutMs: z.number().int().positive().max(600_000).default(30_000),
      retries: z.number().int().min(0).max(10).default(2),
      breaker: z
        .strictObject({
          failures: z.number().int().positive().max(1000).default(5),
          openMs: z.number().int().positive().max(3_600_000).default(30_000),
        })
        .default({ failures: 5, openMs: 30_000 }),
    })
    .optional(),
});

/** A brain's federation config: its face to other companies and the partners it knows. */
export const FederationConfig = z.strictObject({
  /** The gateway's URL as partners reach it (behind a proxy: the proxy's); the card's URLs use it. */
  publicUrl: z.url(),
  /** Who runs this brain, for the card's provider. */
  organization: z.string().min(1).max(200),
  /** PEM files of the brain's ES256 keys: the first signs, every one present verifies. */
  signingKeys: z.array(z.string().min(1)).min(1).max(4),
  /** Lifetime of the access tokens the token endpoint issues. */
  tokenTtlSeconds: z.number().int().min(1).max(86_400).default(300),
  /** The outbound policy over answers to partners: the company's own contacts may go out. */
  compliance: z
    .strictObject({ allowedContacts: z.array(z.string().min(3).max(200)).max(50).default([]) })
    .default({ allowedContacts: [] }),
  /** The skills this brain shares with partners (which partner gets which is per partner). */
  shares: z.array(QualifiedSkill).max(200),
  partners: z.record(PartnerName, Partner),
});
export type FederationConfig = z.infer<typeof FederationConfig>;
export type PartnerConfig = FederationConfig['partners'][string];

/** Every file path in the config made absolute against the config file's folder. */
function resolvePaths(config: FederationConfig, base: string): FederationConfig {
  const at = (path: string | undefined) =>
    path === undefined || isAbsolute(path) ? path : resolve(base, path);
  const partners = Object.fromEntries(
    Object.entries(config.partners).map(([name, p]) => {
      const inbound = p.inbound && {
        ...p.inbound,
        credentials: {
          ...p.inbound.credentials,
          clientSecretHashesFile: at(p.inbound.credentials.clientSecretHashesFile),
          apiKeyHashesFile: at(p.inbound.credentials.apiKeyHashesFile),
        },
      };
      const c = p.outbound?.credentials;
      const credentials =
        c === undefined
          ? undefined
          : c.kind === 'oauth2'
            ? { ...c, clientSecretFile: at(c.clientSecretFile) }
            : { ...c, keyFile: at(c.keyFile) };
      const outbound = p.outbound && credentials && { ...p.outbound, credentials };
      return [name, { ...p, ...(inbound ? { inbound } : {}), ...(outbound ? { outbound } : {}) }];
    }),
  );
  return { ...config, signingKeys: config.signingKeys.map((k) => at(k)!), partners };
}

/**
 * Checks across fields: a partner is only granted skills this brain shares, and outbound
 * credentials name where their secret is.
 */
const WithChecks = FederationConfig.superRefine((config, ctx) => {
  const shared = new Set(config.shares);
  for (const [name, partner] of Object.entries(config.partners)) {
    for (const [i, skill] of (partner.inbound?.skills ?? []).entries()) {
      if (!shared.has(skill)) {
        ctx.addIssue({
          code: 'custom',
          message: `${skill} is not in shares`,
          path: ['partners', name, 'inbound', 'skills', i],
        });
      }
    }
    const c = partner.outbound?.credentials;
    const missing =
      c?.kind === 'oauth2' && !c.clientSecretFile && !c.clientSecretEnv
        ? 'needs clientSecretFile or clientSecretEnv'
        : c?.kind === 'apiKey' && !c.keyFile && !c.keyEnv
          ? 'needs keyFile or keyEnv'
          : null;
    if (missing)
      ctx.addIssue({ code: 'custom', message: missing, path: ['partners', name, 'outbound', 'credentials'] });
  }
});

/** Parses federation config text; BAD_CONFIG listing every issue with its field and line. */
export function parseFederationConfig(
  text: string,
  source: string,
  vars: Readonly<Record<string, string | undefined>> = {},
): FederationConfig {
  return resolvePaths(
    parseYamlConfig(text, source, WithChecks, { what: 'federation config', vars }),
    dirname(resolve(source)),
  );
}

/** Reads and checks a federation config file; relative paths in it are relative to the file. */
export async function loadFederationConfig(
  path: string,
  vars: Readonly<Record<string, string | undefined>> = {},
): Promise<FederationConfig> {
  const config = await loadYamlConfigFile(path, WithChecks, { what: 'federation config', vars });
  return resolvePaths(config, dirname(resolve(path)));
}
