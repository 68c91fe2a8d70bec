import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartDrift } from './chart-drift.js';
import { type KubeTools, kubeTools, REPO_ROOT } from './kube-tools.js';
import { helmTemplate, type KubeObject, parseManifests } from './manifests.js';
import { validateObjects } from './validate-objects.js';

// The checks CI runs must fail on a broken chart: each case below breaks one thing the code
// relies on and expects the check to name it.

let tools: KubeTools;
const BRAIN_A = join(REPO_ROOT, 'deploy', 'helm', 'forge', 'values-brain-a.yaml');
const render = async (set: string[] = []) =>
  parseManifests(
    await helmTemplate(tools, { values: [BRAIN_A], release: 'forge-a', namespace: 'forge-a', set }),
  );
const deployment = (objects: KubeObject[], name: string) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as KubeObject & {
    spec: {
      replicas?: unknown;
      template: { spec: { containers: { readinessProbe: { httpGet: { path: string } } }[] } };
    };
  };

beforeAll(async () => {
  tools = await kubeTools();
}, 300_000);

describe('the chart checks', () => {
  it('pass on brain A as shipped', async () => {
    const objects = await render();
    expect(validateObjects(objects)).toEqual([]);
    expect(chartDrift(objects)).toEqual([]);
  });

  it('take the router admission and transport settings docs/operations.md shows', async () => {
    const objects = await render([
      'services.router.env.FORGE_MAX_IN_FLIGHT=128',
      'services.router.env.FORGE_ADMISSION_QUEUE=512',
      'services.router.env.FORGE_MODEL_TRANSPORT=sdk',
    ]);
    expect(validateObjects(objects)).toEqual([]);
    expect(chartDrift(objects)).toEqual([]);
    expect(chartDrift(await render(['services.router.env.FORGE_MAX_IN_FLIGHT=0']))).toEqual([
      expect.stringMatching(
        /^Deployment forge-a-router \(router\): its env does not parse: .*FORGE_MAX_IN_FLIGHT/,
      ),
    ]);
  });

  it('name an environment variable no service reads (a typo)', async () => {
    const problems = chartDrift(await render(['services.scout.env.FORGE_CONCURENCY=8']));
    expect(problems).toEqual([
      'Deployment forge-a-scout (scout): sets FORGE_CONCURENCY, which the agent does not read',
    ]);
  });

  it('name a value the code refuses', async () => {
    const problems = chartDrift(await render(['services.router.env.FORGE_LEDGER_FLUSH_MS=0']));
    expect(problems).toEqual([
      expect.stringMatching(
        /^Deployment forge-a-router \(router\): its env does not parse: .*FORGE_LEDGER_FLUSH_MS/,
      ),
    ]);
  });

  it('name a probe that does not ask /readyz', async () => {
    const objects = await render();
    deployment(objects, 'forge-a-diary').spec.template.spec.containers[0]!.readinessProbe.httpGet.path =
      '/healthz';
    expect(chartDrift(objects)).toEqual([
      'Deployment forge-a-diary (diary): readinessProbe must be GET /readyz on the http port',
    ]);
  });

  it('name a subject a service needs and its NATS user may not use', async () => {
    const objects = await render();
    const accounts = objects.find((o) => o.metadata.name === 'forge-a-nats-accounts') as KubeObject & {
      data: Record<string, string>;
    };
    accounts.data['accounts.conf'] = accounts.data['accounts.conf']!.replace('"forge.acme.model.call", ', '');
    expect(chartDrift(objects)).toEqual([
      'Deployment forge-a-compliance (compliance): NATS user forge-compliance may not publish forge.acme.model.call',
    ]);
  });

  it('name an object that breaks the Kubernetes schema', async () => {
    const objects = await render();
    deployment(objects, 'forge-a-router').spec.replicas = 'two';
    expect(validateObjects(objects)).toEqual([
      expect.stringMatching(/^Deployment\/forge-a-router: .*replicas must be integer/),
    ]);
  });

  it('refuse a console or gateway ingress without TLS unless plain HTTP is allowed in so many words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forge-chart-'));
    const withValues = async (yaml: string, set: string[] = []) => {
      const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, yaml);
      return parseManifests(
        await helmTemplate(tools, { values: [BRAIN_A, file], release: 'forge-a', namespace: 'forge-a', set }),
      );
    };
    const publicUrl = (objects: KubeObject[]) =>
      (
        deployment(objects, 'forge-a-console').spec.template.spec.containers[0] as unknown as {
          env: { name: string; value?: string }[];
        }
      ).env.find((e) => e.name === 'FORGE_PUBLIC_URL')?.value;
    try {
      expect(publicUrl(await render())).toBe('https://forge-console.example.com');
      await expect(withValues('services: { console: { ingress: { tls: [] } } }')).rejects.toThrow(
        /services\.console\.ingress: enabled without tls.*allowInsecureHttp/,
      );
      await expect(
        withValues('services: { gateway: { enabled: true, ingress: { tls: [] } } }'),
      ).rejects.toThrow(/services\.gateway\.ingress: enabled without tls/);
      const insecure = await withValues(
        'services: { console: { ingress: { tls: [], allowInsecureHttp: true } } }',
      );
      expect(publicUrl(insecure)).toBe('http://forge-console.example.com');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
