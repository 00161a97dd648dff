-- Compliance: do-not-call (suppression) lists, contact rules per lead type, and an audit trail
-- of every dial attempt.
--
-- `leads` is rebuilt (sqlite.org/lang_altertable.html#otheralter, as 0002 did) because SQLite
-- cannot alter a CHECK constraint, and its outcome gains 'suppressed'; the views that read it are
-- dropped first and made again at the end. Rows keep their ids.

DROP VIEW leads_report;
DROP VIEW calls_report;
DROP VIEW queue_report;

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
                                      OR outcome = 'already_scheduled' OR outcome = 'existing_contact'),
    raw_request  TEXT NOT NULL
) STRICT;
INSERT INTO leads_rebuilt SELECT * FROM leads;
DROP TABLE leads;
ALTER TABLE leads_rebuilt RENAME TO leads;

-- Contact rules, set by migrations like every other type column.
-- Attempts after which a retry request finishes the call instead (NULL: no limit).
ALTER TABLE lead_types ADD COLUMN max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts >= 1);
-- The shortest retry a dialler may ask for; a shorter retry_in is raised to it.
ALTER TABLE lead_types ADD COLUMN min_retry_seconds INTEGER NOT NULL DEFAULT 0 CHECK (min_retry_seconds >= 0);

-- Why a call was moved back to waiting at claim time, and until when: 'abandoned_hold' (the
-- number's last call was abandoned) or 'daily_cap' (the number's rolling 24-hour cap was reached).
ALTER TABLE calls ADD COLUMN held_by TEXT CHECK (held_by IS NULL OR held_by = 'abandoned_hold' OR held_by = 'daily_cap');
ALTER TABLE calls ADD COLUMN held_until TEXT;

-- Named do-not-call lists: 'internal' (people who objected to us) and any list an administrator
-- loads ('tps', 'ctps', a client's own). `generation` is the list's visible generation: a
-- replacing import writes the next one out of sight and makes it visible in one short transaction.
CREATE TABLE suppression_lists (
    list_id    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0 AND name NOT GLOB '*[^a-z0-9_-]*'),
    generation INTEGER NOT NULL DEFAULT 1,
    numbers    INTEGER NOT NULL DEFAULT 0 CHECK (numbers >= 0),
    loaded_at  TEXT,                -- when an import last completed; NULL for lists only added to by hand
    created_at TEXT NOT NULL
) STRICT;
INSERT INTO suppression_lists(name, created_at) VALUES ('internal', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- One row per number, list and generation. The key starts with the list and generation so a
-- replaced generation is deleted by ranges; the index on mobile is the one lookup intake makes.
CREATE TABLE suppressions (
    list_id    INTEGER NOT NULL REFERENCES suppression_lists(list_id),
    generation INTEGER NOT NULL,
    mobile     TEXT NOT NULL CHECK (mobile GLOB '+[1-9]*' AND length(mobile) BETWEEN 8 AND 16),
    reason     TEXT,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (list_id, generation, mobile)
) STRICT, WITHOUT ROWID;
CREATE INDEX suppressions_by_mobile ON suppressions(mobile);

-- Every claim of a call is an attempt, kept for ever: the call keeps its current state and
-- counter for the hot paths, this table keeps the story.
CREATE TABLE call_attempts (
    attempt_id    INTEGER PRIMARY KEY,
    call_id       INTEGER NOT NULL REFERENCES calls(call_id),
    contact_id    INTEGER NOT NULL REFERENCES contacts(contact_id),  -- the holds look up a number's attempts
    dialler_id    INTEGER NOT NULL REFERENCES api_keys(key_id),
    claimed_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT,
    abandoned     INTEGER NOT NULL DEFAULT 0 CHECK (abandoned = 0 OR abandoned = 1),
    do_not_call   INTEGER NOT NULL DEFAULT 0 CHECK (do_not_call = 0 OR do_not_call = 1),
    lease_expired INTEGER NOT NULL DEFAULT 0 CHECK (lease_expired = 0 OR lease_expired = 1)
) STRICT;
CREATE INDEX call_attempts_by_call ON call_attempts(call_id);
CREATE INDEX call_attempts_by_contact ON call_attempts(contact_id, claimed_at);

-- Supervisors' views: E.164 mobiles, UTC times to the second. leads_report and queue_report as
-- before; calls_report gains the hold; two new views for compliance officers.

CREATE VIEW leads_report AS
SELECT l.lead_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', l.received_at) AS received_at,
       p.name AS partner,
       l.type,
       l.subtype,
       c.mobile,
       l.email,
       l.first_name,
       l.surname,
       l.outcome,
       k.call_id
FROM leads l
JOIN partners p ON p.partner_id = l.partner_id
JOIN contacts c ON c.contact_id = l.contact_id
LEFT JOIN calls k ON k.lead_id = l.lead_id;

CREATE VIEW calls_report AS
SELECT k.call_id,
       k.lead_id,
       p.name AS partner,
       t.name AS type,
       k.call_group,
       c.mobile,
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

CREATE VIEW queue_report AS
SELECT q.call_id,
       q.call_group,
       c.mobile,
       t.name AS type,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.due_at) AS due_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.queued_at) AS queued_at
FROM call_queue q
JOIN calls k ON k.call_id = q.call_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN contacts c ON c.contact_id = k.contact_id
ORDER BY q.call_group, q.due_at, q.call_id;

CREATE VIEW suppressions_report AS
SELECT s.mobile,
       l.name AS list,
       s.reason,
       strftime('%Y-%m-%dT%H:%M:%SZ', s.added_at) AS added_at
FROM suppressions s
JOIN suppression_lists l ON l.list_id = s.list_id AND l.generation = s.generation;

CREATE VIEW suppression_lists_report AS
SELECT name AS list,
       numbers,
       strftime('%Y-%m-%dT%H:%M:%SZ', loaded_at) AS loaded_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', created_at) AS created_at
FROM suppression_lists;

CREATE VIEW call_attempts_report AS
SELECT a.attempt_id,
       a.call_id,
       k.lead_id,
       c.mobile,
       t.name AS type,
       d.name AS dialler,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.claimed_at) AS claimed_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', a.finished_at) AS finished_at,
       a.outcome,
       a.abandoned,
       a.do_not_call,
       a.lease_expired
FROM call_attempts a
JOIN calls k ON k.call_id = a.call_id
JOIN contacts c ON c.contact_id = a.contact_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN api_keys d ON d.key_id = a.dialler_id;
