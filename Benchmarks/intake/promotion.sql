-- PROMOTION stage: adds bench_params.n waiting calls, all due at the same moment, to a stopped
-- server's database, so the promotion worker has a large backlog to move into the call queue
-- while intake is under load.
--
-- The runner creates TEMP TABLE bench_params(n, delay) first, then reads this file with sqlite3;
-- delay is whole seconds from now to the calls' due time (0: due now). It expects the partner
-- 'bench' with a key and the lead type 'motor-trade'. Each call needs its own processed lead
-- and contact: mobiles +447840000000 upwards (0784x: valid UK mobiles, disjoint from the load's
-- 071xx-073xx and the GROWTH stage's 0771x-0776x).
--
-- Prints one line "FIRST_CALL_ID|LAST_CALL_ID|DUE_AT" for the runner.

PRAGMA foreign_keys = ON;

BEGIN;

CREATE TEMP TABLE promo AS
SELECT n,
       (SELECT partner_id FROM partners WHERE name = 'bench')                           AS partner_id,
       (SELECT min(key_id) FROM api_keys
         WHERE partner_id = (SELECT partner_id FROM partners WHERE name = 'bench'))     AS key_id,
       (SELECT lead_type_id FROM lead_types WHERE name = 'motor-trade')                 AS type_id,
       (SELECT call_group FROM lead_types WHERE name = 'motor-trade')                   AS call_group,
       (SELECT coalesce(max(contact_id), 0) FROM contacts)                              AS c0,
       (SELECT coalesce(max(lead_id), 0) FROM leads)                                    AS l0,
       (SELECT coalesce(max(call_id), 0) FROM calls)                                    AS k0,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now')                                            AS t_now,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || delay || ' seconds')                AS t_due
FROM bench_params;

WITH RECURSIVE seq(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < (SELECT n FROM promo)
)
INSERT INTO contacts(contact_id, mobile, created_at)
SELECT p.c0 + i + 1, '+44' || (7840000000 + i), p.t_now
FROM seq, promo AS p;

WITH RECURSIVE seq(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < (SELECT n FROM promo)
)
INSERT INTO leads(lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype,
                  first_name, surname, email, contact_id, other_phone, data, delays, outcome, raw_request)
SELECT p.l0 + i + 1, p.t_now, p.partner_id, p.key_id, 'motor-trade', p.type_id, NULL,
       'Promo', 'Lead' || i, 'promo' || i || '@example.com', p.c0 + i + 1, NULL, NULL, NULL, 'processed',
       json_object('first_name', 'Promo', 'surname', 'Lead' || i, 'mobile', '0' || (7840000000 + i),
                   'email', 'promo' || i || '@example.com', 'type', 'motor-trade')
FROM seq, promo AS p;

-- state 'waiting': lease_expires_at and finished_at stay NULL, as the CHECKs require.
WITH RECURSIVE seq(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < (SELECT n FROM promo)
)
INSERT INTO calls(call_id, lead_id, contact_id, lead_type_id, call_group, state, due_at, created_at)
SELECT p.k0 + i + 1, p.l0 + i + 1, p.c0 + i + 1, p.type_id, p.call_group, 'waiting', p.t_due, p.t_now
FROM seq, promo AS p;

COMMIT;

SELECT k0 + 1, k0 + n, t_due FROM promo;
