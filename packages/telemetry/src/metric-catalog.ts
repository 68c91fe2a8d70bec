import { type Meter, metrics } from '@opentelemetry/api';

/** One Forge metric: its OpenTelemetry name, unit (UCUM) and what it counts. */
export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

/**
 * Every metric Forge defines, in one table, so dashboards, the docs and the tests name them the
 * same way. The model metrics follow the OpenTelemetry GenAI conventions; the rest are `forge.*`.
 * Prometheus sees them with dots as underscores and `_total` on counters (the unit goes in the
 * `# UNIT` line, not the name): `forge_tasks_total`, `forge_spend_total`,
 * `gen_ai_client_operation_duration_bucket`, `forge_consumer_lag`.
 *
 * Attributes (labels) are bounded sets: states, skills, agents, tiers, models, methods, codes;
 * never a task id.
 */
export const FORGE_METRICS = {
  /** Counter. Attributes: `forge.task.state`, `forge.skill`, `forge.agent`. */
  tasks: {
    name: 'forge.tasks',
    unit: '{task}',
    description:
      'Tasks that reached a final or interrupted state (completed, failed, canceled, rejected, input-required, auth-required)',
  },
  /** Observable gauge. Attributes: `forge.agent`. */
  tasksInFlight: {
    name: 'forge.tasks.in_flight',
    unit: '{task}',
    description: 'Tasks a worker of this process is running now',
  },
  /** Counter. Attributes: `forge.tier`, `forge.agent`, `forge.skill`, `forge.route.status`, `forge.budget.action`. */
  tasksRouted: {
    name: 'forge.tasks.routed',
    unit: '{task}',
    description:
      'Routing decisions made, by tier (a redelivered task reuses its decision and is not counted again)',
  },
  /** Counter, USD. Attributes: `forge.tier`, `forge.agent`, `gen_ai.provider.name`. */
  spend: {
    name: 'forge.spend',
    unit: 'USD',
    description: 'Money spent on model calls at list price (offline calls cost nothing)',
  },
  /** Counter, USD. Attributes: `forge.tier`, `forge.agent`. */
  shadowSpend: {
    name: 'forge.spend.shadow',
    unit: 'USD',
    description: 'What offline calls would have cost on the models they stand in for (never spent)',
  },
  /** Observable gauge, USD. Attributes: `forge.budget.scope`. */
  budgetRemaining: {
    name: 'forge.budget.remaining',
    unit: 'USD',
    description: 'Money left this month in each capped budget scope (cap minus spent and held)',
  },
  /** Observable gauge. Attributes: `messaging.destination.name` (stream), `messaging.consumer.group.name` (durable). */
  consumerLag: {
    name: 'forge.consumer.lag',
    unit: '{message}',
    description: 'Messages waiting for a durable JetStream consumer (pending, not yet delivered)',
  },
  /** Counter. Attributes: `messaging.consumer.group.name`, `error.type` (the code). */
  deadLettered: {
    name: 'forge.messages.dead_lettered',
    unit: '{message}',
    description: 'Messages moved to the dead-letter stream after failing their attempts',
  },
  /** Counter. Attributes: `a2a.method`, `a2a.status` (`ok` or the A2A error reason), `forge.agent`. */
  a2aRequests: {
    name: 'forge.a2a.requests',
    unit: '{request}',
    description: 'A2A requests answered, by method and status',
  },
  /** Histogram, seconds. Same attributes as `forge.a2a.requests`. */
  a2aDuration: {
    name: 'forge.a2a.request.duration',
    unit: 's',
    description: 'How long A2A requests took (streams: until the stream ended)',
  },
  /** Observable gauge. Attributes: none (one router process). */
  admissionInFlight: {
    name: 'forge.admission.in_flight',
    unit: '{call}',
    description:
      'Model calls the router runs now, over its HTTP and NATS edges (at most its in-flight limit)',
  },
  /** Observable gauge. Attributes: none. */
  admissionQueued: {
    name: 'forge.admission.queue_depth',
    unit: '{call}',
    description:
      'Model calls waiting for an in-flight slot (at most the queue limit; each gives up at its deadline)',
  },
  /** Counter. Attributes: `forge.edge` (`http` / `nats`), `forge.admission.reason` (`queue_full` / `deadline`). */
  admissionRefused: {
    name: 'forge.admission.rejected',
    unit: '{call}',
    description:
      'Model calls refused as OVERLOADED before they started: queue full, or no time left to finish',
  },
  /** Histogram, seconds (GenAI convention). Attributes: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `forge.tier`, `forge.agent`, `error.type`. */
  modelDuration: {
    name: 'gen_ai.client.operation.duration',
    unit: 's',
    description: 'Model call latency, one value per attempt the provider was asked',
  },
  /** Histogram, tokens (GenAI convention). Attributes: as above plus `gen_ai.token.type` (`input` / `output`). */
  modelTokens: {
    name: 'gen_ai.client.token.usage',
    unit: '{token}',
    description: 'Tokens per model call, input and output apart',
  },
} as const satisfies Record<string, MetricSpec>;

/** Latency buckets (seconds) for model calls: from a cached small reply to a long frontier answer. */
export const MODEL_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

/** Token-count buckets (powers of four), as the GenAI conventions suggest. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

/** Request latency buckets (seconds) for the A2A edge. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The meter a Forge component records with. Call it when the component is built, not at import
 * time: the metrics API has no proxy provider, so a meter taken before the service's SDK started
 * (its `instrumentation.ts`) would record nothing, ever.
 */
export function forgeMeter(component: string): Meter {
  return metrics.getMeter(`@forge/${component}`);
}
