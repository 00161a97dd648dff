-- Outcome webhooks (Standard Webhooks): each partner's endpoint, and a transactional outbox of the
-- events that report what became of its leads. An event row is written in the same writer
-- transaction as the change it reports, and carries its own delivery state.

-- One endpoint per partner. The secret is kept as given to the partner ('whsec_' + base64 of the
-- key bytes): the server must sign with it, so unlike API keys it cannot be stored as a hash.
CREATE TABLE webhook_endpoints (
    partner_id          INTEGER PRIMARY KEY REFERENCES partners(partner_id),
    url                 TEXT NOT NULL CHECK (url GLOB 'http://*' OR url GLOB 'https://*'),
    -- Comma-separated event types this endpoint receives ('call.finished,call.cancelled').
    events              TEXT NOT NULL CHECK (length(events) > 0 AND events NOT GLOB '*[^a-z.,]*'),
    secret              TEXT NOT NULL CHECK (secret GLOB 'whsec_*'),
    -- After a rotation the old secret still signs, as a second signature, until it expires.
    previous_secret     TEXT CHECK (previous_secret IS NULL OR previous_secret GLOB 'whsec_*'),
    previous_expires_at TEXT,
    disabled_at         TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK ((previous_secret IS NULL) = (previous_expires_at IS NULL))
) STRICT;

-- The outbox: one row per event and partner, with the exact body sent (signed bytes stay the same
-- on every retry) and where its delivery stands.
CREATE TABLE webhook_events (
    event_id        INTEGER PRIMARY KEY,
    partner_id      INTEGER NOT NULL REFERENCES partners(partner_id),
    type            TEXT NOT NULL CHECK (type = 'call.finished' OR type = 'call.cancelled' OR type = 'lead.suppressed'),
    lead_id         INTEGER NOT NULL REFERENCES leads(lead_id),
    call_id         INTEGER REFERENCES calls(call_id),
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    created_at      TEXT NOT NULL,
    -- When the event last entered 'pending' (created, or re-queued by --redeliver-failed): the
    -- 24 hours of retries count from here.
    queued_at       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'delivered' OR state = 'failed'),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_status     INTEGER,        -- the HTTP status of the last attempt; NULL when none came back
    last_error      TEXT,           -- why the last attempt did not deliver
    next_attempt_at TEXT,           -- when a pending event is tried next
    delivered_at    TEXT,
    CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
) STRICT;

-- The delivery worker's scan: a partner's pending events in order of occurrence.
CREATE INDEX webhook_events_pending ON webhook_events(partner_id, event_id) WHERE state = 'pending';
-- The retention purge: delivered events, oldest first.
CREATE INDEX webhook_events_delivered ON webhook_events(delivered_at) WHERE state = 'delivered';
-- Erasure finds a lead's events to blank the mobile in their bodies.
CREATE INDEX webhook_events_by_lead ON webhook_events(lead_id);

-- Supervisors' view: UTC times to the second, the partner by name.
CREATE VIEW webhook_deliveries_report AS
SELECT e.event_id,
       p.name AS partner,
       e.type,
       e.lead_id,
       e.call_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.created_at) AS created_at,
       e.state,
       e.attempts,
       e.last_status,
       e.last_error,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.next_attempt_at) AS next_attempt_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.delivered_at) AS delivered_at
FROM webhook_events e
JOIN partners p ON p.partner_id = e.partner_id;
