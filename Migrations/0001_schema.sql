-- The dialler's schema. Times are UTC ISO-8601 text with milliseconds ('2026-11-29T10:15:00.123Z'),
-- so text order is time order; the *_report views show them to the second.
-- A migration that has shipped is never edited: add a new file with a higher number instead.

CREATE TABLE partners (
    partner_id INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_at TEXT NOT NULL
) STRICT;

-- Only the SHA-256 of each key is kept; the key itself is shown once, when it is created.
CREATE TABLE api_keys (
    key_id        INTEGER PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('partner', 'dialler')),
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    partner_id    INTEGER REFERENCES partners(partner_id),
    -- For partner keys: a JSON array of lead type names this key may submit; NULL allows every type.
    allowed_types TEXT CHECK (allowed_types IS NULL OR (json_valid(allowed_types) AND json_type(allowed_types) = 'array')),
    key_sha256    BLOB NOT NULL UNIQUE CHECK (length(key_sha256) = 32),
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    CHECK ((role = 'partner') = (partner_id IS NOT NULL)),
    CHECK (role = 'partner' OR allowed_types IS NULL)
) STRICT;

-- Administrators seed types with just a name: INSERT INTO lead_types(name) VALUES ('motor-trade');
CREATE TABLE lead_types (
    lead_type_id  INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    -- The diallers' queue this type's calls go to; NULL on insert becomes the type's name.
    call_group    TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Days a dialled call makes the same mobile and type an "Existing Contact"; NULL means forever.
    dedupe_days   INTEGER DEFAULT 30 CHECK (dedupe_days IS NULL OR dedupe_days >= 0),
    -- Seconds from receipt to the call when the partner sends no "delays".
    default_delay INTEGER NOT NULL DEFAULT 0 CHECK (default_delay BETWEEN 0 AND 31536000),
    -- Calling window in the type's local time: 'HH:MM' start and end (end before start crosses
    -- midnight) on the listed days ('mon,tue,wed,thu,fri'); all NULL means any time.
    window_start  TEXT CHECK (window_start IS NULL OR (window_start GLOB '[0-2][0-9]:[0-5][0-9]' AND window_start < '24:00')),
    window_end    TEXT CHECK (window_end IS NULL OR (window_end GLOB '[0-2][0-9]:[0-5][0-9]' AND window_end <= '24:00')),
    window_days   TEXT CHECK (window_days IS NULL OR (length(window_days) >= 3 AND trim(replace(replace(replace(replace(replace(replace(replace(
                      lower(window_days), 'mon', ''), 'tue', ''), 'wed', ''), 'thu', ''), 'fri', ''), 'sat', ''), 'sun', ''), ', ') = '')),
    time_zone     TEXT NOT NULL DEFAULT 'Europe/London',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((window_start IS NULL) = (window_end IS NULL)),
    CHECK (window_days IS NULL OR window_start IS NOT NULL)
) STRICT;

CREATE TRIGGER lead_types_call_group_defaults_to_name
AFTER INSERT ON lead_types WHEN NEW.call_group IS NULL
BEGIN
    UPDATE lead_types SET call_group = NEW.name WHERE lead_type_id = NEW.lead_type_id;
END;

-- One row per person we may call, by E.164 mobile number.
CREATE TABLE contacts (
    contact_id INTEGER PRIMARY KEY,
    mobile     TEXT NOT NULL UNIQUE CHECK (mobile GLOB '+[1-9]*' AND length(mobile) BETWEEN 8 AND 16),
    created_at TEXT NOT NULL
) STRICT;

-- Every lead a partner submitted outside test mode, whatever became of it.
CREATE TABLE leads (
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
    outcome      TEXT NOT NULL CHECK (outcome IN ('processed', 'unknown_type', 'already_scheduled', 'existing_contact')),
    raw_request  TEXT NOT NULL
) STRICT;

-- A processed lead's call, from scheduling to its end.
CREATE TABLE calls (
    call_id          INTEGER PRIMARY KEY,
    lead_id          INTEGER NOT NULL UNIQUE REFERENCES leads(lead_id),
    contact_id       INTEGER NOT NULL REFERENCES contacts(contact_id),
    lead_type_id     INTEGER NOT NULL REFERENCES lead_types(lead_type_id),
    call_group       TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'waiting'
                     CHECK (state IN ('waiting', 'queued', 'dialling', 'done', 'cancelled')),
    due_at           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    queued_at        TEXT,
    claimed_at       TEXT,
    claimed_by       INTEGER REFERENCES api_keys(key_id), -- the dialler key holding the lease
    lease_expires_at TEXT,
    finished_at      TEXT,
    outcome          TEXT,          -- the dialler's word on the last attempt
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    CHECK ((state = 'dialling') = (lease_expires_at IS NOT NULL)),
    CHECK ((state = 'dialling') = (claimed_by IS NOT NULL)),
    CHECK ((state IN ('done', 'cancelled')) = (finished_at IS NOT NULL))
) STRICT;

-- De-duplication and cancel look up a contact's calls of one type (a handful of rows; state is
-- left out so that a call's state changes do not rewrite this index).
CREATE INDEX calls_by_contact_type ON calls(contact_id, lead_type_id);
-- The promotion worker's scan: only waiting calls, by due time.
CREATE INDEX calls_waiting_by_due ON calls(due_at) WHERE state = 'waiting';
-- Lease expiry: only calls being dialled.
CREATE INDEX calls_dialling_by_lease ON calls(lease_expires_at) WHERE state = 'dialling';

-- The call queue the diallers work from. The primary key is what makes it impossible to queue a call twice.
CREATE TABLE call_queue (
    call_id    INTEGER PRIMARY KEY REFERENCES calls(call_id),
    call_group TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    queued_at  TEXT NOT NULL
) STRICT;

CREATE INDEX call_queue_dialling_order ON call_queue(call_group, due_at, call_id);
CREATE INDEX call_queue_global_order ON call_queue(due_at, call_id);

-- Supervisors' views: E.164 mobiles, UTC times to the second.

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
       k.attempts
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
