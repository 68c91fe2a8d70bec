import type { JsonSchema } from '../json-output.js';
import type { FillSources } from './fill-sources.js';
import type { MessageItem } from './message-items.js';
import { clip } from './text-terms.js';

export type { FillSources } from './fill-sources.js';

type Node = Record<string, unknown>;

const CONFIDENCE = /confiden|certaint|probab/;
const REASON = /reason|rational|explan|why|justif|evidence|because/;
const TITLE = /title|headline|subject|heading/;
const TAGS = /tag|keyword|topic|term|categor|label|theme|hashtag/;
/** Fields that name a class of the rubric: filled with the rubric's own topic names when it lists them. */
const TOPIC = /topic|categor|label|theme|class/;
/** `id`, `itemId`, `item_id`, `key`: the field an item's id is echoed in. */
const ID_KEY = /^(?:id|key|ref)$|[a-z0-9][_-]?(?:id|Id|ID)$/;
const NEGATIVE_FLAG = /spam|irrelevant|unrelated|reject|negative|off_?topic/;
const MAX_DEPTH = 8;

const FOUND: Record<string, { pattern: RegExp; fallback: string }> = {
  'date-time': {
    pattern: /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/,
    fallback: '1970-01-01T00:00:00Z',
  },
  date: { pattern: /\b\d{4}-\d{2}-\d{2}\b/, fallback: '1970-01-01' },
  email: { pattern: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/, fallback: 'offline@example.invalid' },
  uri: { pattern: /\bhttps?:\/\/[^\s"'<>]+/, fallback: 'https://example.invalid/' },
  url: { pattern: /\bhttps?:\/\/[^\s"'<>]+/, fallback: 'https://example.invalid/' },
  uuid: {
    pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i,
    fallback: '00000000-0000-4000-8000-000000000000',
  },
};

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The property of an object schema that carries an item's id, if it has one. */
function idProperty(node: Node): string | undefined {
  const properties = isNode(node.properties) ? node.properties : {};
  return Object.keys(properties).find((key) => ID_KEY.test(key));
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Fills a JSON Schema with values drawn from the prompt: enums by the rubric verdict, numbers
 * by relevance (or confidence, for fields so named) scaled to their bounds, strings by their
 * name (reasons, titles, text) and format, arrays of tags or sentences from the input. Objects
 * get every required property and every optional one without a `pattern`. Deterministic.
 */
export class SchemaFiller {
  readonly #root: Node;
  readonly #sources: FillSources;

  constructor(root: JsonSchema, sources: FillSources) {
    this.#root = root;
    this.#sources = sources;
  }

  fill(): unknown {
    return this.#node(this.#root, '', [], 0);
  }

  #resolve(node: Node): Node {
    let current = node;
    for (let hops = 0; typeof current.$ref === 'string' && hops < MAX_DEPTH; hops += 1) {
      const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref as string);
      const table = match ? this.#root[match[1]!] : undefined;
      const target = match && isNode(table) ? table[decodeURIComponent(match[2]!)] : undefined;
      if (!isNode(target)) return {};
      current = target;
    }
    return current;
  }

  #node(raw: unknown, name: string, labels: readonly string[], depth: number): unknown {
    if (!isNode(raw) || depth > MAX_DEPTH) return this.#string({}, name, labels);
    const node = this.#resolve(raw);
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length > 0) return this.#choose(node.enum);
    const branches = (node.anyOf ?? node.oneOf) as unknown;
    if (Array.isArray(branches) && branches.length > 0) {
      const pick = branches.find((branch) => !(isNode(branch) && branch.type === 'null')) ?? branches[0];
      return this.#node(pick, name, labels, depth + 1);
    }
    if (Array.isArray(node.allOf)) {
      const parts = node.allOf.map((part) => this.#node(part, name, labels, depth + 1));
      return parts.every(isNode) ? Object.assign({}, ...parts) : parts[0];
    }
    const types = Array.isArray(node.type) ? node.type : [node.type];
    const type =
      types.find((t) => typeof t === 'string' && t !== 'null') ??
      (isNode(node.properties)
        ? 'object'
        : node.items !== undefined
          ? 'array'
          : types.includes('null')
            ? 'null'
            : 'string');
    switch (type) {
      case 'object':
        return this.#object(node, depth);
      case 'array':
        return this.#array(node, name, labels, depth);
      case 'number':
      case 'integer':
        return this.#number(node, name, labels, type === 'integer');
      case 'boolean': {
        const yes = this.#sources.verdict(labels).relevance >= 0.5;
        return NEGATIVE_FLAG.test(name) ? !yes : yes;
      }
      case 'null':
        return null;
      default:
        return this.#string(node, name, labels);
    }
  }

  #choose(options: unknown[]): unknown {
    const strings = options.filter((option): option is string => typeof option === 'string');
    if (strings.length !== options.length) return options[0];
    return this.#sources.verdict(strings).label ?? strings[0];
  }

  #object(node: Node, depth: number): Record<string, unknown> {
    const properties = isNode(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    // The first string enum names the labels the numbers and reasons beside it speak about.
    const labelField = Object.values(properties)
      .map((prop) => (isNode(prop) ? this.#resolve(prop) : {}))
      .find((prop) => Array.isArray(prop.enum) && prop.enum.every((option) => typeof option === 'string'));
    const labels = (labelField?.enum as string[] | undefined) ?? [];
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(properties)) {
      // An optional pattern we cannot aim at is left out rather than failed; known formats are fine.
      const optionalAndHard =
        !required.has(key) &&
        isNode(prop) &&
        typeof prop.pattern === 'string' &&
        !(typeof prop.format === 'string' && prop.format in FOUND);
      if (optionalAndHard) continue;
      out[key] = this.#node(prop, key.toLowerCase(), labels, depth + 1);
    }
    return out;
  }

  #array(node: Node, name: string, labels: readonly string[], depth: number): unknown[] {
    const min = num(node.minItems) ?? 0;
    const max = num(node.maxItems) ?? Number.POSITIVE_INFINITY;
    const items = isNode(node.items) ? this.#resolve(node.items) : {};
    const itemType = Array.isArray(items.type) ? items.type.find((t) => t !== 'null') : items.type;
    const idKey = this.#sources.items.length > 0 ? idProperty(items) : undefined;
    let values: unknown[];
    if (idKey !== undefined) {
      // One entry per item the message carries, in its order, each scored on that item alone.
      values = this.#sources.items
        .slice(0, max)
        .map((item, index) =>
          new SchemaFiller(this.#root, this.#sources.forItem(item)).#entry(
            items,
            idKey,
            item,
            index,
            depth + 1,
          ),
        );
    } else if (Array.isArray(items.enum)) {
      values = [this.#choose(items.enum)];
    } else if (itemType === 'string' && items.format === undefined && items.pattern === undefined) {
      const verdict = this.#sources.verdict(labels);
      const topics = this.#sources.topics;
      if (topics !== undefined && TOPIC.test(name)) {
        // Topic ids come from the rubric's list only: the ones touched, then (to reach minItems) the rest.
        const rest = topics.all.filter((topic) => !topics.matched.includes(topic));
        const count = Math.min(max, Math.max(min, Math.min(3, topics.matched.length)));
        values = [...topics.matched, ...rest].slice(0, count);
      } else {
        const candidates = TAGS.test(name)
          ? [...verdict.matched, ...this.#sources.topTerms.filter((term) => !verdict.matched.includes(term))]
          : this.#sources.sentences;
        values = candidates
          .slice(0, Math.min(max, Math.max(min, 3)))
          .map((value) => this.#fitString(items, value));
      }
    } else {
      values = [];
    }
    while (values.length < min) values.push(this.#node(items, name, labels, depth + 1));
    return values.slice(0, max);
  }

  /** One item's entry: the object filled from the item, its id field echoing the item's id. */
  #entry(node: Node, idKey: string, item: MessageItem, index: number, depth: number): unknown {
    const out = this.#object(node, depth);
    const prop = isNode(node.properties) ? node.properties[idKey] : undefined;
    const idNode = isNode(prop) ? this.#resolve(prop) : {};
    if ('const' in idNode || Array.isArray(idNode.enum)) return out;
    const types = Array.isArray(idNode.type) ? idNode.type : [idNode.type];
    const numeric = types.includes('integer') || types.includes('number');
    // A numeric id field takes the item's number when it has one, else its 1-based position.
    out[idKey] = numeric ? (/^\d+$/.test(item.id) ? Number(item.id) : index + 1) : item.id;
    return out;
  }

  #number(node: Node, name: string, labels: readonly string[], integer: boolean): number {
    const verdict = this.#sources.verdict(labels);
    const confidence = CONFIDENCE.test(name);
    const exclusiveMin = num(node.exclusiveMinimum);
    const exclusiveMax = num(node.exclusiveMaximum);
    const step = integer ? 1 : 1e-6;
    let lo = num(node.minimum) ?? (exclusiveMin === undefined ? undefined : exclusiveMin + step);
    let hi = num(node.maximum) ?? (exclusiveMax === undefined ? undefined : exclusiveMax - step);
    const span = confidence ? 1 : integer ? 10 : 1;
    if (lo === undefined && hi === undefined) lo = 0;
    if (lo === undefined) lo = Math.min(0, hi! - span);
    if (hi === undefined) hi = lo + span;
    const share = confidence ? verdict.confidence : verdict.relevance;
    let value = lo + share * (hi - lo);
    const multiple = num(node.multipleOf);
    if (multiple !== undefined && multiple > 0) {
      value = Math.round(value / multiple) * multiple;
      if (value > hi) value -= multiple;
      if (value < lo) value += multiple;
    }
    if (integer) value = Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(value)));
    return Number(value.toFixed(6));
  }

  #string(node: Node, name: string, labels: readonly string[]): string {
    const format = typeof node.format === 'string' ? FOUND[node.format] : undefined;
    if (format) {
      const found = format.pattern.exec(this.#sources.source)?.[0];
      // Sentence punctuation after a URL or address is not part of it.
      return found?.replace(/[.,;:!?)]+$/u, '') ?? format.fallback;
    }
    const sources = this.#sources;
    let value: string;
    if (REASON.test(name)) {
      const verdict = sources.verdict(labels);
      const found = verdict.matched.length > 0 ? verdict.matched.join(', ') : 'none';
      value = `Offline lexical rubric: relevance ${verdict.relevance}; rubric terms found: ${found}.`;
    } else if (TOPIC.test(name) && sources.topics?.matched[0] !== undefined) {
      value = sources.topics.matched[0];
    } else if (TITLE.test(name)) {
      value = clip(sources.sentences[0] ?? sources.text, 80);
    } else {
      // Never the raw source: it carries markup and instructions, not material.
      value = sources.text || sources.sentences[0] || '';
    }
    return this.#fitString(node, value);
  }

  #fitString(node: Node, value: string): string {
    const max = num(node.maxLength);
    const min = num(node.minLength) ?? 0;
    let out = max === undefined ? value : clip(value, max);
    // Pad short values (e.g. an empty input) with a neutral filler rather than fail minLength.
    while (out.length < min) out += out.length === 0 ? '-' : ' -';
    return max === undefined ? out : out.slice(0, max);
  }
}
