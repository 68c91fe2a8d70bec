import { type ErrorCode, type ForgeSubjects, HEADERS } from '@forge/contracts';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headersToRecord, recordToHeaders } from './nats-headers.js';

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  readonly code: ErrorCode;
  readonly reason: string;
}

/** The headers a dead letter carries: the original ones (not the server's `Nats-*`) plus `HEADERS.dead*`. */
export function deadLetterHeaders(msg: JsMsg, dead: DeadLetterReason): Record<string, string> {
  const original = headersToRecord(msg.headers);
  const kept: Record<string, string> = {};
  // Nats-* headers steer the server (msg id, expected sequence); copied over they would act again.
  for (const [key, value] of Object.entries(original)) if (!/^nats-/i.test(key)) kept[key] = value;
  return {
    ...kept,
    [HEADERS.deadReason]: dead.reason,
    [HEADERS.deadCode]: dead.code,
    [HEADERS.deadSubject]: msg.subject,
    [HEADERS.deadStream]: msg.info.stream,
    [HEADERS.deadSequence]: String(msg.seq),
    [HEADERS.deadDeliveries]: String(msg.info.deliveryCount),
  };
}

/**
 * Publishes the message's original payload to `subjects.deadLetter(subject)` and waits for the
 * DLQ stream to store it. The msg id is the source stream and sequence, so a message dead-lettered
 * twice (its term was lost and it came back) is stored once.
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  subjects: ForgeSubjects,
  msg: JsMsg,
  dead: DeadLetterReason,
): Promise<number> {
  const ack = await js.publish(subjects.deadLetter(msg.subject), msg.data, {
    msgID: `dlq:${msg.info.stream}:${msg.seq}`,
    headers: recordToHeaders(deadLetterHeaders(msg, dead)),
  });
  return ack.seq;
}
