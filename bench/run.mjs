// Runs one benchmark: `pnpm bench <name> [args...]` runs bench/<name>/main.ts from source
// (tsx, `forge-source` condition, so workspace packages load from their src/ with no build).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  const problem = name ? `unknown bench "${name}"` : 'no bench named';
  console.error(
    `${problem}.\nusage: pnpm bench <name> [args...]\navailable: ${available.join(', ') || '(none)'}`,
  );
  process.exit(2);
}

// Resolved from here, so it works from any working directory.
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--import', tsx, '--conditions=forge-source', join(here, name, 'main.ts'), ...args],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
