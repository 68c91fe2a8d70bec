import { ForgeError } from '@forge/contracts';
import { type Document, isCollection, LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from './config-cross-checks.js';
import { configIssuesFromZod, formatConfigPath } from './config-issues.js';
import { type RoutingConfig, RoutingConfigSchema } from './routing-config.js';

type Locate = (path: ConfigIssue['path']) => number | undefined;

/**
 * Validates an already-loaded routing config object (a brain's config from Postgres, JSON) and
 * returns it deeply frozen, or throws a BAD_CONFIG ForgeError whose message lists every issue
 * with its field path; `details.issues` holds the same lines. Cross-field checks (prices for
 * every tier model, route consistency, ...) run once every field has the right shape.
 */
export function routingConfigFromObject(value: unknown, sourceName: string): RoutingConfig {
  return validate(value, sourceName, () => undefined);
}

/**
 * Parses `forge.yaml` text. YAML syntax errors and schema issues become one BAD_CONFIG
 * ForgeError listing all of them, each with its field path and, where the file has the node,
 * its line: `budgets.perAgent.scout.usd: Invalid input: expected number, received string
 * (forge.yaml line 42)`. The returned config is deeply frozen.
 */
export function parseRoutingConfig(yamlText: string, sourceName: string): RoutingConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const line = lineCounter.linePos(e.pos[0]).line;
      return `${sourceName} line ${line}: ${firstLine(e.message)}`;
    });
    throw badConfig(sourceName, issues);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw badConfig(sourceName, [
      `${sourceName}: ${firstLine(error instanceof Error ? error.message : String(error))}`,
    ]);
  }
  return validate(value, sourceName, locator(doc, lineCounter));
}

function validate(value: unknown, sourceName: string, locate: Locate): RoutingConfig {
  const result = RoutingConfigSchema.safeParse(value);
  if (result.success) return deepFreeze(result.data);
  const issues = configIssuesFromZod(result.error).map((issue) => {
    const line = locate(issue.path);
    const where = line === undefined ? '' : ` (${sourceName} line ${line})`;
    return `${formatConfigPath(issue.path)}: ${issue.message}${where}`;
  });
  throw badConfig(sourceName, issues);
}

function badConfig(sourceName: string, issues: string[]): ForgeError {
  return new ForgeError('BAD_CONFIG', `invalid routing config ${sourceName}: ${issues.join('; ')}`, {
    retryable: false,
    details: { source: sourceName, issues },
  });
}

/** Finds the line of the deepest node on `path` that the document has (a missing field → its parent). */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range && (depth > 0 || isCollection(node))) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
