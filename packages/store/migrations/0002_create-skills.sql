-- Up Migration
-- The skill registry: what each agent declared about its skills when it started (SkillManifest),
-- so the router can route a skill it has never seen an agent card for.

CREATE TABLE skills (
  skill          text        PRIMARY KEY,
  agent          text        NOT NULL,
  description    text        NOT NULL,
  tier_hint      text        NOT NULL,
  critical       boolean     NOT NULL,
  input_schema   jsonb       NOT NULL,
  output_schema  jsonb       NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT skills_tier_hint_check CHECK (tier_hint IN ('tool', 'small', 'mid', 'frontier'))
);

CREATE INDEX skills_agent_idx ON skills (agent);

-- Down Migration
DROP TABLE skills;
