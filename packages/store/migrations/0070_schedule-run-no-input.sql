-- Up Migration
-- A tick whose input source had nothing for it (no new mention in the window) is recorded
-- `skipped-no-input`: no task is made for an empty batch.
ALTER TABLE schedule_runs DROP CONSTRAINT schedule_runs_outcome_check;
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_outcome_check CHECK (outcome IN ('pending',
  'submitted', 'skipped-overlap', 'skipped-missing-skill', 'skipped-no-input', 'failed-input',
  'failed-submit'));

-- Down Migration
DELETE FROM schedule_runs WHERE outcome = 'skipped-no-input';
ALTER TABLE schedule_runs DROP CONSTRAINT schedule_runs_outcome_check;
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_outcome_check CHECK (outcome IN ('pending',
  'submitted', 'skipped-overlap', 'skipped-missing-skill', 'failed-input', 'failed-submit'));
