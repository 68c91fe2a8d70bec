-- Up Migration
-- Tables are created unqualified: node-pg-migrate sets search_path to the brain's schema for
-- the run, and @forge/store's loader pins it with SET LOCAL inside the migration transaction.

CREATE TABLE tasks (
  id              uuid        PRIMARY KEY,
  skill           text        NOT NULL,
  agent           text        NOT NULL,
  -- The principal that owns the task (origin.by): GetTask/ListTasks see only their own rows.
  owner           text        NOT NULL,
  origin          jsonb       NOT NULL,
  idempotency_key text        NOT NULL,
  context_id      text        NOT NULL,
  parent_id       uuid,
  state           text        NOT NULL DEFAULT 'submitted',
  -- Grows by one per committed state change, so a listener can tell a stale status event.
  seq             integer     NOT NULL DEFAULT 0,
  -- How many times a worker has started the task; 0 until the first start.
  attempt         integer     NOT NULL DEFAULT 0,
  input           jsonb       NOT NULL DEFAULT 'null',
  output          jsonb,
  error           jsonb,
  status_message  text,
  -- The router's first decision; a redelivered task reuses it.
  routing         jsonb,
  deadline        timestamptz,
  -- A2A-side extras written by the edge's TaskStore: history, artifacts, metadata.
  a2a             jsonb       NOT NULL DEFAULT '{"history": [], "artifacts": [], "metadata": {}}',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tasks_idempotency_key_key UNIQUE (idempotency_key),
  CONSTRAINT tasks_state_check CHECK (state IN (
    'submitted', 'working', 'input-required', 'auth-required',
    'completed', 'failed', 'canceled', 'rejected')),
  CONSTRAINT tasks_seq_check CHECK (seq >= 0),
  CONSTRAINT tasks_attempt_check CHECK (attempt >= 0),
  CONSTRAINT tasks_a2a_check CHECK (jsonb_typeof(a2a) = 'object')
);

-- ListTasks: one owner's tasks, newest first, keyset-paginated on (created_at, id).
CREATE INDEX tasks_owner_created_idx ON tasks (owner, created_at DESC, id DESC);
-- ListTasks filtered by conversation, and "what else happened in this context".
CREATE INDEX tasks_context_created_idx ON tasks (context_id, created_at DESC);
-- Children of a task, when an agent hands work to another agent.
CREATE INDEX tasks_parent_idx ON tasks (parent_id) WHERE parent_id IS NOT NULL;
-- Tasks still in flight, for sweeps of stuck or overdue work; small because most rows are done.
CREATE INDEX tasks_open_idx ON tasks (updated_at)
  WHERE state IN ('submitted', 'working', 'input-required', 'auth-required');

-- Down Migration
DROP TABLE tasks;
