import { readFile } from 'node:fs/promises';
import { ForgeError } from '@forge/contracts';
import { type Document, isCollection, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';

export interface YamlConfigOptions {
  /** What the file is, for messages: `feeds config`, `schedules`. */
  what: string;
  /**
   * Values for `${NAME}` in string scalars (the caller reads them from its environment in
   * `main`). A reference to a name not given here is an issue naming the field.
   */
  vars?: Readonly<Record<string, string | undefined>>;
}

const REFERENCE = /\$\{([A-Z_][A-Z0-9_]*)\}/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `feeds[2].url`, `schedules["fetch-news"].cron`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || '(root)';
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

function badConfig(options: YamlConfigOptions, sourceName: string, issues: string[]): ForgeError {
  return new ForgeError('BAD_CONFIG', `invalid ${options.what} ${sourceName}: ${issues.join('; ')}`, {
    retryable: false,
    details: { source: sourceName, issues },
  });
}

/** Replaces `${NAME}` in every string scalar; returns an issue for each name that is not set. */
function substitute(
  doc: Document,
  vars: Readonly<Record<string, string | undefined>>,
  lineOf: (node: unknown) => string,
): string[] {
  const issues: string[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(REFERENCE, (whole, name: string) => {
        const value = vars[name];
        if (value !== undefined && value !== '') return value;
        issues.push(`\${${name}} is not set${lineOf(node)}`);
        return whole;
      });
    },
  });
  return issues;
}

/**
 * Parses YAML config text and checks it with `schema`. YAML errors, unset `${NAME}` references
 * and schema issues become one BAD_CONFIG ForgeError listing all of them, each with its field path
 * and line: `feeds[2].url: Invalid URL (feeds.yaml line 14)`. Values are never quoted in messages
 * (a config may hold a secret).
 */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  sourceName: string,
  schema: S,
  options: YamlConfigOptions,
): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map(
      (e) => `${sourceName} line ${lineCounter.linePos(e.pos[0]).line}: ${firstLine(e.message)}`,
    );
    throw badConfig(options, sourceName, issues);
  }
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? ` (${sourceName} line ${lineCounter.linePos(range[0]).line})` : '';
  };
  const unset = substitute(doc, options.vars ?? {}, lineOf);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw badConfig(options, sourceName, [
      `${sourceName}: ${firstLine(error instanceof Error ? error.message : String(error))}`,
    ]);
  }
  const result = schema.safeParse(value);
  const issues = [...unset];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path];
      for (const at of keys) {
        const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
        issues.push(`${formatPath(at)}: ${message}${locate(doc, at, lineOf)}`);
      }
    }
  }
  if (issues.length > 0) throw badConfig(options, sourceName, issues);
  return result.data as z.output<S>;
}

/** The line of the deepest node on `path` the document has (a missing field: its parent's). */
function locate(doc: Document, path: PropertyKey[], lineOf: (node: unknown) => string): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const where = lineOf(node);
    if (where && (depth > 0 || isCollection(node))) return where;
  }
  return '';
}

/** Reads and parses a YAML config file; an unreadable file is BAD_CONFIG naming it. */
export async function loadYamlConfigFile<S extends z.ZodType>(
  path: string,
  schema: S,
  options: YamlConfigOptions,
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ForgeError('BAD_CONFIG', `cannot read ${options.what} ${path}: ${reason}`, {
      retryable: false,
      cause: error,
    });
  }
  return parseYamlConfig(text, path.split('/').pop() ?? path, schema, options);
}
