/**
 * Timestamps along one A2A call inside the agent process, for the per-stage breakdown. Installed
 * by patching prototypes the service shares with the bench (node:http, pg, @forge/bus, the NATS
 * connection, the OpenTelemetry tracer), so the service's code runs unchanged. Off until `enable`;
 * each mark costs a `performance.now()` and an array push.
 */
import { Server, type ServerResponse } from 'node:http';
import { Bus } from '@forge/bus';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Span, type Tracer, trace } from '@opentelemetry/api';
import pg from 'pg';

/** One timestamp: what happened, and when (performance.now(), ms). */
export interface Mark {
  t: number;
  label: string;
}

let marks: Mark[] = [];
let enabled = false;
/** Protocol operations and socket writes by kind, while enabled. */
let counts: Record<string, number> = {};

function count(kind: string): void {
  if (enabled) counts[kind] = (counts[kind] ?? 0) + 1;
}

export function mark(label: string): void {
  if (enabled) marks.push({ t: performance.now(), label });
}

export function enable(on: boolean): void {
  enabled = on;
  if (on) {
    marks = [];
    counts = {};
  }
}

/** The marks and counts since `enable(true)`, and forgets them. */
export function takeMarks(): { marks: Mark[]; counts: Record<string, number> } {
  const taken = { marks, counts };
  marks = [];
  counts = {};
  return taken;
}

/** What a NATS protocol command is for, from its verb and subject. */
function describeNatsCommand(cmd: unknown): string | undefined {
  if (typeof cmd !== 'string') return 'nats PING (flush)';
  const [verb, subject = ''] = cmd.split(' ');
  if (subject.startsWith('bench-echo')) return undefined;
  if (verb === 'PUB' || verb === 'HPUB') {
    if (subject.startsWith('$JS.API.CONSUMER.MSG.NEXT')) return 'nats pub: pull request';
    if (subject.startsWith('$JS.ACK')) return 'nats pub: ack/nak/working';
    if (subject.includes('.status.')) return 'nats pub: status event';
    if (subject.includes('.task.')) return 'nats pub: task envelope';
    if (subject.startsWith('$JS.API')) return 'nats pub: JetStream API';
    return 'nats pub: other';
  }
  if (verb === 'SUB')
    return subject.includes('.status.') ? 'nats SUB: status' : 'nats SUB: other (fetch inbox)';
  if (verb === 'UNSUB') return 'nats UNSUB';
  return `nats ${verb}`;
}

/** What a statement is, in a few words: the repository call it belongs to. */
function describeSql(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  const verb = sql.split(' ')[0]?.toUpperCase() ?? '?';
  if (verb === 'SELECT') {
    if (/FOR UPDATE/i.test(sql)) return 'SELECT a2a FOR UPDATE';
    if (/owner = \$2/i.test(sql)) return 'SELECT getOwned';
    if (/WHERE idempotency_key/i.test(sql)) return 'SELECT by key';
    if (/^SELECT 1/i.test(sql)) return 'SELECT 1';
    return 'SELECT get';
  }
  if (verb === 'UPDATE') return /SET a2a/i.test(sql) ? 'UPDATE a2a' : 'UPDATE state';
  return verb;
}

function patchHttp(): void {
  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function patched(this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request' && enabled) {
      const res = args[1] as ServerResponse;
      const path = (args[0] as { url?: string }).url ?? '';
      if (path.startsWith('/a2a')) {
        mark('http request in');
        res.once('finish', () => mark('http response out'));
      }
    }
    return emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
}

function patchPg(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function patched(this: pg.Client, ...args: unknown[]) {
    if (!enabled) return query.apply(this, args);
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (typeof text !== 'string') return query.apply(this, args);
    const label = `pg ${describeSql(text)}`;
    count('pg statements');
    mark(`${label} >`);
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (...result: unknown[]) => {
        mark(`${label} <`);
        return (last as (...a: unknown[]) => unknown)(...result);
      };
      return query.apply(this, args);
    }
    const out = query.apply(this, args);
    if (out instanceof Promise)
      void out.then(
        () => mark(`${label} <`),
        () => mark(`${label} failed`),
      );
    return out;
  } as typeof pg.Client.prototype.query;

  const connect = pg.Pool.prototype.connect as (...args: unknown[]) => unknown;
  pg.Pool.prototype.connect = function patched(this: pg.Pool, ...args: unknown[]) {
    if (!enabled) return connect.apply(this, args);
    mark('pool checkout >');
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (...result: unknown[]) => {
        mark('pool checkout <');
        return (last as (...a: unknown[]) => unknown)(...result);
      };
      return connect.apply(this, args);
    }
    const out = connect.apply(this, args);
    if (out instanceof Promise)
      void out.then(
        () => mark('pool checkout <'),
        () => undefined,
      );
    return out;
  } as typeof pg.Pool.prototype.connect;
}

function patchBus(): void {
  const proto = Bus.prototype;
  const publish = proto.publish;
  proto.publish = async function patched(this: Bus, ...args: Parameters<typeof publish>) {
    mark('js publish >');
    try {
      return await publish.apply(this, args);
    } finally {
      mark('js publish <');
    }
  } as typeof publish;
  const emit = proto.emit;
  proto.emit = function patched(this: Bus, ...args: Parameters<typeof emit>) {
    const state = (args[2] as { state?: string } | undefined)?.state;
    mark(`status emit ${state ?? '?'}`);
    return emit.apply(this, args);
  } as typeof emit;
  const subscribe = proto.subscribe;
  proto.subscribe = function patched(this: Bus, ...args: Parameters<typeof subscribe>) {
    const [subject, schema, onMessage, opts] = args;
    mark('status subscribe');
    const wrapped: typeof onMessage = (value, meta) => {
      mark(`status recv ${(value as { state?: string }).state ?? '?'}`);
      return onMessage(value, meta);
    };
    return subscribe.call(this, subject, schema, wrapped, opts);
  } as typeof subscribe;
}

interface ProtocolLike {
  sendCommand(cmd: unknown, ...payloads: unknown[]): void;
  transport: { send(frame: Uint8Array): void };
}

function patchNats(nc: NatsConnection): void {
  const protocol = (nc as unknown as { protocol: ProtocolLike }).protocol;
  const protocolProto = Object.getPrototypeOf(protocol) as ProtocolLike;
  const sendCommand = protocolProto.sendCommand;
  protocolProto.sendCommand = function patched(this: ProtocolLike, cmd: unknown, ...payloads: unknown[]) {
    if (enabled) {
      const kind = describeNatsCommand(cmd);
      if (kind) count(kind);
    }
    return sendCommand.call(this, cmd, ...payloads);
  };
  const transportProto = Object.getPrototypeOf(protocol.transport) as ProtocolLike['transport'];
  const send = transportProto.send;
  transportProto.send = function patched(this: ProtocolLike['transport'], frame: Uint8Array) {
    count('nats socket writes');
    return send.call(this, frame);
  };
  const proto = Object.getPrototypeOf(nc) as NatsConnection;
  const flush = proto.flush;
  proto.flush = async function patched(this: NatsConnection) {
    mark('nats flush >');
    try {
      return await flush.call(this);
    } finally {
      mark('nats flush <');
    }
  };
}

/** Marks the start and end of every span made with startActiveSpan (what `withSpan` uses). */
function patchTracer(): void {
  const provider = trace.getTracerProvider();
  const getTracer = provider.getTracer.bind(provider);
  provider.getTracer = (...args: Parameters<typeof getTracer>): Tracer => {
    const tracer = getTracer(...args);
    const startActiveSpan = tracer.startActiveSpan.bind(tracer) as (...a: unknown[]) => unknown;
    return new Proxy(tracer, {
      get(target, key, receiver) {
        if (key !== 'startActiveSpan') return Reflect.get(target, key, receiver);
        return (name: string, ...rest: unknown[]) => {
          const fn = rest.pop() as (span: Span) => unknown;
          return startActiveSpan(name, ...rest, (span: Span) => {
            const label = name.startsWith('send ')
              ? 'span send'
              : name.startsWith('process ')
                ? 'span process'
                : `span ${name}`;
            mark(`${label} >`);
            const end = span.end.bind(span);
            span.end = (...endArgs: Parameters<Span['end']>) => {
              mark(`${label} <`);
              end(...endArgs);
            };
            return fn(span);
          });
        };
      },
    });
  };
}

/** Installs every probe; `nc` is any connection of the process (its class is shared). */
export function installProbes(nc: NatsConnection): void {
  patchHttp();
  patchPg();
  patchBus();
  patchNats(nc);
  patchTracer();
}
