import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForExit } from './child-process.js';
import { SERVICE_GATE } from './service-launcher.js';

function lines(child: ChildProcess): string[] {
  const seen: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => seen.push(line));
  return seen;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the service gate', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-gate-'));
    await writeFile(
      join(dir, 'main.mjs'),
      "console.log('main ' + process.env.LATE); setInterval(() => {}, 1000);\n",
    );
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('holds main until forge:go, and gives main the env that came with it', async () => {
    const child = spawn(process.execPath, ['--import', SERVICE_GATE, join(dir, 'main.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    children.push(child);
    const output = lines(child);
    child.send({ type: 'not-go' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output).toEqual([]);
    child.send({ type: 'forge:go', env: { LATE: 'known now' } });
    await until(() => output.length > 0);
    expect(output).toEqual(['main known now']);
  });

  it('stops the service when the process that started it dies', { timeout: 90_000 }, async () => {
    // A stand-in for forge up: starts a gated child, says its pid, and waits to be killed.
    const parentScript = join(dir, 'parent.mjs');
    await writeFile(
      parentScript,
      `import { spawn } from 'node:child_process';
const child = spawn(process.execPath, ['--import', ${JSON.stringify(SERVICE_GATE)}, ${JSON.stringify(join(dir, 'main.mjs'))}],
  { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
child.send({ type: 'forge:go', env: {} });
console.log(child.pid);
setInterval(() => {}, 1000);
`,
    );
    const parent = spawn(process.execPath, [parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    const output = lines(parent);
    // Generous bounds: node starting twice over, and the service's SIGTERM path, on a loaded
    // 2-core machine (the 5 s default failed once in a full run at load average 50).
    await until(() => output.length > 0, 30_000);
    const servicePid = Number(output[0]);
    expect(() => process.kill(servicePid, 0)).not.toThrow();
    parent.kill('SIGKILL');
    await waitForExit(parent, 5_000);
    await until(() => {
      try {
        process.kill(servicePid, 0);
        return false;
      } catch {
        return true;
      }
    }, 30_000);
  });
});
