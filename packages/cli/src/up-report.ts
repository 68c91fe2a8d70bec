import type { SupervisorEvent } from './supervised-process.js';

/** What `forge up` prints once every service is ready (`--json`: this object, one line). */
export interface UpReport {
  readonly event: 'ready';
  readonly brain: string;
  /** From the start of `forge up` to every /readyz answering ready. */
  readonly elapsedMs: number;
  readonly stateDir: string;
  readonly operatorKeyFile: string;
  readonly apiKeysFile: string;
  /** `pid`: the nats-server forge up started and supervises; null when it uses a running one. */
  readonly nats: {
    readonly url: string;
    readonly startedByForge: boolean;
    readonly version: string;
    readonly pid: number | null;
  };
  readonly postgres: {
    /** Credentials masked. */
    readonly url: string;
    readonly embedded: boolean;
    readonly schema: string;
    readonly pid: number | null;
    /** The embedded server's postmaster RSS (its backends are processes of their own). */
    readonly rssMb: number | null;
  };
  /** The routing service: where its OpenAI-compatible endpoint is, and which models it reaches. */
  readonly router: {
    readonly url: string;
    /** `POST` here with `Authorization: Bearer <operator key>`, model `forge:auto` or `forge:<tier>`. */
    readonly chatCompletions: string;
    readonly routingConfig: string;
    readonly policyVersion: string;
    /** True when no provider is reachable: every model call is answered offline (shadow costs only). */
    readonly offline: boolean;
    /** Providers with what they need (names only). */
    readonly providers: string[];
    /** The variables that would bring a vendor in (names, never values). */
    readonly keyVariables: string[];
  };
  /** The operator's web console: where it is and how to log in. */
  readonly console: {
    readonly url: string;
    readonly operator: string;
    /** The first-login secret's file (mode 0600). */
    readonly passwordFile: string;
    /** The secret itself, only from the `forge up` that generated it (never again). */
    readonly firstLoginSecret: string | null;
  } | null;
  readonly services: readonly {
    readonly name: string;
    readonly port: number;
    readonly url: string;
    readonly card: string | null;
    readonly pid: number | null;
    readonly rssMb: number | null;
  }[];
}

const mb = (value: number | null) => (value === null ? '' : `, ${value} MB`);

/**
 * The warning `forge up` gives, loudly, when the router can reach no model provider. Names the
 * variables that would change that, never a value.
 */
export function offlineWarning(keyVariables: readonly string[]): string {
  const names = keyVariables.map((name) => `${name} (or ${name}_FILE)`).join(' or ');
  return (
    `!! MODELS RUN OFFLINE: no model key is set, so every model call is answered by the built-in ` +
    `offline provider ($0, labelled offline; the stand-in's list price is recorded as shadow cost, ` +
    `never charged) and critical skills end input-required. Set ${names}, or an OpenAI-compatible ` +
    `server in the routing config, and restart forge up to use real models.`
  );
}

/** The human form of the report: endpoints first, then where the key and the backends are. */
export function formatUpReport(report: UpReport): string[] {
  const width = Math.max(...report.services.map((service) => service.name.length), 8);
  const endpoint = (service: UpReport['services'][number]) =>
    service.card ??
    (service.url === report.router.url ? `POST ${report.router.chatCompletions}` : '(no card)');
  const lines = [
    `forge: brain ${report.brain} is up in ${(report.elapsedMs / 1000).toFixed(1)}s`,
    `  ${'service'.padEnd(width)}  port   endpoint`,
    ...report.services.map(
      (service) =>
        `  ${service.name.padEnd(width)}  ${String(service.port).padEnd(5)}  ${endpoint(service)}  (pid ${service.pid ?? '-'}${mb(service.rssMb)})`,
    ),
    `  routing   ${report.router.routingConfig} (policy ${report.router.policyVersion}); agents dispatch through the router`,
    report.router.offline
      ? `  models    ${offlineWarning(report.router.keyVariables)}`
      : `  models    ${report.router.providers.join(', ')}`,
    `  postgres  ${report.postgres.embedded ? 'embedded' : 'DATABASE_URL'} ${report.postgres.url} schema ${report.postgres.schema}` +
      (report.postgres.pid === null ? '' : ` (pid ${report.postgres.pid}${mb(report.postgres.rssMb)})`),
    `  nats      ${report.nats.url} (${report.nats.startedByForge ? 'started by forge up' : 'already running'}, v${report.nats.version})`,
    ...(report.console
      ? [
          `  console   ${report.console.url}  (log in as ${report.console.operator}; ` +
            (report.console.firstLoginSecret
              ? `first-login secret: ${report.console.firstLoginSecret}, kept in ${report.console.passwordFile})`
              : `password in ${report.console.passwordFile})`),
        ]
      : []),
    `  operator key  ${report.operatorKeyFile}`,
    `  try: pnpm --silent forge status`,
    `       pnpm --silent forge send <agent> <skill> --input '{...}'`,
    `       pnpm --silent forge route explain <agent>.<skill>`,
    `       pnpm --silent forge costs`,
    `       pnpm --silent forge schedule list`,
    `       pnpm --silent forge tasks`,
    '  Ctrl-C stops everything.',
  ];
  return lines;
}

/** A supervisor event as one line (`--json`: a JSON object). */
export function formatSupervisorEvent(event: SupervisorEvent, json: boolean): string | null {
  if (json) {
    if (event.kind === 'started' && event.restarts === 0) return null;
    const { kind, ...rest } = event;
    return JSON.stringify({ event: kind, ...rest });
  }
  switch (event.kind) {
    case 'started':
      return event.restarts === 0 ? null : `${event.name} restarted (pid ${event.pid})`;
    case 'crashed': {
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      return `${event.name} exited (${how}); restarting in ${(event.restartInMs / 1000).toFixed(1)}s (crash ${event.crashes})`;
    }
    case 'gave-up':
      return `giving up on ${event.name}: ${event.crashes} crashes within ${Math.round(event.windowMs / 1000)}s`;
  }
}
