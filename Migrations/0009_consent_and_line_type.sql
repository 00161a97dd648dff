-- Consent evidence and line type at intake.
--
-- Consent: a partner may send with a lead the evidence that the person agreed to be called; it is
-- kept in its own row beside the lead, written in the lead's writer job, and erased with the
-- person. A lead type may require it (requires_consent) and refuse evidence older than
-- consent_max_age_days. A do-not-call list may be marked consent_overrides (TPS and CTPS: PECR
-- regulation 21 lets a registered number be called by a company the subscriber told it does not
-- object to); a lead with consent whose number is only on such lists is processed, and the lists
-- it went past are kept on its consent row (overrode_lists) for compliance officers.
--
-- Line type: every saved number's type as libphonenumber classifies it, on the contact (the
-- mobile) and the lead (other_phone). A lead type may list the line types it accepts (line_types);
-- a mobile of another type is saved with the outcome 'line_type_not_accepted'.
--
-- `leads` is rebuilt (sqlite.org/lang_altertable.html#otheralter, as 0002 and 0003 did) because
-- SQLite cannot alter a CHECK constraint; the views that read it are dropped first and made again
-- at the end. Rows keep their ids.

DROP VIEW leads_report;
DROP VIEW calls_report;

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
                                      OR outcome = 'line_type_not_accepted'),
    raw_request  TEXT NOT NULL,
    erased_at    TEXT,
    -- other_phone's line type (NULL with other_phone, and for leads saved before this migration).
    other_phone_line_type TEXT CHECK (other_phone_line_type IS NULL OR other_phone_line_type GLOB '[a-z]*[a-z]')
) STRICT;
INSERT INTO leads_rebuilt(lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname, email,
                          contact_id, other_phone, data, delays, outcome, raw_request, erased_at)
SELECT lead_id, received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname, email,
       contact_id, other_phone, data, delays, outcome, raw_request, erased_at
FROM leads;
DROP TABLE leads;
ALTER TABLE leads_rebuilt RENAME TO leads;
CREATE INDEX leads_by_contact ON leads(contact_id);

-- The mobile's line type: 'mobile', 'fixed_line', 'fixed_line_or_mobile', 'voip', 'personal_number',
-- 'premium_rate', 'toll_free', 'shared_cost', 'uan', 'pager', 'voicemail' or 'unknown'; NULL for a
-- contact made before this migration until its next lead.
ALTER TABLE contacts ADD COLUMN line_type TEXT CHECK (line_type IS NULL OR line_type GLOB '[a-z]*[a-z]');

-- Per lead type, set by migrations like every other type column. The server checks each word of
-- line_types when it opens the database and inside every migration, and names the type and the
-- word it does not know.
-- 1: a lead without consent, or with consent older than consent_max_age_days, is refused (400).
ALTER TABLE lead_types ADD COLUMN requires_consent INTEGER NOT NULL DEFAULT 0 CHECK (requires_consent = 0 OR requires_consent = 1);
ALTER TABLE lead_types ADD COLUMN consent_max_age_days INTEGER NOT NULL DEFAULT 180
    CHECK (consent_max_age_days BETWEEN 1 AND 3650);
-- Comma-separated line types the type's calls may go to ('mobile,fixed_line_or_mobile'); NULL: every type.
ALTER TABLE lead_types ADD COLUMN line_types TEXT
    CHECK (line_types IS NULL OR (length(line_types) > 0 AND line_types NOT GLOB '*[^a-z_, ]*'));

-- 1: a lead with consent may be called though its number is on this list. Never on 'internal'
-- (opt-outs and Do Not Call results: people who objected to us).
ALTER TABLE suppression_lists ADD COLUMN consent_overrides INTEGER NOT NULL DEFAULT 0
    CHECK (consent_overrides = 0 OR (consent_overrides = 1 AND name <> 'internal'));

-- One row per lead that carried consent. Erasure and retention blank the evidence (source,
-- wording, ip, certificate) with the lead's other personal fields; the time it was given and the
-- lists it overrode stay, as the lead's outcome does.
CREATE TABLE consents (
    lead_id        INTEGER PRIMARY KEY REFERENCES leads(lead_id),
    given_at       TEXT NOT NULL,
    source         TEXT NOT NULL,              -- the page or script where it was given ('' once erased)
    wording        TEXT,
    ip             TEXT,
    certificate    TEXT,                       -- a TrustedForm or Jornaya certificate URL or id
    -- Comma-separated do-not-call lists (marked consent_overrides) this consent let the call past,
    -- at intake or at a later claim; NULL when none.
    overrode_lists TEXT,
    erased_at      TEXT
) STRICT;
-- Compliance officers' view: the calls that went ahead on consent, found without a scan of all consents.
CREATE INDEX consents_overriding ON consents(lead_id) WHERE overrode_lists IS NOT NULL;

-- Supervisors' views: leads_report gains the line types and the consent; calls_report as 0004 made it.

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

-- Every call whose number was on a do-not-call list marked consent_overrides and which went ahead
-- on its lead's consent: the consent it rested on, and what became of the call.
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
