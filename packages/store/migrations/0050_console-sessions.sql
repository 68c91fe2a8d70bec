-- Up Migration
-- The console's operators' sessions and login throttling. A session is found by the SHA-256 of
-- its cookie token (the token itself is never stored), carries its CSRF token, and ends at
-- expires_at (absolute) or after idle_until passes without a request.

CREATE TABLE console_sessions (
  token_sha256  text        PRIMARY KEY,
  operator      text        NOT NULL,
  csrf_token    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  idle_until    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  user_agent    text,
  CONSTRAINT console_sessions_token_check CHECK (token_sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);

-- Failed logins per operator name: after too many in a row the name is locked until locked_until,
-- whatever password comes next. A success clears the row.
CREATE TABLE console_login_failures (
  operator      text        PRIMARY KEY,
  failures      integer     NOT NULL DEFAULT 0,
  last_failure  timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  CONSTRAINT console_login_failures_check CHECK (failures >= 0)
);

-- Down Migration
DROP TABLE console_login_failures;
DROP TABLE console_sessions;
