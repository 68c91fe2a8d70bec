import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHART_CONFIG_COPIES } from './chart-drift.js';
import { kubeTools, REPO_ROOT } from './kube-tools.js';
import { renderK8s } from './render-k8s.js';

// `pnpm --filter @forge/deploy render-k8s`: refreshes the chart's copies of the shipped configs
// and writes k8s/ from the chart. Commit what it changes; CI fails while they differ.
for (const file of CHART_CONFIG_COPIES) {
  copyFileSync(join(REPO_ROOT, 'config', file), join(REPO_ROOT, 'deploy', 'helm', 'forge', 'files', file));
}
for (const [path, content] of await renderK8s(await kubeTools())) {
  mkdirSync(dirname(join(REPO_ROOT, path)), { recursive: true });
  writeFileSync(join(REPO_ROOT, path), content);
  console.log(`wrote ${path}`);
}
