export {
  Bus,
  type BusConnectOptions,
  DEFAULT_RECONNECT_WAIT_MS,
  type PublishOptions,
  type PublishResult,
} from './bus.js';
export {
  type ConsumeSpec,
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_DELIVER,
  type MessageContext,
  type TaskConsumer,
} from './consume-spec.js';
export type { MessageMeta, Subscribed } from './core-pubsub.js';
export {
  backoffDelay,
  type DeliveryOutcome,
  type DeliveryPolicy,
  type JetStreamAction,
  jetstreamAction,
} from './jetstream-action.js';
export { REPLY_ERROR_HEADER, ReplyErrorBody } from './reply-error.js';
export { DEFAULT_REQUEST_TIMEOUT_MS, type Served } from './request-reply.js';
export { DEAD_LETTER_MAX_AGE_MS, DUPLICATE_WINDOW_MS, EVENTS_MAX_AGE_MS } from './streams.js';
