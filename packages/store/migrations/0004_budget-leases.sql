-- Up Migration
-- Budget leases: a router replica may place one hold for many calls (a lease) and admit calls
-- against it in memory, so most model calls pay no admission round trip. Settlement learns to
-- consume part of a hold: the call's actual cost moves into spend and the hold shrinks by as
-- much (never below zero), in one transaction, so admissions see the lease's money counted once,
-- either as hold or as spend.

-- The calls a lease's hold has already had consumed: a replayed batch (a write retried after a
-- connection dropped at commit) finds its calls here and adds nothing twice.
ALTER TABLE budget_holds ADD COLUMN consumed uuid[] NOT NULL DEFAULT '{}';

-- p_items: [{"id": uuid, "actual": micros, "keep": true?, "consume": uuid?}, ...]. Items without
-- `keep` settle as before (the hold is deleted, its actual cost moved into spend). Items with
-- `keep` consume: `consume` names the call, and a call already consumed is skipped. Items for
-- one hold in a batch add up; one without `keep` (a lease's release) deletes the hold after the
-- rest are counted. A hold already gone adds nothing. Returns how many holds were touched.
CREATE OR REPLACE FUNCTION budget_settle(p_items jsonb) RETURNS integer
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
  -- The holds themselves, in reservation order, so two replicas' batches never deadlock.
  PERFORM 1 FROM budget_holds AS h
    WHERE h.reservation_id IN (SELECT (i ->> 'id')::uuid FROM jsonb_array_elements(p_items) AS i)
    ORDER BY h.reservation_id
    FOR UPDATE;
  WITH raw AS (
    SELECT (i ->> 'id')::uuid AS id, (i ->> 'actual')::bigint AS actual,
      coalesce((i ->> 'keep')::boolean, false) AS keep, (i ->> 'consume')::uuid AS consume
    FROM jsonb_array_elements(p_items) AS i
  ), fresh AS (
    SELECT r.* FROM raw AS r JOIN budget_holds AS h ON h.reservation_id = r.id
    WHERE NOT (r.keep AND r.consume IS NOT NULL AND r.consume = ANY (h.consumed))
  ), items AS (
    SELECT id, sum(actual) AS actual, bool_and(keep) AS keep,
      coalesce(array_agg(consume) FILTER (WHERE keep AND consume IS NOT NULL), '{}') AS calls
    FROM fresh GROUP BY id
  ), gone AS (
    DELETE FROM budget_holds AS h USING items
    WHERE h.reservation_id = items.id AND NOT items.keep
    RETURNING h.reservation_id, h.scopes, h.period, items.actual
  ), kept AS (
    UPDATE budget_holds AS h
    SET amount_micros = greatest(h.amount_micros - items.actual, 0), consumed = h.consumed || items.calls
    FROM items WHERE h.reservation_id = items.id AND items.keep
    RETURNING h.reservation_id, h.scopes, h.period, items.actual
  ), touched AS (
    SELECT * FROM gone UNION ALL SELECT * FROM kept
  ), spend AS (
    SELECT hs.s AS scope, t.period, sum(t.actual) AS actual
    FROM touched AS t, unnest(t.scopes) AS hs(s) GROUP BY 1, 2
  ), applied AS (
    UPDATE budget_usage AS u SET spent_micros = u.spent_micros + spend.actual
    FROM spend WHERE u.scope = spend.scope AND u.period = spend.period
  )
  -- Data-modifying CTEs run to completion whether or not the final SELECT reads them.
  SELECT count(DISTINCT t.reservation_id) INTO v_settled FROM touched AS t;
  RETURN v_settled;
END;
$$;

-- Down Migration
ALTER TABLE budget_holds DROP COLUMN consumed;
CREATE OR REPLACE FUNCTION budget_settle(p_items jsonb) RETURNS integer
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
  SELECT count(DISTINCT g.reservation_id) INTO v_settled FROM gone AS g;
  RETURN v_settled;
END;
$$;
