import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..', '..', '..');
const CONFIG = join(here, '..', 'dependency-cruiser.cjs');
const DEPCRUISE = join(here, '..', 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/**
 * A tiny repository laid out as Forge is, keeping every rule: contracts (zod only) under
 * telemetry (API and SDK entries), bus, service-runtime, testkit, agent-kit and the CLI; two
 * services, one with its instrumentation.ts. Imports are relative: the rules match the files an
 * import resolves to, as workspace imports resolve in the real tree.
 */
const CLEAN: Record<string, string> = {
  'packages/contracts/src/index.ts': "import { z } from 'zod';\nexport const Name = z.string();\n",
  'packages/telemetry/src/index.ts':
    "import { Name } from '../../contracts/src/index.js';\nexport const api = Name;\n",
  'packages/telemetry/src/sdk.ts': "import { api } from './index.js';\nexport const sdk = api;\n",
  'packages/bus/src/index.ts':
    "import { Name } from '../../contracts/src/index.js';\nimport { api } from '../../telemetry/src/index.js';\nexport { connect } from './connect.js';\nexport const bus = [Name, api];\n",
  'packages/bus/src/connect.ts': 'export const connect = 1;\n',
  'packages/bus/src/connect.test.ts':
    "import { fake } from '../../testkit/src/index.js';\nimport { sdk } from '../../telemetry/src/sdk.js';\nexport const t = [fake, sdk];\n",
  'packages/testkit/src/index.ts':
    "import { Name } from '../../contracts/src/index.js';\nexport const fake = Name;\n",
  'packages/service-runtime/src/index.ts':
    "import { Name } from '../../contracts/src/index.js';\nexport const runServiceProcess = Name;\n",
  'packages/agent-kit/src/index.ts':
    "import { bus } from '../../bus/src/index.js';\nimport { runServiceProcess } from '../../service-runtime/src/index.js';\nexport const kit = [bus, runServiceProcess];\n",
  'packages/agent-kit/src/test-support/agent.ts':
    "import { fake } from '../../../testkit/src/index.js';\nexport const testAgent = fake;\n",
  'packages/cli/src/index.ts':
    "import { kit } from '../../agent-kit/src/index.js';\nexport const cli = kit;\n",
  'services/scout/src/instrumentation.ts':
    "import { sdk } from '../../../packages/telemetry/src/sdk.js';\nexport const telemetry = sdk;\n",
  'services/scout/src/main.ts':
    "import { kit } from '../../../packages/agent-kit/src/index.js';\nimport { telemetry } from './instrumentation.js';\nexport const main = [kit, telemetry];\n",
  'services/router/src/main.ts':
    "import { bus } from '../../../packages/bus/src/index.js';\nimport { runServiceProcess } from '../../../packages/service-runtime/src/index.js';\nexport const main = [bus, runServiceProcess];\n",
};

/** One deliberate break per rule: the file added, and the violation it must cause (and only it). */
const BREAKS: { rule: string; file: string; text: string; from: string; to: string }[] = [
  {
    rule: 'no-cycles',
    file: 'packages/bus/src/ping.ts',
    text: "import { pong } from './pong.js';\nexport const ping = () => pong;\n",
    from: 'packages/bus/src/ping.ts',
    // With PONG below, a cycle: the checker names every file on it.
    to: 'packages/bus/src/pong.ts → packages/bus/src/ping.ts',
  },
  {
    rule: 'contracts-imports-only-zod',
    file: 'packages/contracts/src/clock.ts',
    text: "import { readFileSync } from 'node:fs';\nexport const clock = readFileSync;\n",
    from: 'packages/contracts/src/clock.ts',
    to: 'fs',
  },
  {
    rule: 'contracts-imports-only-zod',
    file: 'packages/contracts/src/compile.ts',
    text: "import ts from 'typescript';\nexport const compile = ts.transpile;\n",
    from: 'packages/contracts/src/compile.ts',
    to: 'npm:typescript',
  },
  {
    rule: 'packages-never-import-services',
    file: 'packages/bus/src/router-leak.ts',
    text: "import { main } from '../../../services/router/src/main.js';\nexport const leak = main;\n",
    from: 'packages/bus/src/router-leak.ts',
    to: 'services/router/src/main.ts',
  },
  {
    rule: 'services-never-import-each-other',
    file: 'services/scout/src/borrow.ts',
    text: "import { main } from '../../router/src/main.js';\nexport const borrowed = main;\n",
    from: 'services/scout/src/borrow.ts',
    to: 'services/router/src/main.ts',
  },
  {
    rule: 'agent-kit-never-imports-cli',
    file: 'packages/agent-kit/src/cli-leak.ts',
    text: "import { cli } from '../../cli/src/index.js';\nexport const leak = cli;\n",
    from: 'packages/agent-kit/src/cli-leak.ts',
    to: 'packages/cli/src/index.ts',
  },
  {
    rule: 'only-the-cli-builds-on-agent-kit',
    file: 'packages/testkit/src/kit-leak.ts',
    text: "import { kit } from '../../agent-kit/src/index.js';\nexport const leak = kit;\n",
    from: 'packages/testkit/src/kit-leak.ts',
    to: 'packages/agent-kit/src/index.ts',
  },
  {
    rule: 'services-never-import-the-cli',
    file: 'services/router/src/cli-leak.ts',
    text: "import { cli } from '../../../packages/cli/src/index.js';\nexport const leak = cli;\n",
    from: 'services/router/src/cli-leak.ts',
    to: 'packages/cli/src/index.ts',
  },
  {
    rule: 'service-runtime-imports-only-contracts',
    file: 'packages/service-runtime/src/bus-leak.ts',
    text: "import { bus } from '../../bus/src/index.js';\nexport const leak = bus;\n",
    from: 'packages/service-runtime/src/bus-leak.ts',
    to: 'packages/bus/src/index.ts',
  },
  {
    rule: 'testkit-only-in-tests',
    file: 'services/router/src/fake-models.ts',
    text: "import { fake } from '../../../packages/testkit/src/index.js';\nexport const models = fake;\n",
    from: 'services/router/src/fake-models.ts',
    to: 'packages/testkit/src/index.ts',
  },
  {
    rule: 'only-instrumentation-starts-telemetry',
    file: 'services/router/src/tracing.ts',
    text: "import { sdk } from '../../../packages/telemetry/src/sdk.js';\nexport const tracing = sdk;\n",
    from: 'services/router/src/tracing.ts',
    to: 'packages/telemetry/src/sdk.ts',
  },
  {
    rule: 'no-unresolvable-imports',
    file: 'services/scout/src/typo.ts',
    text: "import { x } from './no-such-file.js';\nexport const typo = x;\n",
    from: 'services/scout/src/typo.ts',
    to: './no-such-file.js',
  },
  {
    rule: 'no-deep-imports',
    file: 'services/router/src/deep.ts',
    text: "import { connect } from '../../../packages/bus/src/connect.js';\nexport const deep = connect;\n",
    from: 'services/router/src/deep.ts',
    to: 'packages/bus/src/connect.ts',
  },
];

/** The other half of the cycle `no-cycles` must catch (not a break by itself). */
const PONG = {
  file: 'packages/bus/src/pong.ts',
  text: "import { ping } from './ping.js';\nexport const pong = () => ping;\n",
};

interface Run {
  code: number;
  output: string;
  /** `rule: from → to` of every error the checker printed (`rule: a → b → a` for a cycle). */
  violations: string[];
}

/** An npm package's file as `npm:<name>` (its path depends on where the store sits); others as they are. */
function npmName(file: string): string {
  const at = file.lastIndexOf('node_modules/');
  if (at === -1) return file;
  const parts = file.slice(at + 'node_modules/'.length).split('/');
  return `npm:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
}

/**
 * The errors in the checker's output: `error <rule>: <from> → <to>`, a cycle as its chain over
 * the following indented lines, turned to start at its smallest file so it reads the same
 * whichever file the checker began with.
 */
function violationsIn(output: string): string[] {
  const found: string[] = [];
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^\s*error (\S+): (.*)$/.exec(lines[i] ?? '');
    if (!head) continue;
    let chain = head[2] ?? '';
    while (chain.trimEnd().endsWith('→') && /^\s{6,}\S/.test(lines[i + 1] ?? '')) {
      chain = `${chain.trimEnd()} ${(lines[++i] ?? '').trim()}`;
    }
    const files = chain.split('→').map((part) => npmName(part.trim()));
    if (head[1] === 'no-cycles' && files.length > 2 && files[0] === files.at(-1)) {
      const ring = files.slice(0, -1);
      const start = ring.indexOf([...ring].sort()[0] ?? '');
      const turned = [...ring.slice(start), ...ring.slice(0, start)];
      files.splice(0, files.length, ...turned, turned[0] ?? '');
    }
    found.push(`${head[1]}: ${files.join(' → ')}`);
  }
  return found;
}

/** Runs the checker exactly as `pnpm check:layers` does, in `root`. */
function check(root: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEPCRUISE, '--config', CONFIG, 'packages', 'services'],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output, violations: violationsIn(output) });
      },
    );
  });
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

// Each run starts the checker in its own process; generous bounds for a loaded machine.
describe('the layering rules (tools/layers/dependency-cruiser.cjs)', { timeout: 120_000 }, () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'forge-layers-'));
    await writeTree(root, CLEAN);
    await copyFile(join(REPO, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
    // zod as contracts really has it, so "contracts imports only zod" is checked against the real package.
    await symlink(
      join(REPO, 'packages', 'contracts', 'node_modules'),
      join(root, 'packages', 'contracts', 'node_modules'),
    );
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('passes a tree that keeps every rule', async () => {
    const run = await check(root);
    expect(run.violations).toEqual([]);
    expect(run.output).toContain('no dependency violations found');
    expect(run.code).toBe(0);
  });

  it('fails on each deliberate break, naming the rule and the offending import, and nothing else', async () => {
    await writeTree(
      root,
      Object.fromEntries([...BREAKS.map((b) => [b.file, b.text]), [PONG.file, PONG.text]]),
    );
    try {
      const run = await check(root);
      expect(run.code).not.toBe(0);
      const expected = BREAKS.map((b) => `${b.rule}: ${b.from} → ${b.to}`);
      expect([...run.violations].sort()).toEqual(expected.sort());
    } finally {
      for (const file of [...BREAKS.map((b) => b.file), PONG.file])
        await rm(join(root, file), { force: true });
    }
    // Mended, the same tree passes again.
    const again = await check(root);
    expect(again.violations).toEqual([]);
    expect(again.code).toBe(0);
  });
});
