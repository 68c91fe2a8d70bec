-- Up Migration
-- The second half of the operator's day: the approval queue, the publisher's schedule and
-- outbox, and the diary's observations, entries and lessons.

-- What compliance says needs a person. One row per text that would leave the company (kind
-- post); budget items stay in budget_approvals (the router writes them) and are read beside these.
CREATE TABLE approval_items (
  id               uuid        PRIMARY KEY,
  kind             text        NOT NULL DEFAULT 'post',
  -- Idempotency: the same gate task (or redelivery of it) finds its item again.
  source_key       text        NOT NULL UNIQUE,
  status           text        NOT NULL,
  channel          text,
  draft            text,
  -- The text that goes out once approved: the draft, or the person's edit.
  final_text       text,
  verdict          jsonb,
  rules_fired      text[]      NOT NULL DEFAULT '{}',
  review           jsonb,
  safety           jsonb       NOT NULL DEFAULT '[]',
  context          jsonb       NOT NULL DEFAULT '{}',
  origin_task_id   uuid,
  requested_by     text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  decided_at       timestamptz,
  decided_by       text,
  decision_reason  text,
  -- When the new-item notification went out (null: not yet; the notifier retries).
  notified_at      timestamptz,
  -- When an approved item was handed to the publisher (null: not yet; the queue retries).
  handed_off_at    timestamptz,
  CONSTRAINT approval_items_kind_check CHECK (kind IN ('post')),
  CONSTRAINT approval_items_status_check
    CHECK (status IN ('pending', 'approved', 'rejected', 'blocked'))
);
CREATE INDEX approval_items_status_idx ON approval_items (status, created_at DESC);

-- Every decision on an item (and on a budget approval), with who made it. Append-only.
CREATE TABLE approval_decisions (
  seq          bigserial   PRIMARY KEY,
  item_id      uuid        NOT NULL,
  action       text        NOT NULL,
  actor        text        NOT NULL,
  reason       text,
  text_before  text,
  text_after   text,
  at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT approval_decisions_action_check
    CHECK (action IN ('approve', 'edit-approve', 'reject', 'auto-approve', 'block', 'review'))
);
CREATE INDEX approval_decisions_item_idx ON approval_decisions (item_id, seq);

-- Budget approvals get the same notification and hand-off (forwarding the task) as post items.
ALTER TABLE budget_approvals ADD COLUMN notified_at timestamptz;
ALTER TABLE budget_approvals ADD COLUMN handed_off_at timestamptz;

-- Approved posts in their slots. One publication per approval: the approval id is the key a
-- redelivery or a restart finds again, so nothing is posted twice.
CREATE TABLE publications (
  id               uuid        PRIMARY KEY,
  approval_id      uuid        NOT NULL UNIQUE REFERENCES approval_items (id),
  channel          text        NOT NULL,
  -- Which adapter publishes it: outbox, webhook, mastodon.
  target           text        NOT NULL,
  body             text        NOT NULL,
  card             jsonb,
  idempotency_key  text        NOT NULL UNIQUE,
  due_at           timestamptz NOT NULL,
  status           text        NOT NULL DEFAULT 'scheduled',
  attempts         integer     NOT NULL DEFAULT 0,
  -- A publisher holding the row for a publish; another may take it after this instant.
  lease_until      timestamptz,
  external_id      text,
  url              text,
  published_at     timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT publications_status_check
    CHECK (status IN ('scheduled', 'publishing', 'published', 'failed'))
);
CREATE INDEX publications_due_idx ON publications (due_at) WHERE status IN ('scheduled', 'publishing');
CREATE INDEX publications_channel_due_idx ON publications (channel, due_at);

-- The default channel: posts stored, viewable, never sent anywhere. Keyed by the publication's
-- idempotency key, so a second publish of the same post is a no-op.
CREATE TABLE outbox_posts (
  idempotency_key  text        PRIMARY KEY,
  publication_id   uuid        NOT NULL,
  channel          text        NOT NULL,
  body             text        NOT NULL,
  card             jsonb,
  posted_at        timestamptz NOT NULL DEFAULT now()
);

-- The diary: agents' notable events as observations, searchable.
CREATE TABLE observations (
  id        uuid        PRIMARY KEY,
  agent     text        NOT NULL,
  kind      text        NOT NULL,
  task_id   uuid,
  at        timestamptz NOT NULL,
  text      text        NOT NULL,
  tags      text[]      NOT NULL DEFAULT '{}',
  data      jsonb       NOT NULL DEFAULT '{}',
  search    tsvector    GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
CREATE INDEX observations_at_idx ON observations (at);
CREATE INDEX observations_kind_idx ON observations (agent, kind, at);
CREATE INDEX observations_search_idx ON observations USING gin (search);

-- Nightly entries and weekly syntheses, one per kind and period.
CREATE TABLE diary_entries (
  id            uuid        PRIMARY KEY,
  kind          text        NOT NULL,
  period_start  date        NOT NULL,
  period_end    date        NOT NULL,
  body          text        NOT NULL,
  observations  integer     NOT NULL,
  model         text        NOT NULL,
  task_id       uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT diary_entries_kind_check CHECK (kind IN ('nightly', 'weekly')),
  CONSTRAINT diary_entries_period_key UNIQUE (kind, period_start)
);

-- Durable lessons from weekly syntheses; what agents recall into their prompts.
CREATE TABLE lessons (
  id          uuid        PRIMARY KEY,
  entry_id    uuid        NOT NULL REFERENCES diary_entries (id) ON DELETE CASCADE,
  title       text        NOT NULL,
  lesson      text        NOT NULL,
  evidence    text[]      NOT NULL DEFAULT '{}',
  confidence  real        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  search      tsvector    GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || lesson)) STORED
);
CREATE INDEX lessons_search_idx ON lessons USING gin (search);

-- Down Migration
DROP TABLE lessons;
DROP TABLE diary_entries;
DROP TABLE observations;
DROP TABLE outbox_posts;
DROP TABLE publications;
ALTER TABLE budget_approvals DROP COLUMN handed_off_at;
ALTER TABLE budget_approvals DROP COLUMN notified_at;
DROP TABLE approval_decisions;
DROP TABLE approval_items;
