/** How `forge up` shows the lines its children print. */
export interface LogFormatOptions {
  /** Colour the prefixes and levels (stdout is a TTY). */
  readonly color: boolean;
  /** Pass lines through as JSON (`--json-logs`): pino lines as they are, others wrapped. */
  readonly jsonLogs: boolean;
  /** Width the service names are padded to, so the lines align. */
  readonly width: number;
}

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];
const LEVELS: Readonly<Record<number, { name: string; color: number }>> = {
  10: { name: 'TRACE', color: 90 },
  20: { name: 'DEBUG', color: 90 },
  30: { name: 'INFO', color: 32 },
  40: { name: 'WARN', color: 33 },
  50: { name: 'ERROR', color: 31 },
  60: { name: 'FATAL', color: 41 },
};
/** Fields every pino line has; the short form leaves them out. */
const NOISE = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'span_id', 'trace_id', 'v']);

function paint(text: string, code: number, on: boolean): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** A stable colour per name, so a service keeps its colour across restarts. */
export function colorFor(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return COLORS[hash % COLORS.length]!;
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function shortValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'message' in value) {
    return JSON.stringify((value as { message: unknown }).message);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A pino line in a short readable form: `12:00:01 INFO  message key=value`. */
function readable(record: Record<string, unknown>, color: boolean): string {
  const level = LEVELS[Number(record.level)] ?? { name: String(record.level ?? 'LOG'), color: 0 };
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const extras = Object.entries(record)
    .filter(([key]) => !NOISE.has(key))
    .map(([key, value]) => `${key}=${shortValue(value)}`);
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return [time, paint(level.name.padEnd(5), level.color, color), msg, ...extras].filter(Boolean).join(' ');
}

/**
 * One output line for a line a child printed. `stream` says whether it came from stderr, which
 * is how a non-pino line (a crash trace) gets a level when wrapped as JSON.
 */
export function formatLine(
  service: string,
  line: string,
  stream: 'stdout' | 'stderr',
  opts: LogFormatOptions,
): string {
  const record = parseJsonObject(line);
  if (opts.jsonLogs) {
    if (record) return record.service === undefined ? JSON.stringify({ service, ...record }) : line;
    return JSON.stringify({
      level: stream === 'stderr' ? 50 : 30,
      time: new Date().toISOString(),
      service,
      msg: line,
    });
  }
  const prefix = paint(`${service.padEnd(opts.width)} |`, colorFor(service), opts.color);
  const body = record && 'level' in record ? readable(record, opts.color) : line;
  return `${prefix} ${body}`;
}
