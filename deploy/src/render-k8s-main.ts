import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kubeTools, REPO_ROOT } from './kube-tools.js';
import { renderK8s } from './render-k8s.js';

// `pnpm --filter @forge/deploy render-k8s`: refreshes the chart's copy of the routing config and
// writes k8s/ from the chart. Commit what it changes; CI fails while they differ.
copyFileSync(
  join(REPO_ROOT, 'config', 'forge.yaml'),
  join(REPO_ROOT, 'deploy', 'helm', 'forge', 'files', 'forge.yaml'),
);
for (const [path, content] of await renderK8s(await kubeTools())) {
  mkdirSync(dirname(join(REPO_ROOT, path)), { recursive: true });
  writeFileSync(join(REPO_ROOT, path), content);
  console.log(`wrote ${path}`);
}
