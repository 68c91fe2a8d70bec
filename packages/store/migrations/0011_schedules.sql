-- Up Migration
-- The scheduler's state. Schedules themselves are config; these tables hold what must be shared by
-- every scheduler replica and survive restarts: the last tick each schedule claimed (per clock:
-- `real`, or one compressed `fast` day), pauses, and one row per tick or manual run.

CREATE TABLE schedule_ticks (
  schedule      text        NOT NULL,
  -- `real`, or `fast@<anchor>` for a compressed day, so a fast day never moves the real clock's ticks.
  clock         text        NOT NULL,
  -- The newest tick claimed. Claiming is a compare-and-set that only moves forward, so of two
  -- replicas asking for the same tick exactly one gets it, and a lagging replica can never claim
  -- an older tick after a newer one ran.
  last_tick_at  timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule, clock)
);

CREATE TABLE schedule_pauses (
  schedule   text        PRIMARY KEY,
  paused_by  text        NOT NULL,
  reason     text,
  paused_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedule_runs (
  id          uuid        PRIMARY KEY,
  schedule    text        NOT NULL,
  clock       text        NOT NULL,
  tick_at     timestamptz NOT NULL,
  trigger     text        NOT NULL,
  outcome     text        NOT NULL,
  reason      text,
  -- The task submitted for it (the task row has its state, result and routing).
  task_id     uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT schedule_runs_trigger_check CHECK (trigger IN ('tick', 'catch-up', 'manual')),
  -- `pending` from the claim until the task is on the bus; a replica that died in between leaves it
  -- pending, and another replica finishes the submission (same task id and idempotency key).
  CONSTRAINT schedule_runs_outcome_check CHECK (outcome IN ('pending',
    'submitted', 'skipped-overlap', 'skipped-missing-skill', 'failed-input', 'failed-submit'))
);

-- A tick runs once: a second row for the same tick of the same clock is refused.
CREATE UNIQUE INDEX schedule_runs_tick_key ON schedule_runs (schedule, clock, tick_at) WHERE trigger <> 'manual';
-- The last run of a schedule, and its history.
CREATE INDEX schedule_runs_recent_idx ON schedule_runs (schedule, created_at DESC);

-- Down Migration
DROP TABLE schedule_runs;
DROP TABLE schedule_pauses;
DROP TABLE schedule_ticks;
