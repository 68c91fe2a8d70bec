-- Up Migration
-- The scout's feeds and the items it has seen. Feeds are listed in config (the source of truth for
-- what to fetch); this table keeps what each fetch learnt: validators for conditional GET, the
-- last outcome, and failures in a row. Items are keyed by their content hash (SHA-256 of the
-- canonical link, else guid, else title and summary), so a story is stored once across feeds and
-- across runs, and its score, topics and why are kept beside it.

CREATE TABLE scout_feeds (
  id                    text        PRIMARY KEY,
  url                   text        NOT NULL,
  title                 text,
  tags                  text[]      NOT NULL DEFAULT '{}',
  -- Validators from the last 200 answer, sent back as If-None-Match / If-Modified-Since.
  etag                  text,
  last_modified         text,
  last_fetched_at       timestamptz,
  -- 200, 304, another HTTP status, or null when no answer came (timeout, refused, guard).
  last_status           integer,
  last_error            text,
  last_ok_at            timestamptz,
  consecutive_failures  integer     NOT NULL DEFAULT 0,
  items_total           integer     NOT NULL DEFAULT 0,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scout_feeds_failures_check CHECK (consecutive_failures >= 0)
);

CREATE TABLE scout_items (
  hash              text        PRIMARY KEY,
  -- The feed that first brought it (a later feed with the same story adds nothing).
  feed_id           text        NOT NULL REFERENCES scout_feeds (id) ON DELETE CASCADE,
  title             text,
  link              text,
  guid              text,
  summary           text,
  author            text,
  categories        text[]      NOT NULL DEFAULT '{}',
  published         timestamptz,
  first_seen_at     timestamptz NOT NULL DEFAULT now(),
  -- Relevance scoring (small tier): null until scored.
  relevance         double precision,
  topics            text[],
  why               text,
  confidence        double precision,
  score_model       text,
  score_task_id     uuid,
  scored_at         timestamptz,
  -- A scoring run claims a batch until this instant, so two runs never score the same items;
  -- attempts stop an item the model keeps failing on from being retried for ever.
  score_claimed_until timestamptz,
  score_attempts    integer     NOT NULL DEFAULT 0,
  score_error       text,
  -- When its story-surfaced event was published (relevance at or over the threshold).
  surfaced_at       timestamptz,
  CONSTRAINT scout_items_hash_check CHECK (hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT scout_items_relevance_check CHECK (relevance IS NULL OR (relevance >= 0 AND relevance <= 1))
);

-- What scoring picks next: unscored items, oldest first. Small: most rows are scored.
CREATE INDEX scout_items_unscored_idx ON scout_items (first_seen_at) WHERE scored_at IS NULL;
-- Recent items of a feed (competitor moves, the console).
CREATE INDEX scout_items_feed_seen_idx ON scout_items (feed_id, first_seen_at DESC);

-- Down Migration
DROP TABLE scout_items;
DROP TABLE scout_feeds;
