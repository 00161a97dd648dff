-- GROWTH stage: adds bench_params.n historical leads to a stopped server's database, so the
-- 64-connection intake level can be rerun against a large database.
--
-- The runner creates TEMP TABLE bench_params(n) first, then reads this file with sqlite3.
-- It expects the partner 'bench' with a key, and the lead type 'motor-trade' (as the runner seeds).
--
-- Shape, matching Migrations/0001_schema.sql and its CHECK constraints:
--   * (n + 1) / 2 contacts, mobiles +447710000000 upwards (0771x-0776x: valid UK mobiles, disjoint
--     from the load's 071xx-073xx and the PROMOTION stage's 0784x);
--   * n leads, two per contact: the first 'processed' 60 days ago, its call dialled to the end
--     ('done') 59 days ago; the second an 'existing_contact' 50 days ago (inside dedupe_days = 30
--     of that call's end, as the server would have decided);
--   * one 'done' call per contact, so the calls table and its indexes grow too.
-- Times are the schema's UTC text with milliseconds, e.g. '2026-11-29T10:15:00.123Z'.

-- The server is stopped: a rollback journal instead of WAL avoids writing every page twice
-- (WAL, then checkpoint). The server switches the database back to WAL when it opens it.
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -524288;  -- 512 MiB of page cache for the index builds
PRAGMA foreign_keys = ON;

BEGIN;

CREATE TEMP TABLE prefill AS
SELECT n,
       (n + 1) / 2                                                                      AS contacts,
       (SELECT partner_id FROM partners WHERE name = 'bench')                           AS partner_id,
       (SELECT min(key_id) FROM api_keys
         WHERE partner_id = (SELECT partner_id FROM partners WHERE name = 'bench'))     AS key_id,
       (SELECT lead_type_id FROM lead_types WHERE name = 'motor-trade')                 AS type_id,
       (SELECT call_group FROM lead_types WHERE name = 'motor-trade')                   AS call_group,
       (SELECT coalesce(max(contact_id), 0) FROM contacts)                              AS c0,
       (SELECT coalesce(max(lead_id), 0) FROM leads)                                    AS l0,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 days')                                AS t_first,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-59 days')                                AS t_finished,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-50 days')                                AS t_repeat
FROM bench_params;

-- Contacts i = 0 .. contacts-1.
WITH RECURSIVE seq(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < (SELECT contacts FROM prefill)
)
INSERT INTO contacts(contact_id, mobile, created_at)
SELECT p.c0 + i + 1, '+44' || (7710000000 + i), p.t_first
FROM seq, prefill AS p;

-- Leads j = 0 .. n-1; lead j belongs to contact j / 2; even j processed, odd j existing_contact.
WITH RECURSIVE seq(j) AS (
    SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j + 1 < (SELECT n FROM prefill)
)
INSERT INTO leads(lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype,
                  first_name, surname, email, contact_id, other_phone, data, delays, outcome, raw_request)
SELECT p.l0 + j + 1,
       CASE WHEN j % 2 = 0 THEN p.t_first ELSE p.t_repeat END,
       p.partner_id, p.key_id, 'motor-trade', p.type_id, NULL,
       'Prefill', 'Lead' || j, 'prefill' || j || '@example.com',
       p.c0 + j / 2 + 1, NULL, NULL, NULL,
       CASE WHEN j % 2 = 0 THEN 'processed' ELSE 'existing_contact' END,
       json_object('first_name', 'Prefill', 'surname', 'Lead' || j, 'mobile', '0' || (7710000000 + j / 2),
                   'email', 'prefill' || j || '@example.com', 'type', 'motor-trade')
FROM seq, prefill AS p;

-- One finished call per contact, for its processed (even) lead.
WITH RECURSIVE seq(k) AS (
    SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < (SELECT contacts FROM prefill)
)
INSERT INTO calls(lead_id, contact_id, lead_type_id, call_group, state, due_at, created_at,
                  queued_at, claimed_at, lease_expires_at, finished_at, outcome, attempts)
SELECT p.l0 + 2 * k + 1, p.c0 + k + 1, p.type_id, p.call_group, 'done', p.t_first, p.t_first,
       p.t_first, p.t_first, NULL, p.t_finished, 'answered', 1
FROM seq, prefill AS p;

COMMIT;

PRAGMA journal_mode = WAL;
