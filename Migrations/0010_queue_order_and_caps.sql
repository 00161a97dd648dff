-- Who is called next, and how much each partner may send a day.
--
-- 1. Lead types gain `priority` (0-99, higher first) and `fresh_order` ('oldest' or 'newest': the
--    order of a type's first attempts). Both are checked, naming the type, inside every migration's
--    transaction and at start, like `time_zone`.
-- 2. The call queue is rebuilt with its order written into each row (the type's priority, whether
--    the call is a first attempt, and the due time as milliseconds, negated for a first attempt of
--    a newest-first type), so that a claim is one ORDER BY ... LIMIT 1 read straight off an index.
-- 3. `leads` is rebuilt (sqlite.org/lang_altertable.html#otheralter, as 0003 and 0009 did)
--    because its outcome gains 'daily_cap'; the views that read the rebuilt tables are dropped first and made
--    again at the end, with every column they had. Rows keep their ids.
-- 4. Partners' daily caps per lead type, and a counter of the leads each partner made calls of per
--    type and local day (the type's time zone).
-- 5. Calls remember their first claim and the due time it answered, for speed-to-lead.

DROP VIEW leads_report;
DROP VIEW calls_report;
DROP VIEW consent_calls_report;
DROP VIEW queue_report;

-- 1. The order of the queue, set by migrations like every other type setting:
--    UPDATE lead_types SET priority = 80, fresh_order = 'newest' WHERE name = 'motor-trade';
ALTER TABLE lead_types ADD COLUMN priority INTEGER NOT NULL DEFAULT 50;
ALTER TABLE lead_types ADD COLUMN fresh_order TEXT NOT NULL DEFAULT 'oldest';

-- 2. The queue, rebuilt with its order.
CREATE TABLE call_queue_rebuilt (
    call_id       INTEGER PRIMARY KEY REFERENCES calls(call_id),
    call_group    TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    queued_at     TEXT NOT NULL,
    lead_type_id  INTEGER NOT NULL REFERENCES lead_types(lead_type_id),
    priority      INTEGER NOT NULL,     -- the type's, copied when queued and when the type changes
    first_attempt INTEGER NOT NULL CHECK (first_attempt = 0 OR first_attempt = 1), -- no attempt made yet
    -- due_at in milliseconds since 1970; negated for a first attempt of a newest-first type.
    sort_key      INTEGER NOT NULL
) STRICT;
INSERT INTO call_queue_rebuilt(call_id, call_group, due_at, queued_at, lead_type_id, priority, first_attempt, sort_key)
SELECT q.call_id, q.call_group, q.due_at, q.queued_at, k.lead_type_id, t.priority, k.attempts = 0,
       CASE WHEN k.attempts = 0 AND t.fresh_order = 'newest' THEN -1 ELSE 1 END
       * (CAST(strftime('%s', q.due_at) AS INTEGER) * 1000 + CAST(substr(q.due_at, 21, 3) AS INTEGER))
FROM call_queue q
JOIN calls k ON k.call_id = q.call_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id;
DROP TABLE call_queue;
ALTER TABLE call_queue_rebuilt RENAME TO call_queue;

-- The dialling order, per call group and across groups: priority (higher first), first attempts
-- before retries, then sort_key, then call_id. A claim reads the first entry and sorts nothing.
CREATE INDEX call_queue_dialling_order ON call_queue(call_group, priority DESC, first_attempt DESC, sort_key, call_id);
CREATE INDEX call_queue_global_order ON call_queue(priority DESC, first_attempt DESC, sort_key, call_id);

-- A type's new priority or fresh order applies to its calls already in the queue (a scan of the
-- queue alone: administrators change types rarely).
CREATE TRIGGER lead_types_order_reaches_the_queue
AFTER UPDATE OF priority, fresh_order ON lead_types
BEGIN
    UPDATE call_queue
    SET priority = NEW.priority,
        sort_key = CASE WHEN first_attempt = 1 AND NEW.fresh_order = 'newest' THEN -1 ELSE 1 END
                   * (CAST(strftime('%s', due_at) AS INTEGER) * 1000 + CAST(substr(due_at, 21, 3) AS INTEGER))
    WHERE lead_type_id = NEW.lead_type_id;
END;

-- 3. leads, its outcome gaining 'daily_cap' (the partner's daily cap for the type was reached).
CREATE TABLE leads_rebuilt (
    lead_id      INTEGER PRIMARY KEY,
    received_at  TEXT NOT NULL,
    partner_id   INTEGER NOT NULL REFERENCES partners(partner_id),
    key_id       INTEGER NOT NULL REFERENCES api_keys(key_id),
    type         TEXT NOT NULL,                           -- as the partner sent it
    lead_type_id INTEGER REFERENCES lead_types(lead_type_id), -- NULL when the type is unknown
    subtype      TEXT,
    first_name   TEXT NOT NULL,
    surname      TEXT NOT NULL,
    email        TEXT NOT NULL,
    contact_id   INTEGER NOT NULL REFERENCES contacts(contact_id),
    other_phone  TEXT,                                    -- E.164
    data         TEXT CHECK (data IS NULL OR json_valid(data)),
    delays       INTEGER,
    outcome      TEXT NOT NULL CHECK (outcome = 'processed' OR outcome = 'unknown_type' OR outcome = 'suppressed'
                                      OR outcome = 'already_scheduled' OR outcome = 'existing_contact'
                                      OR outcome = 'line_type_not_accepted' OR outcome = 'daily_cap'),
    raw_request  TEXT NOT NULL,
    erased_at    TEXT,
    -- other_phone's line type (NULL with other_phone, and for leads saved before 0009).
    other_phone_line_type TEXT CHECK (other_phone_line_type IS NULL OR other_phone_line_type GLOB '[a-z]*[a-z]')
) STRICT;
INSERT INTO leads_rebuilt(lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname, email,
                          contact_id, other_phone, data, delays, outcome, raw_request, erased_at, other_phone_line_type)
SELECT lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname, email,
       contact_id, other_phone, data, delays, outcome, raw_request, erased_at, other_phone_line_type
FROM leads;
DROP TABLE leads;
ALTER TABLE leads_rebuilt RENAME TO leads;
CREATE INDEX leads_by_contact ON leads(contact_id);

-- 4. Daily caps, set with `dialler-server partners cap NAME --type TYPE --per-day N` or seeded:
--    INSERT INTO partner_caps(partner_id, lead_type_id, per_day)
--    SELECT partner_id, lead_type_id, 200 FROM partners, lead_types WHERE partners.name = 'acme' AND lead_types.name = 'motor-trade';
-- per_day is checked (0 or more), naming the partner and type, like the types' settings.
CREATE TABLE partner_caps (
    partner_id   INTEGER NOT NULL REFERENCES partners(partner_id),
    lead_type_id INTEGER NOT NULL REFERENCES lead_types(lead_type_id),
    per_day      INTEGER NOT NULL,
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (partner_id, lead_type_id)
) STRICT, WITHOUT ROWID;

-- Leads that became calls, per partner, type and local day (midnight to midnight in the type's
-- time zone), counted in the same writer job that makes the call, whether a cap is set or not:
-- a cap set mid-day counts the day's calls already made. starts_at and ends_at are the local day's
-- bounds in UTC, so a view can tell which row is today without knowing time zones.
CREATE TABLE partner_day_counts (
    partner_id   INTEGER NOT NULL REFERENCES partners(partner_id),
    lead_type_id INTEGER NOT NULL REFERENCES lead_types(lead_type_id),
    day          TEXT NOT NULL,         -- YYYY-MM-DD in the type's time zone
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    calls        INTEGER NOT NULL CHECK (calls >= 0),
    PRIMARY KEY (partner_id, lead_type_id, day)
) STRICT, WITHOUT ROWID;

-- 5. The first claim of each call and the due time it answered (a retry or a hold moves due_at).
ALTER TABLE calls ADD COLUMN first_claimed_at TEXT;
ALTER TABLE calls ADD COLUMN first_due_at TEXT;
UPDATE calls SET first_claimed_at = (SELECT min(a.claimed_at) FROM call_attempts a WHERE a.call_id = calls.call_id)
WHERE attempts > 0;

-- Supervisors' views: leads_report, calls_report and consent_calls_report as 0009 made them; queue_report gains the
-- priority and whether the call is a first attempt, and lists the queue in dialling order.

CREATE VIEW leads_report AS
SELECT l.lead_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', l.received_at) AS received_at,
       p.name AS partner,
       l.type,
       l.subtype,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       CASE WHEN l.erased_at IS NULL THEN l.email ELSE 'erased' END AS email,
       CASE WHEN l.erased_at IS NULL THEN l.first_name ELSE 'erased' END AS first_name,
       CASE WHEN l.erased_at IS NULL THEN l.surname ELSE 'erased' END AS surname,
       l.outcome,
       k.call_id,
       c.line_type,
       l.other_phone_line_type,
       strftime('%Y-%m-%dT%H:%M:%SZ', n.given_at) AS consent_given_at,
       CASE WHEN n.erased_at IS NULL THEN n.source ELSE 'erased' END AS consent_source,
       CASE WHEN n.lead_id IS NULL THEN NULL ELSE n.certificate IS NOT NULL END AS consent_certificate_held,
       n.overrode_lists AS consent_overrode_lists
FROM leads l
JOIN partners p ON p.partner_id = l.partner_id
JOIN contacts c ON c.contact_id = l.contact_id
LEFT JOIN calls k ON k.lead_id = l.lead_id
LEFT JOIN consents n ON n.lead_id = l.lead_id;

CREATE VIEW calls_report AS
SELECT k.call_id,
       k.lead_id,
       p.name AS partner,
       t.name AS type,
       k.call_group,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.due_at) AS due_at,
       k.state,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.queued_at) AS queued_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.finished_at) AS finished_at,
       k.outcome,
       k.attempts,
       k.held_by,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.held_until) AS held_until
FROM calls k
JOIN leads l ON l.lead_id = k.lead_id
JOIN partners p ON p.partner_id = l.partner_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN contacts c ON c.contact_id = k.contact_id;

-- Every call that went ahead on its lead's consent past a list marked consent_overrides, as 0009 made it.
CREATE VIEW consent_calls_report AS
SELECT k.call_id,
       k.lead_id,
       p.name AS partner,
       t.name AS type,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       n.overrode_lists AS lists,
       strftime('%Y-%m-%dT%H:%M:%SZ', n.given_at) AS consent_given_at,
       CASE WHEN n.erased_at IS NULL THEN n.source ELSE 'erased' END AS consent_source,
       CASE WHEN n.erased_at IS NULL THEN n.wording ELSE 'erased' END AS consent_wording,
       CASE WHEN n.erased_at IS NULL THEN n.ip ELSE 'erased' END AS consent_ip,
       CASE WHEN n.erased_at IS NULL THEN n.certificate ELSE 'erased' END AS consent_certificate,
       k.state,
       k.attempts,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.finished_at) AS finished_at,
       k.outcome
FROM consents n
JOIN calls k ON k.lead_id = n.lead_id
JOIN leads l ON l.lead_id = n.lead_id
JOIN partners p ON p.partner_id = l.partner_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN contacts c ON c.contact_id = k.contact_id
WHERE n.overrode_lists IS NOT NULL;

CREATE VIEW queue_report AS
SELECT q.call_id,
       q.call_group,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       t.name AS type,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.due_at) AS due_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.queued_at) AS queued_at,
       q.priority,
       q.first_attempt
FROM call_queue q
JOIN calls k ON k.call_id = q.call_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN contacts c ON c.contact_id = k.contact_id
ORDER BY q.call_group, q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id;

-- Each cap with the calls the partner's leads of the type made today (the local day in the
-- type's time zone whose bounds hold the present moment) and what is left of it.
CREATE VIEW partner_caps_report AS
SELECT p.name AS partner,
       t.name AS type,
       c.per_day AS cap,
       coalesce(d.calls, 0) AS used_today,
       max(c.per_day - coalesce(d.calls, 0), 0) AS remaining
FROM partner_caps c
JOIN partners p ON p.partner_id = c.partner_id
JOIN lead_types t ON t.lead_type_id = c.lead_type_id
LEFT JOIN partner_day_counts d
       ON d.partner_id = c.partner_id AND d.lead_type_id = c.lead_type_id
      AND d.starts_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AND strftime('%Y-%m-%dT%H:%M:%fZ', 'now') < d.ends_at;

-- Speed-to-lead per UTC day of receipt, partner and type: leads that became calls, how many of
-- those calls have had their first claim, and the median and 90th percentile of the seconds from
-- the due time to the first claim and from receipt to the first claim. Percentiles are by nearest
-- rank (the smallest value with at least that share of values at or below it), computed with
-- window functions because SQLite has no percentile function.
CREATE VIEW speed_to_lead_report AS
WITH claims AS (
    SELECT substr(l.received_at, 1, 10) AS day,
           l.partner_id,
           k.lead_type_id,
           k.first_claimed_at IS NOT NULL AS claimed,
           (CAST(strftime('%s', k.first_claimed_at) AS INTEGER) * 1000 + CAST(substr(k.first_claimed_at, 21, 3) AS INTEGER)
            - CAST(strftime('%s', k.first_due_at) AS INTEGER) * 1000 - CAST(substr(k.first_due_at, 21, 3) AS INTEGER)) / 1000.0
               AS due_seconds,
           (CAST(strftime('%s', k.first_claimed_at) AS INTEGER) * 1000 + CAST(substr(k.first_claimed_at, 21, 3) AS INTEGER)
            - CAST(strftime('%s', l.received_at) AS INTEGER) * 1000 - CAST(substr(l.received_at, 21, 3) AS INTEGER)) / 1000.0
               AS receipt_seconds
    FROM calls k
    JOIN leads l ON l.lead_id = k.lead_id
),
ranked AS (
    SELECT day, partner_id, lead_type_id, claimed, due_seconds, receipt_seconds,
           row_number() OVER (PARTITION BY day, partner_id, lead_type_id, due_seconds IS NULL ORDER BY due_seconds) AS due_rank,
           count(due_seconds) OVER (PARTITION BY day, partner_id, lead_type_id) AS due_count,
           row_number() OVER (PARTITION BY day, partner_id, lead_type_id, receipt_seconds IS NULL ORDER BY receipt_seconds) AS receipt_rank,
           count(receipt_seconds) OVER (PARTITION BY day, partner_id, lead_type_id) AS receipt_count
    FROM claims
)
SELECT r.day,
       p.name AS partner,
       t.name AS type,
       count(*) AS calls,
       sum(r.claimed) AS first_claimed,
       max(CASE WHEN r.due_seconds IS NOT NULL AND r.due_rank = (r.due_count + 1) / 2 THEN r.due_seconds END) AS due_to_claim_median,
       max(CASE WHEN r.due_seconds IS NOT NULL AND r.due_rank = (9 * r.due_count + 9) / 10 THEN r.due_seconds END) AS due_to_claim_p90,
       max(CASE WHEN r.receipt_seconds IS NOT NULL AND r.receipt_rank = (r.receipt_count + 1) / 2 THEN r.receipt_seconds END) AS receipt_to_claim_median,
       max(CASE WHEN r.receipt_seconds IS NOT NULL AND r.receipt_rank = (9 * r.receipt_count + 9) / 10 THEN r.receipt_seconds END) AS receipt_to_claim_p90
FROM ranked r
JOIN partners p ON p.partner_id = r.partner_id
JOIN lead_types t ON t.lead_type_id = r.lead_type_id
GROUP BY r.day, r.partner_id, r.lead_type_id;
