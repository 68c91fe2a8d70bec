-- Up Migration
-- The idempotency keys of A2A follow-up messages (a caller's message to a task that waits for
-- input). A task's first message keys the task itself (tasks.idempotency_key); a follow-up's key
-- lives here, so one caller's messageId names one message of one task, however it was used first:
-- reused for another task or another message, it is refused.
CREATE TABLE message_keys (
  key        text        PRIMARY KEY,
  owner      text        NOT NULL,
  task_id    uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_keys_task_idx ON message_keys (task_id);

-- Down Migration
DROP TABLE message_keys;
