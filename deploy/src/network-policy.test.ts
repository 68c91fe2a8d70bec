import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KubeTools, kubeTools, REPO_ROOT } from './kube-tools.js';
import { helmTemplate, type KubeObject, parseManifests } from './manifests.js';

let tools: KubeTools;
const BRAIN_A = join(REPO_ROOT, 'deploy', 'helm', 'forge', 'values-brain-a.yaml');

interface Policy {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    egress?: {
      to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
      ports?: { port: unknown }[];
    }[];
  };
}

beforeAll(async () => {
  tools = await kubeTools();
}, 300_000);

describe('the network policies', () => {
  it('let the gateway reach its own agents on their http port', async () => {
    const objects = parseManifests(
      await helmTemplate(tools, {
        values: [BRAIN_A],
        release: 'forge-a',
        namespace: 'forge-a',
        set: [
          'networkPolicy.enabled=true',
          'services.gateway.enabled=true',
          'services.gateway.ingress.tls[0].secretName=forge-gateway-tls',
          'services.gateway.ingress.tls[0].hosts[0]=forge-gateway.example.com',
        ],
      }),
    );
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as (KubeObject & Policy)[];
    const gateway = Object.entries(
      (
        objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway')) as KubeObject & {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        }
      ).spec.template.metadata.labels,
    );
    const ofGateway = policies.filter((p) =>
      Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) =>
        gateway.some(([gk, gv]) => gk === k && gv === v),
      ),
    );
    const toAgents = ofGateway
      .flatMap((p) => p.spec.egress ?? [])
      .filter((rule) =>
        (rule.to ?? []).some(
          (peer) =>
            peer.podSelector?.matchLabels?.['forge.dev/kind'] === 'agent' &&
            peer.podSelector.matchLabels['app.kubernetes.io/instance'] === 'forge-a',
        ),
      );
    expect(toAgents.flatMap((rule) => (rule.ports ?? []).map((p) => p.port))).toEqual(['http']);
  });
});
