import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeTools, REPO_ROOT } from './kube-tools.js';
import { helmTemplate } from './manifests.js';

/** The two brains of deploy/helm/forge/values-brain-*.yaml, as plain manifests under k8s/. */
export const BRAINS = [
  {
    dir: 'brain-a',
    values: 'deploy/helm/forge/values-brain-a.yaml',
    release: 'forge-a',
    namespace: 'forge-a',
  },
  {
    dir: 'brain-b',
    values: 'deploy/helm/forge/values-brain-b.yaml',
    release: 'forge-b',
    namespace: 'forge-b',
  },
] as const;

const HEADER = (values: string) =>
  `# Rendered from deploy/helm/forge with ${values} by \`pnpm --filter @forge/deploy render-k8s\`.
# Do not edit: CI renders it again and fails when this file differs. Create the Secrets it names
# first (docs/operations.md), then: kubectl apply -k <this folder>
`;

/** What k8s/ should hold, path (relative to the repo) → content, rendered from the chart now. */
export async function renderK8s(tools: KubeTools): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const brain of BRAINS) {
    const rendered = await helmTemplate(tools, {
      values: [join(REPO_ROOT, brain.values)],
      release: brain.release,
      namespace: brain.namespace,
    });
    files.set(`k8s/${brain.dir}/forge.yaml`, `${HEADER(brain.values)}${rendered}`);
    files.set(
      `k8s/${brain.dir}/kustomization.yaml`,
      `${HEADER(brain.values)}apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${brain.namespace}
resources:
  - namespace.yaml
  - forge.yaml
`,
    );
    files.set(
      `k8s/${brain.dir}/namespace.yaml`,
      `${HEADER(brain.values)}apiVersion: v1
kind: Namespace
metadata:
  name: ${brain.namespace}
  labels:
    app.kubernetes.io/part-of: forge
`,
    );
  }
  return files;
}

/** The k8s/ files that differ from a fresh render (missing ones included). */
export function k8sDrift(expected: ReadonlyMap<string, string>): string[] {
  const stale: string[] = [];
  for (const [path, content] of expected) {
    let current: string | null;
    try {
      current = readFileSync(join(REPO_ROOT, path), 'utf8');
    } catch {
      current = null;
    }
    if (current !== content) stale.push(path);
  }
  return stale;
}
