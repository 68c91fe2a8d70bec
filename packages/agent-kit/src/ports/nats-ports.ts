import type { Bus } from '@forge/bus';
import {
  AgentEvent,
  CancelReply,
  CancelRequest,
  HEADERS,
  isForgeError,
  StatusEvent,
  TaskEnvelope,
} from '@forge/contracts';
import { extractTraceContext, type Logger } from '@forge/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { StatusSource } from '../edge/task-feed.js';
import { LocalStatus } from './local-status.js';
import type {
  CancelListener,
  CancelRequester,
  EventPublisher,
  StatusPublisher,
  TaskDispatcher,
} from './ports.js';
import { statusEventOf } from './ports.js';

export interface NatsPorts {
  dispatcher: TaskDispatcher;
  status: StatusSource;
  publisher: StatusPublisher;
  events: EventPublisher;
  canceller: CancelRequester;
  cancelListener: CancelListener;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Where new tasks go: `router` (the one production path) publishes to `task.route`, so the routing
 * service stamps a tier, records the decision and forwards the task to `task.run.<agent>`;
 * `direct-for-tests` publishes to the agent's own run subject, for tests that run an agent with
 * no router (see `AgentServiceDeps.testOnlyDirectDispatch`).
 */
export type DispatchPath = 'router' | 'direct-for-tests';

/** The kit's ports over one Bus; new tasks go the way `dispatch` says. */
export function natsPorts(
  bus: Bus,
  agent: string,
  dispatch: DispatchPath,
  logger: Logger,
  local: LocalStatus = new LocalStatus(logger),
): NatsPorts {
  const subjects = bus.subjects;
  const dispatchSubject = dispatch === 'router' ? subjects.taskRoute : subjects.taskRun(agent);
  /** Status subscriptions opened with `publishingNext`, whose SUB goes out with the task's publish. */
  const pending = new Map<string, Set<() => void>>();
  return {
    dispatcher: {
      async dispatch(envelope, msgId) {
        const subject = dispatchSubject;
        // The SUBs of the feeds waiting for this publish are written first, in the same
        // synchronous run as the publish below (nats.js writes once per microtask checkpoint):
        // SUB and PUB leave in one socket write, the SUB ahead of the PUB.
        const subscribers = pending.get(envelope.id);
        if (subscribers) {
          pending.delete(envelope.id);
          for (const open of subscribers) open();
        }
        // Every envelope dispatched here is one the store accepted (create validates it) or one
        // built from a stored record and a skill-validated input: no second pass on the way out.
        await bus.publish(subject, TaskEnvelope, envelope, {
          msgId,
          headers: { [HEADERS.taskId]: envelope.id },
          checked: true,
        });
      },
    },
    status: {
      async subscribe(taskId, onEvent, opts = {}) {
        const stopLocal = local.subscribe(taskId, (record, artifact) =>
          onEvent(statusEventOf(record, artifact), record),
        );
        const open = (flush: boolean) =>
          bus.subscribe(subjects.status(taskId), StatusEvent, (event) => onEvent(event), { flush });
        if (opts.publishingNext === true) {
          // The dispatcher publishes on this same connection and sends this SUB just before the
          // task (see `dispatch`): the server has the SUB before it has the task (one
          // connection's protocol is taken in order), so no worker can announce a change the
          // subscription misses, and no round trip is needed.
          let sub: ReturnType<typeof open> | undefined;
          const openNow = () => {
            sub = open(false);
          };
          let waiting = pending.get(taskId);
          if (!waiting) {
            waiting = new Set();
            pending.set(taskId, waiting);
          }
          waiting.add(openNow);
          return {
            unsubscribe() {
              stopLocal();
              const set = pending.get(taskId);
              set?.delete(openNow);
              if (set?.size === 0) pending.delete(taskId);
              // With the connection's next batch (the worker's last status event and its ack
              // are usually in it): one socket write, not three. A message arriving before then
              // finds the feed closed and is dropped.
              const opened = sub;
              if (opened) bus.later(() => opened.unsubscribe());
            },
          };
        }
        // A resubscribe, a replay that reads Postgres first: `ready` is the flush the bus sends
        // after the SUB; once it returns the server has the subscription.
        const sub = open(true);
        const unsubscribe = () => {
          stopLocal();
          bus.later(() => sub.unsubscribe());
        };
        try {
          await sub.ready;
        } catch (error) {
          unsubscribe();
          throw error;
        }
        return { unsubscribe };
      },
    },
    publisher: {
      publish(record, artifact) {
        try {
          // Made from a committed row (and a chunk the store validated): no second pass. Batched
          // (see Bus.emit): sent with the delivery's ack and the edge's unsubscribe on the next
          // turn of the event loop; this process's feeds hear it at once through `local`.
          bus.emit(subjects.status(record.id), StatusEvent, statusEventOf(record, artifact), {
            checked: true,
            batched: true,
          });
        } catch (error) {
          // Listeners re-read Postgres when events go quiet; a lost notice only delays them.
          logger.warn({ taskId: record.id, err: (error as Error).message }, 'status event not sent');
        }
        local.publish(record, artifact);
      },
    },
    events: {
      async publish(event) {
        await bus.publish(subjects.event(agent, event.kind), AgentEvent, event, { msgId: event.id });
      },
    },
    canceller: {
      async request(request, timeoutMs) {
        try {
          return await bus.request(subjects.cancel(agent), CancelRequest, request, CancelReply, {
            timeoutMs,
          });
        } catch (error) {
          if (isForgeError(error, 'UNAVAILABLE')) return null; // no responders, or nobody holds it
          throw error;
        }
      },
    },
    cancelListener: {
      // Not `bus.serve`: that answers from a queue group, and a worker that does not hold the task
      // would answer too. Here every worker hears every request and only the holder replies.
      async listen(handler) {
        const sub = bus.nc.subscribe(subjects.cancel(agent), {
          callback: (error, msg) => {
            if (error) {
              logger.warn({ err: error.message }, 'cancel subscription failed');
              return;
            }
            let parsed: ReturnType<typeof CancelRequest.safeParse>;
            try {
              parsed = CancelRequest.safeParse(JSON.parse(decoder.decode(msg.data)));
            } catch {
              logger.warn('cancel request is not JSON: skipped');
              return;
            }
            if (!parsed.success) {
              logger.warn({ issues: parsed.error.issues.length }, 'invalid cancel request: skipped');
              return;
            }
            const headers: Record<string, string> = {};
            for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers?.get(key) ?? '';
            const reply = context.with(extractTraceContext(headers, ROOT_CONTEXT), () =>
              handler(parsed.data),
            );
            if (reply && msg.reply) msg.respond(encoder.encode(JSON.stringify(CancelReply.parse(reply))));
          },
        });
        await bus.nc.flush();
        return {
          async stop() {
            if (!sub.isClosed()) sub.unsubscribe();
          },
        };
      },
    },
  };
}
