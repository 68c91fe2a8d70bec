/**
 * One row per service `forge up` runs. Adding a service (later the console, scheduler and
 * gateway) is one line here; everything else derives from this table.
 */
export interface ServiceSpec {
  /** The service's name, as in `services/<name>` and the prefix of its log lines. */
  readonly name: string;
  /** Its HTTP port is `portBase + offset`. */
  readonly offset: number;
  /** False for a service without an A2A agent card (router, scheduler, day): only /readyz is probed. */
  readonly agent?: false;
  /** Placed only for a brain with a federation config (the gateway). */
  readonly federation?: true;
}

/** Offsets no service of the table may take: 50 is the embedded Postgres's. */
export const RESERVED_OFFSETS: Readonly<Record<number, string>> = { 50: 'postgres' };

/** The routing service's name: `forge up` lets it run first, and the agents dispatch through it. */
export const ROUTER = 'router';

/** The scheduler: starts with the agents and submits every tick through the router. */
export const SCHEDULER = 'scheduler';

/** The offline day's loopback server: the default feeds config and the sensor schedules point at it. */
export const DAY = 'day';

/** The operator's web console (services/console): approvals, tasks, costs, routing, schedule. */
export const CONSOLE = 'console';
/** The federation gateway: a brain's face to partner companies. */
export const GATEWAY = 'gateway';

export const SERVICE_TABLE: readonly ServiceSpec[] = [
  { name: ROUTER, offset: 0, agent: false },
  { name: 'scout', offset: 1 },
  { name: 'engagement', offset: 2 },
  { name: 'compliance', offset: 3 },
  { name: 'publisher', offset: 4 },
  { name: 'marketing', offset: 5 },
  { name: 'diary', offset: 6 },
  // Ticks the 16 schedules through the router (services/scheduler).
  { name: SCHEDULER, offset: 7, agent: false },
  // The offline day: the shipped feeds and sensor readings on loopback (services/day).
  { name: DAY, offset: 8, agent: false },
  // The operator's web console behind a login (services/console).
  { name: CONSOLE, offset: 9, agent: false },
  // The federation gateway (services/gateway): its `partners` agent here, its public face at
  // GATEWAY_PUBLIC_OFFSET; only for a brain with a federation config.
  { name: GATEWAY, offset: 10, federation: true },
];

/** The gateway's public face (what partners call) is at `portBase + 10`. */
export const GATEWAY_PUBLIC_OFFSET = 11;

/** Default embedded Postgres port offset from the port base. */
export const PG_PORT_OFFSET = 50;

/** A service placed on this machine: its port and the URLs derived from it. */
export interface PlacedService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The agent card URL; null for a service that is not an A2A agent. */
  readonly card: string | null;
}

/** The agent card path of A2A v1.0. */
export const AGENT_CARD_PATH = '/.well-known/agent-card.json';

/** Places every service of the table at `portBase + offset` on `host` (the gateway only with `federation`). */
export function placeServices(portBase: number, host = '127.0.0.1', federation = false): PlacedService[] {
  return SERVICE_TABLE.filter((spec) => federation || spec.federation !== true).map((spec) => {
    const port = portBase + spec.offset;
    const url = `http://${host}:${port}`;
    return { name: spec.name, port, url, card: spec.agent === false ? null : `${url}${AGENT_CARD_PATH}` };
  });
}

/** The services that are A2A agents (have a card, take `forge send`). */
export const AGENT_TABLE: readonly ServiceSpec[] = SERVICE_TABLE.filter((spec) => spec.agent !== false);

/** The table row of `name`, or null when no such service exists. */
export function findService(name: string): ServiceSpec | null {
  return SERVICE_TABLE.find((spec) => spec.name === name) ?? null;
}

/** The table row of the A2A agent `name`, or null when there is no such agent. */
export function findAgent(name: string): ServiceSpec | null {
  return AGENT_TABLE.find((spec) => spec.name === name) ?? null;
}
