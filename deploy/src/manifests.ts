import { parseAllDocuments } from 'yaml';
import { CHART_DIR, type KubeTools, tool } from './kube-tools.js';

/** One rendered Kubernetes object (the fields every object has; the rest as it came). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Parses a multi-document YAML stream into objects (empty documents skipped). Throws on a YAML error. */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as KubeObject);
  }
  return objects;
}

export interface RenderOptions {
  /** Values files, relative to the repository root or absolute. */
  values: string[];
  release: string;
  namespace: string;
  /** Extra `--set` values. */
  set?: string[];
}

/** `helm template` of the chart: the YAML text. Throws with helm's message (schema, `required`). */
export function helmTemplate(tools: KubeTools, options: RenderOptions): Promise<string> {
  return tool(tools.helm, [
    'template',
    options.release,
    CHART_DIR,
    '--namespace',
    options.namespace,
    ...options.values.flatMap((file) => ['-f', file]),
    ...(options.set ?? []).flatMap((value) => ['--set', value]),
  ]);
}

/** `helm lint --strict` of the chart with these values; throws with its output when it fails. */
export function helmLint(tools: KubeTools, values: string[]): Promise<string> {
  return tool(tools.helm, ['lint', '--strict', CHART_DIR, ...values.flatMap((file) => ['-f', file])]);
}
