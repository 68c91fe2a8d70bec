-- Up Migration
-- The router's tables: routing decisions, budget-queued tasks, the cost ledger, and budget
-- admission (settled spend per scope and month, plus live holds that expire on their own).
-- Money is integer micro-USD (bigint) everywhere.

-- One row per routed task: the first decision, kept; a redelivered task reuses it.
CREATE TABLE routing_decisions (
  task_id         uuid        PRIMARY KEY,
  skill           text        NOT NULL,
  agent           text        NOT NULL,
  tier            text        NOT NULL,
  model           text,
  -- The task's origin (kind, brain, partner, owning principal): the ledger's attribution.
  origin          jsonb       NOT NULL,
  -- Critical by manifest or config: never below frontier, never downgraded.
  critical        boolean     NOT NULL,
  -- The ceiling for escalation (frontier for a critical skill).
  max_tier        text        NOT NULL,
  -- Why, in the order the rules applied (the contracts' RoutingDecision.reasons).
  reasons         jsonb       NOT NULL,
  -- The budget scopes as the decision saw them: spent, reserved and cap per scope.
  budget          jsonb       NOT NULL DEFAULT '{}',
  policy_version  text        NOT NULL,
  -- routed: forwarded to the agent; queued: held for a person's approval; rejected: refused.
  status          text        NOT NULL,
  decided_at      timestamptz NOT NULL,
  CONSTRAINT routing_decisions_tier_check CHECK (tier IN ('tool', 'small', 'mid', 'frontier')),
  CONSTRAINT routing_decisions_max_tier_check CHECK (max_tier IN ('tool', 'small', 'mid', 'frontier')),
  CONSTRAINT routing_decisions_status_check CHECK (status IN ('routed', 'queued', 'rejected'))
);

CREATE INDEX routing_decisions_decided_idx ON routing_decisions (decided_at DESC);

-- Tasks a budget held back for a person to approve (released from the console).
CREATE TABLE budget_approvals (
  task_id       uuid        PRIMARY KEY REFERENCES routing_decisions (task_id) ON DELETE CASCADE,
  skill         text        NOT NULL,
  agent         text        NOT NULL,
  tier          text        NOT NULL,
  reason        text        NOT NULL,
  -- The envelope to forward once approved.
  envelope      jsonb       NOT NULL,
  status        text        NOT NULL DEFAULT 'pending',
  requested_at  timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  decided_by    text,
  CONSTRAINT budget_approvals_status_check CHECK (status IN ('pending', 'approved', 'denied'))
);

CREATE INDEX budget_approvals_pending_idx ON budget_approvals (requested_at) WHERE status = 'pending';

-- One row per model call attempt. A call's fallbacks and escalations are rows with a growing seq.
-- Calls from the OpenAI-compatible endpoint have no task: task_id is a per-request id there.
CREATE TABLE cost_ledger (
  task_id               uuid        NOT NULL,
  attempt               integer     NOT NULL,
  call_id               integer     NOT NULL,
  seq                   integer     NOT NULL,
  -- task: a skill's call through the model gateway; api: the OpenAI-compatible endpoint.
  source                text        NOT NULL,
  skill                 text,
  agent                 text,
  brain                 text        NOT NULL,
  partner               text,
  principal             text,
  tier                  text        NOT NULL,
  provider              text        NOT NULL,
  model                 text        NOT NULL,
  -- True when the offline provider answered; stands_in_for names the priced model it replaced.
  offline               boolean     NOT NULL,
  stands_in_for         text,
  input_tokens          integer     NOT NULL,
  output_tokens         integer     NOT NULL,
  cache_read_tokens     integer     NOT NULL,
  cache_write_5m_tokens integer     NOT NULL,
  cache_write_1h_tokens integer     NOT NULL,
  reasoning_tokens      integer     NOT NULL,
  -- True when some counts were estimated because the vendor never reported them (cut streams).
  usage_estimated       boolean     NOT NULL DEFAULT false,
  raw_usage             jsonb,
  cost_micros           bigint      NOT NULL,
  shadow_cost_micros    bigint      NOT NULL DEFAULT 0,
  latency_ms            integer     NOT NULL,
  -- ok, or how it failed: a provider error kind, aborted, canceled.
  outcome               text        NOT NULL,
  escalated             boolean     NOT NULL DEFAULT false,
  fell_back             boolean     NOT NULL DEFAULT false,
  reason                text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task_id, attempt, call_id, seq),
  CONSTRAINT cost_ledger_source_check CHECK (source IN ('task', 'api')),
  CONSTRAINT cost_ledger_tier_check CHECK (tier IN ('tool', 'small', 'mid', 'frontier')),
  CONSTRAINT cost_ledger_money_check CHECK (cost_micros >= 0 AND shadow_cost_micros >= 0),
  CONSTRAINT cost_ledger_offline_free_check CHECK (NOT offline OR cost_micros = 0)
);

CREATE INDEX cost_ledger_created_idx ON cost_ledger (created_at);
CREATE INDEX cost_ledger_agent_created_idx ON cost_ledger (agent, created_at) WHERE agent IS NOT NULL;

-- Settled spend per budget scope (`month`, `agent:<a>`, `tier:<t>`, `principal:<p>`) and UTC
-- month (`YYYY-MM`). Written by settlement only.
CREATE TABLE budget_usage (
  scope         text   NOT NULL,
  period        text   NOT NULL,
  spent_micros  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, period),
  CONSTRAINT budget_usage_spent_check CHECK (spent_micros >= 0)
);

-- One row per scope and month that admission locks (in scope order) to serialize admissions
-- across router replicas without deadlocks. Apart from budget_usage, so a settlement committing
-- (and waiting for its WAL flush) never holds up an admission.
CREATE TABLE budget_gates (
  scope   text NOT NULL,
  period  text NOT NULL,
  PRIMARY KEY (scope, period)
);

-- Live reservations: one hold per admitted call, for its maximum cost, against each of its
-- scopes. A hold counts until it is settled (deleted, its actual cost moved to budget_usage) or
-- until it expires; an expired hold stops counting at once, with no sweeper needed. One row per
-- call (not per scope) keeps admission's writes to one row and two index entries.
CREATE TABLE budget_holds (
  reservation_id uuid        PRIMARY KEY,
  period         text        NOT NULL,
  scopes         text[]      NOT NULL,
  amount_micros  bigint      NOT NULL,
  expires_at     timestamptz NOT NULL,
  CONSTRAINT budget_holds_amount_check CHECK (amount_micros >= 0)
);

-- The live holds of a month: admission sums them per scope (only calls in flight are live).
CREATE INDEX budget_holds_live_idx ON budget_holds (period, expires_at);

-- Admission in one round trip. Admissions serialize on the scopes' gate rows (locked in scope
-- order). A VOLATILE function takes a fresh snapshot for each statement, so once the locks are
-- held, the check sees every admission that committed before, and spend and holds in one
-- snapshot: a settlement is seen whole or not at all (not yet is the conservative side: the
-- hold still counts at its maximum). Returns one row: admitted, or the first capped scope
-- without room. Caps are NULL for scopes that are tracked but not capped.
-- Its transaction commits without waiting for the WAL flush (synchronous_commit off, for this
-- transaction only): admission sits on every model call's path, and a flush costs milliseconds.
-- The locks still serialize admissions exactly; what a Postgres crash could lose is the holds of
-- the last moments (at most wal_writer_delay), which only ever expire anyway. Spend is settled
-- by budget_settle with the server's normal durability.
CREATE FUNCTION budget_admit(
  p_reservation uuid,
  p_period text,
  p_scopes text[],
  p_caps bigint[],
  p_amount bigint,
  p_ttl_ms integer
) RETURNS TABLE (admitted boolean, scope text, spent_micros bigint, reserved_micros bigint, cap_micros bigint)
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO budget_gates AS g (scope, period)
    SELECT s, p_period FROM unnest(p_scopes) AS s ORDER BY s
    ON CONFLICT ON CONSTRAINT budget_gates_pkey DO NOTHING;
  PERFORM 1 FROM budget_gates AS g
    WHERE g.period = p_period AND g.scope = ANY (p_scopes)
    ORDER BY g.scope
    FOR UPDATE;
  -- A fresh snapshot, taken with the locks held: the first capped scope without room, if any.
  RETURN QUERY
    WITH live AS (
      SELECT hs.s, sum(h.amount_micros)::bigint AS reserved
      FROM budget_holds AS h, unnest(h.scopes) AS hs(s)
      WHERE h.period = p_period AND h.expires_at > clock_timestamp() AND h.scopes && p_scopes
      GROUP BY hs.s
    )
    SELECT false, x.s, coalesce(u.spent_micros, 0)::bigint, coalesce(live.reserved, 0)::bigint, x.c
    FROM unnest(p_scopes, p_caps) AS x(s, c)
    LEFT JOIN budget_usage AS u ON u.scope = x.s AND u.period = p_period
    LEFT JOIN live ON live.s = x.s
    WHERE x.c IS NOT NULL AND coalesce(u.spent_micros, 0) + coalesce(live.reserved, 0) + p_amount > x.c
    ORDER BY x.s
    LIMIT 1;
  IF FOUND THEN
    RETURN;
  END IF;
  INSERT INTO budget_holds (reservation_id, period, scopes, amount_micros, expires_at)
    VALUES (p_reservation, p_period, p_scopes, p_amount, clock_timestamp() + make_interval(secs => p_ttl_ms / 1000.0));
  RETURN QUERY SELECT true, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint;
END;
$$;

-- Settlement of many reservations at once: each reservation's actual cost is added to its scopes'
-- spend and its holds are deleted, in one transaction (admissions see both or neither). Spend rows
-- are created when missing and locked in (scope, period) order, so concurrent settlements from
-- two replicas never deadlock. A reservation whose hold is already gone (settled before) adds
-- nothing, so a replayed batch is harmless.
-- p_items: [{"id": uuid, "actual": micros}, ...]. Returns how many reservations were settled.
CREATE FUNCTION budget_settle(p_items jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  v_settled integer;
BEGIN
  INSERT INTO budget_usage AS u (scope, period)
    SELECT DISTINCT hs.s, h.period FROM budget_holds AS h, unnest(h.scopes) AS hs(s)
    WHERE h.reservation_id IN (SELECT (i ->> 'id')::uuid FROM jsonb_array_elements(p_items) AS i)
    ORDER BY 1, 2
    ON CONFLICT ON CONSTRAINT budget_usage_pkey DO NOTHING;
  PERFORM 1 FROM budget_usage AS u
    WHERE (u.scope, u.period) IN (
      SELECT hs.s, h.period FROM budget_holds AS h, unnest(h.scopes) AS hs(s)
      WHERE h.reservation_id IN (SELECT (i ->> 'id')::uuid FROM jsonb_array_elements(p_items) AS i))
    ORDER BY u.scope, u.period
    FOR UPDATE;
  WITH items AS (
    SELECT (i ->> 'id')::uuid AS id, sum((i ->> 'actual')::bigint) AS actual
    FROM jsonb_array_elements(p_items) AS i GROUP BY 1
  ), gone AS (
    DELETE FROM budget_holds AS h USING items
    WHERE h.reservation_id = items.id
    RETURNING h.reservation_id, h.scopes, h.period, items.actual
  ), spend AS (
    SELECT hs.s AS scope, g.period, sum(g.actual) AS actual
    FROM gone AS g, unnest(g.scopes) AS hs(s) GROUP BY 1, 2
  ), applied AS (
    UPDATE budget_usage AS u SET spent_micros = u.spent_micros + spend.actual
    FROM spend WHERE u.scope = spend.scope AND u.period = spend.period
  )
  -- Data-modifying CTEs run to completion whether or not the final SELECT reads them.
  SELECT count(DISTINCT g.reservation_id) INTO v_settled FROM gone AS g;
  RETURN v_settled;
END;
$$;

-- Down Migration
DROP FUNCTION budget_settle(jsonb);
DROP FUNCTION budget_admit(uuid, text, text[], bigint[], bigint, integer);
DROP TABLE budget_holds;
DROP TABLE budget_gates;
DROP TABLE budget_usage;
DROP TABLE cost_ledger;
DROP TABLE budget_approvals;
DROP TABLE routing_decisions;
