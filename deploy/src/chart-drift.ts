import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ENV_VARIABLES, loadAgentConfig } from '@forge/agent-kit';
import { forgeSubjects } from '@forge/contracts';
import { DAY_ENV_VARIABLES } from '@forge/day';
import { parseFederationConfig } from '@forge/federation';
import { parseRoutingConfig, type RoutingConfig } from '@forge/policy';
import { CONSOLE_ENV_VARIABLES, parseConsoleEnv } from '@forge/service-console';
import { GATEWAY_ENV_VARIABLES, loadGatewayConfig } from '@forge/service-gateway';
import { loadRouterConfig, ROUTER_ENV_VARIABLES } from '@forge/service-router';
import { SCHEDULER_ENV_VARIABLES } from '@forge/service-scheduler';
import { SCOUT_ENV_VARIABLES } from '@forge/service-scout';
import { loadTelemetryConfig, TELEMETRY_ENV_VARIABLES } from '@forge/telemetry-sdk';
import { REPO_ROOT } from './kube-tools.js';
import type { KubeObject } from './manifests.js';

/** What a service's `main` reads beside its kind's variables: the operator's day files. */
const SERVICE_ENV_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  scout: SCOUT_ENV_VARIABLES,
  scheduler: SCHEDULER_ENV_VARIABLES,
  engagement: DAY_ENV_VARIABLES,
  compliance: DAY_ENV_VARIABLES,
  publisher: DAY_ENV_VARIABLES,
  marketing: DAY_ENV_VARIABLES,
  diary: DAY_ENV_VARIABLES,
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown; configMapKeyRef?: unknown };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: {
    name: string;
    configMap?: { name: string };
    secret?: { secretName: string; items?: { key: string; path: string }[] };
  }[];
  terminationGracePeriodSeconds?: number;
}

export interface DriftOptions {
  /** Accept Deployments of services that have no `services/<name>` yet (the all-features render). */
  allowUnbuiltServices?: boolean;
}

/** Placeholders for values that come from Secrets: well-formed, so the config readers judge the rest. */
const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgres://forge:placeholder@postgres:5432/forge',
};

/** The env a container would see: literal values, Secret placeholders, `$(VAR)` expanded as the kubelet does. */
export function containerEnv(container: Container): { env: Record<string, string>; helpers: Set<string> } {
  const env: Record<string, string> = {};
  const helpers = new Set<string>();
  for (const variable of container.env ?? []) {
    let value = variable.value ?? '';
    if (variable.valueFrom) value = SECRET_PLACEHOLDERS[variable.name] ?? 'placeholder';
    value = value.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (whole, name: string) => {
      if (!(name in env)) return whole;
      helpers.add(name);
      return env[name]!;
    });
    env[variable.name] = value;
  }
  return { env, helpers };
}

/** The variables a provider key can be read from (`<apiKeyEnv>` and `<apiKeyEnv>_FILE`). */
function providerKeyVariables(routing: RoutingConfig): string[] {
  const { anthropic, openai, openaiCompatible } = routing.providers;
  const names = [
    anthropic.apiKeyEnv,
    openai.apiKeyEnv,
    ...Object.values(openaiCompatible).map((s) => s.apiKeyEnv),
  ];
  return names.filter((name): name is string => Boolean(name)).flatMap((name) => [name, `${name}_FILE`]);
}

/** NATS subject matching: `*` one token, `>` the rest. */
function natsCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** The publish/subscribe allow lists of one user in the rendered accounts.conf. */
function natsPermissions(
  accounts: string,
  user: string,
): { publish: string[]; subscribe: string[]; allowResponses: boolean } | null {
  const at = accounts.indexOf(`user: "${user}"`);
  if (at < 0) return null;
  const block = accounts.slice(at, accounts.indexOf('\n      }', at));
  const list = (kind: string) => {
    const match = new RegExp(`${kind}: \\{ allow: \\[([^\\]]*)\\] \\}`).exec(block);
    return match ? [...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) : [];
  };
  return {
    publish: list('publish'),
    subscribe: list('subscribe'),
    allowResponses: /allow_responses: true/.test(block),
  };
}

/** The subjects each kind of service must be allowed, named by contracts (the one source of them). */
function requiredSubjects(
  brain: string,
  name: string,
  kind: string,
): { publish: string[]; subscribe: string[] } {
  const s = forgeSubjects(brain);
  const anyTask = '00000000-0000-4000-8000-000000000000';
  const tasks = s.streams.tasks.name;
  switch (kind) {
    case 'agent': {
      const durable = s.consumers.agent(name);
      return {
        publish: [
          s.taskRoute,
          s.taskRun(name),
          s.status(anyTask),
          s.event(name, 'published'),
          s.cancel(name),
          s.modelCall,
          s.deadLetter(s.taskRun(name)),
          `$JS.API.STREAM.CREATE.${tasks}`,
          `$JS.API.CONSUMER.INFO.${tasks}.${durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${tasks}.${durable}`,
          `$JS.ACK.${tasks}.${durable}.1.1.1.1.1`,
        ],
        subscribe: [s.status(anyTask), s.cancel(name), '_INBOX.abc'],
      };
    }
    case 'router':
      return {
        publish: [
          s.taskRun('scout'),
          s.status(anyTask),
          s.deadLetter(s.taskRoute),
          `$JS.API.CONSUMER.MSG.NEXT.${tasks}.${s.consumers.router}`,
          `$JS.ACK.${tasks}.${s.consumers.router}.1.1.1.1.1`,
        ],
        subscribe: [s.modelCall, '_INBOX.abc'],
      };
    case 'gateway': {
      // The gateway runs the `partners` agent and answers partner.ask.
      const agent = requiredSubjects(brain, 'partners', 'agent');
      return { publish: agent.publish, subscribe: [...agent.subscribe, s.partnerAsk] };
    }
    default:
      return { publish: [s.taskRoute], subscribe: [s.status(anyTask), '_INBOX.abc'] };
  }
}

function portNamed(container: Container, name: string): number | undefined {
  return container.ports?.find((port) => port.name === name)?.containerPort;
}

/**
 * Compares the rendered chart with what the code reads, so the chart cannot drift from it:
 * every Deployment runs a service that exists; its env parses with that service's own config
 * reader (agent-kit's, the router's, the telemetry SDK's) and names no variable none of them
 * reads; ports, probes (`/livez`, `/readyz` on the HTTP port), the metrics port and the grace
 * period agree with the config; the router's routing config parses with the policy's reader and
 * its key files are mounted; each NATS user may use the subjects contracts names for it and the
 * KEDA scalers watch the durables contracts names. Returns the problems (empty: no drift).
 */
export function chartDrift(objects: readonly KubeObject[], options: DriftOptions = {}): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const configMaps = new Map(
    byKind('ConfigMap').map((c) => [c.metadata.name, c as KubeObject & { data?: Record<string, string> }]),
  );
  const deployments = byKind('Deployment').filter((d) => d.metadata.labels?.['forge.dev/kind']);
  const kinds = new Map<string, string>();
  const accounts = [...configMaps.values()].find((c) => c.metadata.name.endsWith('-nats-accounts'))?.data?.[
    'accounts.conf'
  ];

  for (const deployment of deployments) {
    const kind = deployment.metadata.labels!['forge.dev/kind']!;
    const spec = (deployment.spec as { template: { spec: PodSpec } }).template.spec;
    const container = spec.containers[0]!;
    const name = container.args?.[0] ?? '';
    const where = `Deployment ${deployment.metadata.name} (${name})`;
    kinds.set(name, kind);
    if (!options.allowUnbuiltServices && !existsSync(join(REPO_ROOT, 'services', name, 'src', 'main.ts'))) {
      problems.push(`${where}: no services/${name} in the repository`);
    }
    const { env, helpers } = containerEnv(container);
    let routing: RoutingConfig | undefined;
    if (kind === 'router') {
      const mountedAt = env.FORGE_ROUTING_CONFIG ?? '';
      const mount = container.volumeMounts?.find((m) => mountedAt.startsWith(`${m.mountPath}/`));
      const volume = spec.volumes?.find((v) => v.name === mount?.name);
      const data = volume?.configMap ? configMaps.get(volume.configMap.name)?.data : undefined;
      const file = data?.[mountedAt.slice((mount?.mountPath.length ?? 0) + 1)];
      if (file === undefined)
        problems.push(`${where}: FORGE_ROUTING_CONFIG ${mountedAt} is not a file of a mounted ConfigMap`);
      else {
        try {
          routing = parseRoutingConfig(file, 'the chart routing ConfigMap');
        } catch (error) {
          problems.push(`${where}: the routing config does not parse: ${(error as Error).message}`);
        }
      }
      for (const [variable, path] of Object.entries(env)) {
        if (!variable.endsWith('_API_KEY_FILE')) continue;
        const keyMount = container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
        const secret = spec.volumes?.find((v) => v.name === keyMount?.name)?.secret;
        const file = path.slice((keyMount?.mountPath.length ?? 0) + 1);
        if (!secret?.items?.some((item) => item.path === file)) {
          problems.push(`${where}: ${variable} names ${path}, which no mounted Secret item provides`);
        }
      }
    }
    if (kind === 'gateway') {
      const mountedAt = env.FORGE_FEDERATION_CONFIG ?? '';
      const mount = container.volumeMounts?.find((m) => mountedAt.startsWith(`${m.mountPath}/`));
      const volume = spec.volumes?.find((v) => v.name === mount?.name);
      const file = volume?.configMap
        ? configMaps.get(volume.configMap.name)?.data?.[mountedAt.slice((mount?.mountPath.length ?? 0) + 1)]
        : undefined;
      if (file === undefined) {
        problems.push(`${where}: FORGE_FEDERATION_CONFIG ${mountedAt} is not a file of a mounted ConfigMap`);
      } else {
        try {
          parseFederationConfig(file, 'the chart federation ConfigMap', env);
        } catch (error) {
          problems.push(`${where}: the federation config does not parse: ${(error as Error).message}`);
        }
      }
      if (Number(env.FORGE_GATEWAY_PORT) !== portNamed(container, 'public')) {
        problems.push(
          `${where}: FORGE_GATEWAY_PORT ${env.FORGE_GATEWAY_PORT} is not the container's public port`,
        );
      }
    }
    const known = new Set([
      ...TELEMETRY_ENV_VARIABLES,
      ...(kind === 'router'
        ? ROUTER_ENV_VARIABLES
        : kind === 'console'
          ? CONSOLE_ENV_VARIABLES
          : AGENT_ENV_VARIABLES),
      ...(SERVICE_ENV_VARIABLES[name] ?? []),
      // The gateway's own, and what its federation config names as ${...}.
      ...(kind === 'gateway' ? [...GATEWAY_ENV_VARIABLES, 'FORGE_GATEWAY_PUBLIC_URL'] : []),
      ...(routing ? providerKeyVariables(routing) : []),
      ...helpers,
    ]);
    for (const variable of Object.keys(env)) {
      if (!known.has(variable)) problems.push(`${where}: sets ${variable}, which the ${kind} does not read`);
    }
    try {
      loadTelemetryConfig(env, { serviceName: `forge-${name}` });
      const config =
        kind === 'router'
          ? loadRouterConfig(env)
          : kind === 'console'
            ? parseConsoleEnv(env)
            : kind === 'gateway'
              ? loadGatewayConfig(env).agent
              : loadAgentConfig(env);
      if (kind === 'console') {
        const file = parseConsoleEnv(env).passwordHashFile ?? '';
        const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        const secret = spec.volumes?.find((v) => v.name === mount?.name)?.secret;
        if (!secret?.items?.some((item) => item.path === file.slice((mount?.mountPath.length ?? 0) + 1))) {
          problems.push(
            `${where}: FORGE_CONSOLE_PASSWORD_HASH_FILE names ${file || '(nothing)'}, which no mounted Secret item provides`,
          );
        }
      }
      if (config.port !== portNamed(container, 'http')) {
        problems.push(
          `${where}: FORGE_PORT ${config.port} is not the container's http port ${portNamed(container, 'http')}`,
        );
      }
      if (config.host !== '0.0.0.0')
        problems.push(`${where}: FORGE_HOST ${config.host} is not reachable from the Service`);
      const graceMs = (spec.terminationGracePeriodSeconds ?? 30) * 1000;
      if (graceMs <= config.shutdownGraceMs) {
        problems.push(
          `${where}: terminationGracePeriodSeconds ${graceMs / 1000} s is not longer than FORGE_SHUTDOWN_GRACE_MS ${config.shutdownGraceMs} ms`,
        );
      }
    } catch (error) {
      problems.push(`${where}: its env does not parse: ${(error as Error).message}`);
    }
    const metricsPort = Number(env.FORGE_METRICS_PORT);
    if (metricsPort !== portNamed(container, 'metrics')) {
      problems.push(
        `${where}: FORGE_METRICS_PORT ${env.FORGE_METRICS_PORT} is not the container's metrics port`,
      );
    }
    const probes: [string, Probe | undefined, string][] = [
      ['readinessProbe', container.readinessProbe, '/readyz'],
      ['livenessProbe', container.livenessProbe, '/livez'],
    ];
    for (const [probeName, probe, path] of probes) {
      if (probe?.httpGet?.path !== path || probe.httpGet.port !== 'http') {
        problems.push(`${where}: ${probeName} must be GET ${path} on the http port`);
      }
    }
    if (accounts !== undefined) {
      const granted = natsPermissions(accounts, `forge-${name}`);
      if (!granted) problems.push(`${where}: no NATS user forge-${name} in the accounts`);
      else {
        const need = requiredSubjects(env.FORGE_BRAIN ?? 'local', name, kind);
        for (const [direction, subjects] of Object.entries(need) as ['publish' | 'subscribe', string[]][]) {
          for (const subject of subjects) {
            if (!granted[direction].some((pattern) => natsCovers(pattern, subject))) {
              problems.push(`${where}: NATS user forge-${name} may not ${direction} ${subject}`);
            }
          }
        }
        if (!granted.allowResponses) {
          problems.push(`${where}: NATS user forge-${name} may not answer requests (allow_responses)`);
        }
        const s = forgeSubjects(env.FORGE_BRAIN ?? 'local');
        for (const pattern of granted.publish) {
          if (!pattern.startsWith(`${s.prefix}.`) && !pattern.startsWith('$JS.')) {
            problems.push(`${where}: NATS user forge-${name} may publish ${pattern}, outside its brain`);
          }
        }
      }
    }
  }

  for (const ingress of byKind('Ingress')) {
    const rules = (
      ingress.spec as { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] }
    ).rules;
    for (const path of rules.flatMap((r) => r.http.paths)) {
      const target = deployments.find((d) => d.metadata.name === path.backend.service.name);
      const kind = target?.metadata.labels?.['forge.dev/kind'];
      if (kind !== 'gateway' && kind !== 'console') {
        problems.push(
          `Ingress ${ingress.metadata.name}: routes to ${path.backend.service.name}, not the gateway or the console`,
        );
      }
    }
  }

  for (const scaled of byKind('ScaledObject')) {
    const trigger = (scaled.spec as { triggers: { metadata: Record<string, string> }[] }).triggers[0]!
      .metadata;
    const target = (scaled.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name;
    const deployment = deployments.find((d) => d.metadata.name === target);
    if (!deployment) {
      problems.push(`ScaledObject ${scaled.metadata.name}: no Deployment ${target}`);
      continue;
    }
    const container = (deployment.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!;
    const s = forgeSubjects(containerEnv(container).env.FORGE_BRAIN ?? 'local');
    const agent = container.args?.[0] ?? '';
    if (trigger.stream !== s.streams.tasks.name || trigger.consumer !== s.consumers.agent(agent)) {
      problems.push(
        `ScaledObject ${scaled.metadata.name}: watches ${trigger.stream}/${trigger.consumer}, not ${s.streams.tasks.name}/${s.consumers.agent(agent)}`,
      );
    }
  }
  return problems;
}

/**
 * The shipped configs the chart carries as they are (its feeds are its own: public feeds in place
 * of the offline day's loopback ones).
 */
export const CHART_CONFIG_COPIES = ['forge.yaml', 'day.yaml', 'schedules.yaml'] as const;

/** The chart's copies of the shipped configs must be the shipped ones. */
export function configCopyDrift(): string[] {
  return CHART_CONFIG_COPIES.filter(
    (file) =>
      readFileSync(join(REPO_ROOT, 'config', file), 'utf8') !==
      readFileSync(join(REPO_ROOT, 'deploy', 'helm', 'forge', 'files', file), 'utf8'),
  ).map(
    (file) =>
      `deploy/helm/forge/files/${file} differs from config/${file}: run \`pnpm --filter @forge/deploy render-k8s\``,
  );
}
