-- Up Migration
-- Deferred model calls: calls of deferrable skills that wait in a vendor's batch API (Anthropic
-- Message Batches, OpenAI Batch) at the batch price. Their state lives here, not in a router's
-- memory, so any replica answers a caller asking again and a restarted router picks its batches
-- up where they were. Rows are claimed with leases (lease_until), never with a transaction held
-- across a vendor call.

-- One vendor batch: requests of one model gathered and sent together.
CREATE TABLE model_batches (
  id               uuid        PRIMARY KEY,
  -- anthropic | openai
  provider         text        NOT NULL,
  -- provider:model
  model            text        NOT NULL,
  -- The vendor's batch id, once submitted.
  vendor_batch_id  text,
  -- submitting: claimed, being sent; submitted: running at the vendor; canceling: a cancel was
  -- asked (every request was answered otherwise); ended: results read and billed; failed: the
  -- vendor refused the batch as a whole.
  state            text        NOT NULL,
  request_count    integer     NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  submitted_at     timestamptz,
  ended_at         timestamptz,
  last_polled_at   timestamptz,
  -- Which replica works on the row, and until when; an expired lease may be taken over.
  lease_owner      text,
  lease_until      timestamptz,
  error            text,
  CONSTRAINT model_batches_state_check
    CHECK (state IN ('submitting', 'submitted', 'canceling', 'ended', 'failed'))
);

CREATE INDEX model_batches_open_idx ON model_batches (lease_until) WHERE state IN ('submitted', 'canceling');

-- One deferred call. Keyed by the task, its call number and the request's fingerprint, so a
-- redelivered task asking the same question again (a new attempt) joins the call it already
-- made instead of paying for it twice; the ledger row stays under the attempt that asked first.
CREATE TABLE model_batch_requests (
  task_id          uuid        NOT NULL,
  call_id          integer     NOT NULL,
  fingerprint      text        NOT NULL,
  attempt          integer     NOT NULL,
  -- The vendor's custom id of the request inside its batch.
  custom_id        text        NOT NULL UNIQUE,
  skill            text        NOT NULL,
  provider         text        NOT NULL,
  model            text        NOT NULL,
  tier             text        NOT NULL,
  -- The gateway's call context and input, and the provider request sent, so any replica can
  -- bill the result or make the normal call that replaces it.
  context          jsonb       NOT NULL,
  input            jsonb       NOT NULL,
  request          jsonb       NOT NULL,
  -- The budget hold reserved for the call at the batch price (null: nothing reserved).
  reservation_id   uuid,
  reserved_micros  bigint      NOT NULL DEFAULT 0,
  -- queued: waiting for the next batch; submitted: in batch_id; done: answered (reply set).
  state            text        NOT NULL DEFAULT 'queued',
  batch_id         uuid        REFERENCES model_batches (id),
  -- When the gateway stops waiting and makes a normal call instead.
  due_by           timestamptz NOT NULL,
  -- Normal calls claimed for this request (a crash mid-call lets another replica claim again);
  -- each numbers its ledger rows apart.
  fallback_claims  integer     NOT NULL DEFAULT 0,
  fallback_until   timestamptz,
  -- The answer (a ModelCallReply), once done; how it was reached.
  reply            jsonb,
  resolution       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at      timestamptz,
  PRIMARY KEY (task_id, call_id, fingerprint),
  CONSTRAINT model_batch_requests_state_check CHECK (state IN ('queued', 'submitted', 'done')),
  CONSTRAINT model_batch_requests_reply_check CHECK ((state = 'done') = (reply IS NOT NULL))
);

CREATE INDEX model_batch_requests_queued_idx ON model_batch_requests (created_at) WHERE state = 'queued';
CREATE INDEX model_batch_requests_due_idx ON model_batch_requests (due_by) WHERE state <> 'done';
CREATE INDEX model_batch_requests_batch_idx ON model_batch_requests (batch_id);

-- The prompt cache planner reads a skill's recent calls when it first meets the skill.
CREATE INDEX cost_ledger_skill_created_idx ON cost_ledger (skill, created_at) WHERE skill IS NOT NULL;

-- Down Migration
DROP INDEX cost_ledger_skill_created_idx;
DROP TABLE model_batch_requests;
DROP TABLE model_batches;
