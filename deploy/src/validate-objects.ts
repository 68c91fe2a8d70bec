import { createRequire } from 'node:module';
import { z } from 'zod';
import type { KubeObject } from './manifests.js';

const require = createRequire(import.meta.url);

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** The kubernetes-models class for an object's apiVersion and kind, or null when it has none. */
function modelFor(object: KubeObject): ModelClass | null {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const path = group
    ? `kubernetes-models/${group}/${version}/${object.kind}`
    : `kubernetes-models/${version}/${object.kind}`;
  try {
    const module = require(path) as Record<string, ModelClass>;
    return module[object.kind] ?? null;
  } catch {
    return null;
  }
}

/**
 * KEDA's ScaledObject is a CRD that kubernetes-models does not carry: checked here against the
 * fields of keda.sh/v1alpha1 that the chart sets (and the scaler's required metadata).
 */
const ScaledObject = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }).loose(),
  spec: z
    .object({
      scaleTargetRef: z.object({ name: z.string().min(1) }).strict(),
      minReplicaCount: z.number().int().min(0),
      maxReplicaCount: z.number().int().min(1),
      pollingInterval: z.number().int().min(1),
      cooldownPeriod: z.number().int().min(0),
      triggers: z
        .array(
          z.object({
            type: z.literal('nats-jetstream'),
            metadata: z
              .object({
                natsServerMonitoringEndpoint: z.string().regex(/^[^\s/:]+:\d+$/),
                account: z.string().min(1),
                stream: z.string().min(1),
                consumer: z.string().min(1),
                lagThreshold: z.string().regex(/^\d+$/),
                useHttps: z.enum(['true', 'false']),
              })
              .strict(),
          }),
        )
        .min(1),
    })
    .strict()
    .refine(
      (spec) => spec.maxReplicaCount >= spec.minReplicaCount,
      'maxReplicaCount must be >= minReplicaCount',
    ),
});

const CRDS: Readonly<Record<string, z.ZodType>> = { 'keda.sh/v1alpha1/ScaledObject': ScaledObject };

/** What is wrong with one object, or null. */
export function validateObject(object: KubeObject): string | null {
  const where = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string')
    return `${where}: no apiVersion or kind`;
  const crd = CRDS[`${object.apiVersion}/${object.kind}`];
  if (crd) {
    const parsed = crd.safeParse(object);
    return parsed.success
      ? null
      : `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  }
  const Model = modelFor(object);
  if (!Model) return `${where}: no Kubernetes schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    return `${where}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Every problem of every object (empty when all are valid). */
export function validateObjects(objects: readonly KubeObject[]): string[] {
  return objects.map(validateObject).filter((problem): problem is string => problem !== null);
}
