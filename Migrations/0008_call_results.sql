-- Call results as data: what happened on every attempt, recycling rules per lead type and
-- result, and the counters behind Ofcom's abandoned-call rate per call group.

-- The dialler's structured result for an attempt: 'connected' (a person reached an agent),
-- 'abandoned' (a person answered and no agent was free), 'machine', 'no_answer', 'busy',
-- 'invalid_number', 'failed'; NULL when the dialler sent none (older diallers, expired leases).
-- `success` is the centre's own "it worked" on a connected call (0 or 1); NULL without a result.
ALTER TABLE call_attempts ADD COLUMN result TEXT
    CHECK (result IS NULL OR result = 'connected' OR result = 'abandoned' OR result = 'machine' OR result = 'no_answer'
           OR result = 'busy' OR result = 'invalid_number' OR result = 'failed');
ALTER TABLE call_attempts ADD COLUMN success INTEGER CHECK (success IS NULL OR success = 0 OR success = 1);

-- The last attempt's result on the call itself, for /lead/status and the call.finished webhook.
ALTER TABLE calls ADD COLUMN result TEXT
    CHECK (result IS NULL OR result = 'connected' OR result = 'abandoned' OR result = 'machine' OR result = 'no_answer'
           OR result = 'busy' OR result = 'invalid_number' OR result = 'failed');
ALTER TABLE calls ADD COLUMN success INTEGER CHECK (success IS NULL OR success = 0 OR success = 1);

-- Recycling rules, seeded by administrators (a migration file or `dialler-server recycling set`):
-- when a dialler reports `result` for a call of lead type `type` and sends no retry_in, the call
-- waits `retry_after_seconds` and is dialled again, at most `max_retries` times for that result;
-- then it finishes with reason 'recycle_limit' (0: never retried).
--   INSERT INTO recycling_rules(type, result, retry_after_seconds, max_retries) VALUES ('motor-trade', 'no_answer', 7200, 5);
-- Every row is checked after each migration (the type exists, the result is one of the seven,
-- the numbers are in range), and a bad row fails its migration with a message naming it.
CREATE TABLE recycling_rules (
    type                TEXT NOT NULL,
    result              TEXT NOT NULL,
    retry_after_seconds INTEGER NOT NULL,
    max_retries         INTEGER NOT NULL,
    PRIMARY KEY (type, result)
) STRICT;

-- Results per call group per UTC minute, counted in the result's own transaction: the rolling
-- 24-hour abandoned-call rate is a sum over at most 1,440 rows per group, never a scan of the
-- attempts. live = connected + abandoned; unreported = results sent without a `result`.
-- `minute` is the minute's first moment, stored like every other time ('2026-11-25T10:15:00.000Z').
CREATE TABLE abandon_rate_minutes (
    call_group TEXT NOT NULL,
    minute     TEXT NOT NULL,
    live       INTEGER NOT NULL DEFAULT 0 CHECK (live >= 0),
    abandoned  INTEGER NOT NULL DEFAULT 0 CHECK (abandoned >= 0 AND abandoned <= live),
    unreported INTEGER NOT NULL DEFAULT 0 CHECK (unreported >= 0),
    PRIMARY KEY (call_group, minute)
) STRICT, WITHOUT ROWID;

-- Supervisors' views: call_attempts_report gains the result and success; a new view gives each
-- call group's abandoned-call rate over the last 24 hours (the current UTC minute and the 1,439
-- before it, as the server's guard counts them).
DROP VIEW call_attempts_report;

CREATE VIEW call_attempts_report AS
SELECT a.attempt_id,
       a.call_id,
       k.lead_id,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       t.name AS type,
       d.name AS dialler,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.claimed_at) AS claimed_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.finished_at) AS finished_at,
       a.outcome,
       a.abandoned,
       a.do_not_call,
       a.lease_expired,
       a.result,
       a.success
FROM call_attempts a
JOIN calls k ON k.call_id = a.call_id
JOIN contacts c ON c.contact_id = a.contact_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN api_keys d ON d.key_id = a.dialler_id;

CREATE VIEW abandon_rate_report AS
WITH edges(first_minute, now) AS (
    SELECT strftime('%Y-%m-%dT%H:%M:00.000Z', 'now', '-1439 minutes'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
),
counts AS (
    SELECT m.call_group, sum(m.live) AS live, sum(m.abandoned) AS abandoned, sum(m.unreported) AS unreported
    FROM abandon_rate_minutes m, edges
    WHERE m.minute >= edges.first_minute AND m.minute <= edges.now
    GROUP BY m.call_group
),
groups(call_group) AS (
    SELECT call_group FROM lead_types
    UNION SELECT call_group FROM counts
)
SELECT g.call_group,
       coalesce(counts.live, 0) AS live_calls,
       coalesce(counts.abandoned, 0) AS abandoned,
       CASE WHEN coalesce(counts.live, 0) > 0 THEN round(100.0 * counts.abandoned / counts.live, 2) ELSE 0.0 END AS rate_percent,
       coalesce(counts.unreported, 0) AS results_without_result,
       strftime('%Y-%m-%dT%H:%M:%SZ', edges.first_minute) AS window_start,
       strftime('%Y-%m-%dT%H:%M:%SZ', edges.now) AS window_end
FROM groups g
CROSS JOIN edges
LEFT JOIN counts ON counts.call_group = g.call_group
ORDER BY g.call_group;
