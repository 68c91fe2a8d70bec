-- Up Migration
-- A2A ListTasks returns tasks by their last update, newest first (A2A v1.0 §3.1.4), keyset-paged
-- on (updated_at, id). Times are written at millisecond precision (as the page token carries
-- them), so a token never falls between two rows of one instant.
CREATE INDEX tasks_owner_updated_idx ON tasks (owner, updated_at DESC, id DESC);
DROP INDEX tasks_owner_created_idx;
UPDATE tasks SET updated_at = date_trunc('milliseconds', updated_at)
  WHERE updated_at <> date_trunc('milliseconds', updated_at);
ALTER TABLE tasks ALTER COLUMN updated_at SET DEFAULT date_trunc('milliseconds', now());

-- Down Migration
ALTER TABLE tasks ALTER COLUMN updated_at SET DEFAULT now();
CREATE INDEX tasks_owner_created_idx ON tasks (owner, created_at DESC, id DESC);
DROP INDEX tasks_owner_updated_idx;
