import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chartDrift, configCopyDrift } from './chart-drift.js';
import { dockerfileProblems } from './dockerfile-check.js';
import { kubeTools, REPO_ROOT, tool } from './kube-tools.js';
import { helmLint, helmTemplate, parseManifests } from './manifests.js';
import { BRAINS, k8sDrift, renderK8s } from './render-k8s.js';
import { validateObjects } from './validate-objects.js';

// The deployment checks CI runs (`pnpm --filter @forge/deploy check`, from .ci/run): the chart
// lints strictly and renders for both brains (and with every option on); every rendered object is
// valid against the Kubernetes schemas; the chart agrees with what the code reads; k8s/ is what the
// chart renders; each overlay builds with kubectl kustomize; the Dockerfile holds what can be
// checked without an engine (and hadolint's rules, where hadolint is installed). Any failure: exit 1.

const ALL_FEATURES = join(REPO_ROOT, 'deploy', 'helm', 'forge', 'ci', 'all-features-values.yaml');
const run = promisify(execFile);
let passed = 0;
let failed = 0;

async function step(name: string, check: () => Promise<string[]> | string[]): Promise<void> {
  const began = performance.now();
  let problems: string[];
  try {
    problems = await check();
  } catch (error) {
    problems = [error instanceof Error ? error.message : String(error)];
  }
  const ms = Math.round(performance.now() - began);
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${name} (${ms} ms)`);
  } else {
    failed++;
    console.log(`FAIL  ${name} (${ms} ms)`);
    for (const problem of problems) console.log(`      ${problem}`);
  }
}

const tools = await kubeTools();
const renders = [
  ...BRAINS.map((brain) => ({
    label: brain.dir,
    values: [join(REPO_ROOT, brain.values)],
    release: brain.release,
    namespace: brain.namespace,
    unbuilt: false,
  })),
  {
    label: 'all features',
    values: [ALL_FEATURES],
    release: 'forge-ci',
    namespace: 'forge-ci',
    unbuilt: true,
  },
];
for (const render of renders) {
  await step(`helm lint --strict (${render.label})`, async () => {
    await helmLint(tools, render.values);
    return [];
  });
  await step(`helm template, Kubernetes schemas and drift from the code (${render.label})`, async () => {
    const objects = parseManifests(await helmTemplate(tools, render));
    if (objects.length === 0) return ['nothing rendered'];
    return [...validateObjects(objects), ...chartDrift(objects, { allowUnbuiltServices: render.unbuilt })];
  });
}
await step('the chart refuses values its schema forbids (an ingress on an agent)', async () => {
  try {
    await helmTemplate(tools, { ...renders[0]!, set: ['services.scout.ingress.enabled=true'] });
    return ['rendered anyway'];
  } catch (error) {
    return /schema/.test((error as Error).message) ? [] : [(error as Error).message];
  }
});
await step('the chart carries the shipped routing, day and schedules configs', () => configCopyDrift());
await step('k8s/ is what the chart renders', async () =>
  k8sDrift(await renderK8s(tools)).map(
    (path) => `${path} is stale: run \`pnpm --filter @forge/deploy render-k8s\``,
  ),
);
for (const brain of BRAINS) {
  await step(`kubectl kustomize k8s/${brain.dir}`, async () => {
    const objects = parseManifests(
      await tool(tools.kubectl, ['kustomize', join(REPO_ROOT, 'k8s', brain.dir)]),
    );
    const outside = objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== brain.namespace);
    return [
      ...validateObjects(objects),
      ...outside.map((o) => `${o.kind}/${o.metadata.name} is not in namespace ${brain.namespace}`),
    ];
  });
}
await step('Dockerfile and .dockerignore', async () => {
  const problems = dockerfileProblems();
  const hadolint = await run('hadolint', ['--version']).then(
    () => true,
    () => false,
  );
  if (hadolint) {
    await run('hadolint', [join(REPO_ROOT, 'Dockerfile')]).catch((error: { stdout?: string }) => {
      problems.push(`hadolint: ${error.stdout ?? String(error)}`);
    });
  }
  return problems;
});

console.log(`deploy checks: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
