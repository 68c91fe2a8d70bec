/** One item a prompt hands over for per-item work (scoring, labelling), as the prompt sent it. */
export interface MessageItem {
  /** The caller's id for the item, exactly as written (attribute, JSON field or list number). */
  id: string;
  /** The item's content with markup removed: what the item says. */
  text: string;
  /** The item as it stood in the message, attributes included (for URLs, dates). */
  raw: string;
}

/** Field names that carry an item's id in JSON items. */
const JSON_ID_KEYS = ['id', 'key', 'itemId', 'item_id', 'ref'];
/** `<headline id="a1" source="x">…</headline>`: a tagged block with an id attribute. */
const TAGGED = /<([A-Za-z][\w:-]*)\s([^<>]*?)>([\s\S]*?)<\/\1\s*>/g;
const ID_ATTR = /(?:^|\s)(?:id|key|ref)\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
/** `[a1] text`, `1. text`, `1) text`, `#1 text`: one listed item per line. */
const LISTED = /^\s*(?:\[([^\]\n]{1,100})\]|#?(\d{1,4})[.)]|#(\d{1,4}))\s+(\S.*)$/;

/** Removes tags, keeping what is between them. */
export function stripTags(text: string): string {
  return text.replace(/<\/?[A-Za-z][^<>]*>/g, ' ').replace(/[ \t]+/g, ' ');
}

function tidy(text: string): string {
  return stripTags(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonId(entry: Record<string, unknown>): string | undefined {
  for (const key of JSON_ID_KEYS) {
    const value = entry[key];
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))
      return String(value);
  }
  return undefined;
}

/** Every string (and number) in an entry but its id, in field order: the item's content. */
function jsonText(value: unknown, skip: string | undefined, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const part of value) jsonText(part, undefined, out);
  else if (isRecord(value))
    for (const [key, part] of Object.entries(value)) if (key !== skip) jsonText(part, undefined, out);
}

/** The first array (breadth-first) whose entries are all objects with an id. */
function findJsonItems(value: unknown): MessageItem[] {
  const queue: unknown[] = [value];
  while (queue.length > 0) {
    const next = queue.shift();
    if (Array.isArray(next)) {
      const ids = next.map((entry) => (isRecord(entry) ? jsonId(entry) : undefined));
      if (next.length > 0 && ids.every((id) => id !== undefined)) {
        return next.map((entry, i) => {
          const record = entry as Record<string, unknown>;
          const skip = JSON_ID_KEYS.find((key) => key in record);
          const parts: string[] = [];
          jsonText(record, skip, parts);
          return { id: ids[i]!, text: tidy(parts.join('\n')), raw: JSON.stringify(record) };
        });
      }
      queue.push(...next);
    } else if (isRecord(next)) {
      queue.push(...Object.values(next));
    }
  }
  return [];
}

function parseJson(text: string): unknown {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text)?.[1];
  for (const candidate of [fenced, text.trim()]) {
    if (candidate === undefined || !/^[[{]/.test(candidate.trim())) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // Not JSON after all: the other shapes may still hold items.
    }
  }
  return undefined;
}

function taggedItems(text: string): MessageItem[] {
  const items: MessageItem[] = [];
  for (const match of text.matchAll(TAGGED)) {
    const id = ID_ATTR.exec(match[2]!);
    if (id) items.push({ id: id[1] ?? id[2] ?? '', text: tidy(match[3]!), raw: match[0] });
  }
  return items;
}

function listedItems(text: string): MessageItem[] {
  const items: MessageItem[] = [];
  let open = false;
  for (const line of text.split('\n')) {
    const match = LISTED.exec(line);
    if (match) {
      items.push({ id: match[1] ?? match[2] ?? match[3]!, text: tidy(match[4]!), raw: line });
      open = true;
    } else if (line.trim() === '') {
      open = false;
    } else if (open) {
      // A wrapped line right under an item belongs to it; a blank line ends the item.
      const last = items[items.length - 1]!;
      last.text = `${last.text}\n${tidy(line)}`.trim();
      last.raw = `${last.raw}\n${line}`;
    }
  }
  return items.length >= 2 ? items : [];
}

/**
 * The items a message carries, in order: a JSON array of objects with an id (the whole message
 * or a fenced block), else tagged blocks with an id attribute (`<item id="a1">…</item>`), else
 * two or more listed lines (`[a1] …`, `1. …`). Ids are copied exactly; empty when none.
 */
export function parseMessageItems(text: string): MessageItem[] {
  const json = parseJson(text);
  if (json !== undefined) {
    const items = findJsonItems(json);
    if (items.length > 0) return items;
  }
  const tagged = taggedItems(text);
  return tagged.length > 0 ? tagged : listedItems(text);
}
