import { ForgeError } from '@forge/contracts';
import { decodeEntities } from './entities.js';

/** Character data: decoded text, or a CDATA section taken verbatim. */
export interface XmlText {
  readonly kind: 'text';
  readonly value: string;
  readonly cdata: boolean;
}

/** One element with its namespace resolved from the `xmlns` declarations in scope. */
export interface XmlElement {
  readonly kind: 'element';
  /** The name as written, e.g. `content:encoded`. */
  readonly name: string;
  readonly prefix: string | null;
  readonly local: string;
  /** The namespace URI; null when the element has none or its prefix was never declared. */
  readonly ns: string | null;
  /** Attributes by the name as written (`xml:base`, `rel`), values entity-decoded. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
  /** UTF-16 offset of the `<` in the source, for messages. */
  readonly offset: number;
}

export type XmlNode = XmlElement | XmlText;

export interface ParseXmlOptions {
  /** Deepest element nesting accepted; guards the stack against hostile input. Default 256. */
  maxDepth?: number;
}

interface OpenElement {
  readonly element: XmlElement & { children: XmlNode[] };
  readonly scope: ReadonlyMap<string, string>;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME = new RegExp(`[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*`, 'y');
const SPACE = /[ \t\r\n]*/y;
const NOT_SPACE = /\S/;
const SPACE_NODE: XmlText = Object.freeze({ kind: 'text', value: ' ', cdata: false });

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A small, strict-where-it-matters XML reader for feeds: elements, attributes, namespaces,
 * character and entity references, CDATA, comments, processing instructions and a skipped
 * DOCTYPE. It never fetches or expands DTD-declared entities (no XXE, no entity bombs).
 * Structural faults (mismatched or unclosed tags, unquoted attributes, two roots, text outside
 * the root) throw BAD_INPUT naming the problem with its line and column.
 */
export function parseXml(source: string, options: ParseXmlOptions = {}): XmlElement {
  return new XmlReader(source, options.maxDepth ?? 256).read();
}

class XmlReader {
  private pos = 0;
  private root: XmlElement | null = null;
  private readonly stack: OpenElement[] = [];

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  read(): XmlElement {
    const { src } = this;
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos);
      const textEnd = lt === -1 ? src.length : lt;
      if (textEnd > this.pos) this.text(this.pos, textEnd);
      this.pos = textEnd;
      if (lt === -1) break;
      if (src.startsWith('<!--', lt)) this.skipPast(4, '-->', 'comment');
      else if (src.startsWith('<![CDATA[', lt)) this.cdata();
      else if (src.startsWith('<!DOCTYPE', lt)) this.doctype();
      else if (src.startsWith('<?', lt)) this.skipPast(2, '?>', 'processing instruction');
      else if (src.startsWith('</', lt)) this.endTag();
      else if (src.startsWith('<!', lt)) this.fail('unsupported markup declaration', lt);
      else this.startTag();
    }
    const open = this.stack.at(-1);
    if (open) {
      const at = lineAndColumn(src, open.element.offset);
      this.fail(
        `unexpected end of document: <${open.element.name}> opened at line ${at.line} is never closed`,
        src.length,
      );
    }
    if (!this.root) this.fail('no root element', src.length);
    return this.root;
  }

  private fail(problem: string, offset: number): never {
    const { line, column } = lineAndColumn(this.src, offset);
    throw new ForgeError('BAD_INPUT', `malformed XML at line ${line}, column ${column}: ${problem}`, {
      retryable: false,
      details: { line, column, problem },
    });
  }

  private text(from: number, to: number): void {
    const raw = this.src.slice(from, to);
    const parent = this.stack.at(-1);
    if (!parent) {
      if (NOT_SPACE.test(raw)) this.fail(`text outside the root element`, from + raw.search(NOT_SPACE));
      return;
    }
    // Whitespace between elements is most of a feed's text nodes; one shared node keeps the
    // garbage down. Every consumer collapses whitespace, so its exact run does not matter.
    parent.element.children.push(
      NOT_SPACE.test(raw) ? { kind: 'text', value: decodeEntities(raw), cdata: false } : SPACE_NODE,
    );
  }

  private skipPast(openerLength: number, terminator: string, what: string): void {
    const end = this.src.indexOf(terminator, this.pos + openerLength);
    if (end === -1) this.fail(`unterminated ${what}`, this.pos);
    this.pos = end + terminator.length;
  }

  private cdata(): void {
    const start = this.pos;
    const parent = this.stack.at(-1);
    if (!parent) this.fail('CDATA section outside the root element', start);
    const end = this.src.indexOf(']]>', start + 9);
    if (end === -1) this.fail('unterminated CDATA section', start);
    parent.element.children.push({ kind: 'text', value: this.src.slice(start + 9, end), cdata: true });
    this.pos = end + 3;
  }

  /** Skips `<!DOCTYPE ...>` including an internal subset; its declarations are not honoured. */
  private doctype(): void {
    const start = this.pos;
    if (this.root || this.stack.length > 0) this.fail('DOCTYPE after the root element started', start);
    let depth = 0;
    let quote = '';
    for (let i = start + 9; i < this.src.length; i++) {
      const c = this.src[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) {
        this.pos = i + 1;
        return;
      }
    }
    this.fail('unterminated DOCTYPE', start);
  }

  private name(at: number): string {
    NAME.lastIndex = at;
    const match = NAME.exec(this.src);
    return match ? match[0] : '';
  }

  private skipSpace(at: number): number {
    SPACE.lastIndex = at;
    SPACE.exec(this.src);
    return SPACE.lastIndex;
  }

  private startTag(): void {
    const { src } = this;
    const start = this.pos;
    const name = this.name(start + 1);
    if (!name) this.fail(`invalid character after "<"`, start + 1);
    if (this.root && this.stack.length === 0) this.fail(`a second root element <${name}>`, start);
    if (this.stack.length >= this.maxDepth) this.fail(`elements nested deeper than ${this.maxDepth}`, start);
    const attrs = new Map<string, string>();
    let i = start + 1 + name.length;
    let selfClosing = false;
    for (;;) {
      const afterSpace = this.skipSpace(i);
      if (afterSpace >= src.length) this.fail(`unterminated start tag <${name}>`, start);
      if (src.startsWith('/>', afterSpace)) {
        selfClosing = true;
        i = afterSpace + 2;
        break;
      }
      if (src[afterSpace] === '>') {
        i = afterSpace + 1;
        break;
      }
      if (afterSpace === i) this.fail(`unexpected character "${src[i]}" in <${name}> tag`, i);
      const attr = this.name(afterSpace);
      if (!attr) this.fail(`unexpected character "${src[afterSpace]}" in <${name}> tag`, afterSpace);
      i = this.skipSpace(afterSpace + attr.length);
      if (src[i] !== '=') this.fail(`attribute "${attr}" of <${name}> has no value`, i);
      i = this.skipSpace(i + 1);
      const quote = src[i];
      if (quote !== '"' && quote !== "'")
        this.fail(`value of attribute "${attr}" of <${name}> is not quoted`, i);
      const end = src.indexOf(quote, i + 1);
      if (end === -1) this.fail(`unterminated value of attribute "${attr}" of <${name}>`, i);
      const raw = src.slice(i + 1, end);
      const lt = raw.indexOf('<');
      if (lt !== -1) this.fail(`"<" in the value of attribute "${attr}" of <${name}>`, i + 1 + lt);
      if (attrs.has(attr)) this.fail(`duplicate attribute "${attr}" on <${name}>`, afterSpace);
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal tabs and newlines become spaces.
      attrs.set(attr, decodeEntities(raw.replace(/[\t\r\n]/g, ' ')));
      i = end + 1;
    }
    this.pos = i;
    const parent = this.stack.at(-1);
    const scope = withDeclarations(parent?.scope ?? new Map(), attrs);
    const colon = name.indexOf(':');
    const prefix = colon > 0 ? name.slice(0, colon) : null;
    const element: OpenElement['element'] = {
      kind: 'element',
      name,
      prefix,
      local: colon > 0 ? name.slice(colon + 1) : name,
      ns: resolvePrefix(scope, prefix),
      attrs,
      children: [],
      offset: start,
    };
    if (parent) parent.element.children.push(element);
    else this.root = element;
    if (!selfClosing) this.stack.push({ element, scope });
  }

  private endTag(): void {
    const start = this.pos;
    const name = this.name(start + 2);
    if (!name) this.fail('invalid end tag', start);
    const close = this.skipSpace(start + 2 + name.length);
    if (this.src[close] !== '>') this.fail(`unterminated end tag </${name}>`, start);
    const open = this.stack.pop();
    if (!open) this.fail(`end tag </${name}> without a start tag`, start);
    if (open.element.name !== name) {
      const at = lineAndColumn(this.src, open.element.offset);
      this.fail(
        `mismatched end tag </${name}>: expected </${open.element.name}> (opened at line ${at.line})`,
        start,
      );
    }
    this.pos = close + 1;
  }
}

/** The parent's prefix map plus this element's `xmlns` / `xmlns:p` declarations (copy on write). */
function withDeclarations(
  parent: ReadonlyMap<string, string>,
  attrs: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> {
  let scope: Map<string, string> | null = null;
  for (const [attr, value] of attrs) {
    if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) continue;
    scope ??= new Map(parent);
    scope.set(attr === 'xmlns' ? '' : attr.slice(6), value);
  }
  return scope ?? parent;
}

function resolvePrefix(scope: ReadonlyMap<string, string>, prefix: string | null): string | null {
  if (prefix === 'xml') return XML_NS;
  // An empty URI (`xmlns=""`) undeclares the default namespace.
  return scope.get(prefix ?? '') || null;
}

/** The concatenated character data under `node`, in document order. */
export function textContent(node: XmlNode): string {
  if (node.kind === 'text') return node.value;
  let out = '';
  for (const child of node.children) out += textContent(child);
  return out;
}
