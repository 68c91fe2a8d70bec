import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './kube-tools.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (buffer === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (buffer === '') start = index + 1;
    if (line.trim().startsWith('#')) return;
    buffer += `${line.replace(/\\$/, '')} `;
    if (!line.endsWith('\\')) {
      const [keyword = '', ...rest] = buffer.trim().split(/\s+/);
      out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start });
      buffer = '';
    }
  });
  return out;
}

/**
 * What can be checked of the image without a Docker engine: several stages, every base image
 * pinned to a version, a numeric non-root USER in the final stage, an exec-form ENTRYPOINT whose
 * script exists, no ADD, every COPY from the context naming something that exists, and a
 * .dockerignore that keeps node_modules, dist, .git and local state out. Returns the problems.
 */
export function dockerfileProblems(dockerfile = 'Dockerfile'): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(readFileSync(join(REPO_ROOT, dockerfile), 'utf8'));
  const args = new Map<string, string>();
  for (const i of instructions.filter((i) => i.keyword === 'ARG')) {
    const [name, value] = i.args.split('=');
    if (name && value) args.set(name, value);
  }
  const expand = (text: string) => text.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? '');
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  if (froms.length < 2) problems.push('Dockerfile: expected a multi-stage build (two FROM or more)');
  for (const from of froms) {
    const image = expand(from.args.split(/\s+/)[0] ?? '');
    const tag = image.includes('@') ? 'digest' : image.split('/').at(-1)?.split(':')[1];
    if (!tag || tag === 'latest') problems.push(`Dockerfile:${from.line}: base image ${image} is not pinned`);
  }
  const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
  const user = finalStage.filter((i) => i.keyword === 'USER').at(-1);
  if (!user || !/^[1-9]\d*(:\d+)?$/.test(user.args)) {
    problems.push('Dockerfile: the final stage must run as a numeric non-root USER');
  }
  const entrypoint = finalStage.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  if (!entrypoint?.args.startsWith('[')) problems.push('Dockerfile: ENTRYPOINT must be in exec form');
  else {
    const script = (JSON.parse(entrypoint.args) as string[]).find((part) => part.endsWith('.mjs'));
    if (!script || !existsSync(join(REPO_ROOT, script.replace(/^\/app\//, '')))) {
      problems.push(`Dockerfile: the ENTRYPOINT script ${script} is not in the repository`);
    }
  }
  for (const i of instructions) {
    if (i.keyword === 'ADD') problems.push(`Dockerfile:${i.line}: use COPY, not ADD`);
    if (i.keyword === 'COPY' && !i.args.includes('--from=')) {
      const parts = i.args.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        if (source !== '.' && !existsSync(join(REPO_ROOT, source))) {
          problems.push(`Dockerfile:${i.line}: COPY source ${source} does not exist`);
        }
      }
    }
  }
  const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const needed of ['**/node_modules', '**/dist', '.git', '.forge']) {
    if (!ignore.includes(needed)) problems.push(`.dockerignore: ${needed} is not excluded`);
  }
  return problems;
}
