-- Personal data: erasure on request and retention limits (UK GDPR), without losing the promise
-- that a suppressed number is never called again: the suppression lists keep the number for that
-- purpose alone, while the lead and contact rows lose every personal field. An erased contact's
-- mobile becomes an opaque random placeholder, so counts and attempts stay joined to it, and a
-- later lead for the same number starts a new contact with no link to the erased one.

ALTER TABLE contacts ADD COLUMN erased_at TEXT;
ALTER TABLE leads ADD COLUMN erased_at TEXT;

-- Erasure and retention find a contact's leads (and whether any are left) through this index.
CREATE INDEX leads_by_contact ON leads(contact_id);

-- The views show erased rows as 'erased' rather than a placeholder or a blank.
DROP VIEW leads_report;
DROP VIEW calls_report;
DROP VIEW queue_report;
DROP VIEW call_attempts_report;

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

CREATE VIEW queue_report AS
SELECT q.call_id,
       q.call_group,
       CASE WHEN c.erased_at IS NULL THEN c.mobile ELSE 'erased' END AS mobile,
       t.name AS type,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.due_at) AS due_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', q.queued_at) AS queued_at
FROM call_queue q
JOIN calls k ON k.call_id = q.call_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN contacts c ON c.contact_id = k.contact_id
ORDER BY q.call_group, q.due_at, q.call_id;

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
       a.lease_expired
FROM call_attempts a
JOIN calls k ON k.call_id = a.call_id
JOIN contacts c ON c.contact_id = a.contact_id
JOIN lead_types t ON t.lead_type_id = k.lead_type_id
JOIN api_keys d ON d.key_id = a.dialler_id;
