-- Safe retries for partners (the IETF httpapi draft "The Idempotency-Key HTTP Header Field"): the
-- answer to a /lead/add or /lead/batch that carried an Idempotency-Key, kept for the retention
-- (`serve --idempotency-hours`, default 24) so a repeat is answered with it instead of saving the
-- lead(s) again. Written in the same writer transaction as the lead(s) it answers, so a crash can
-- never keep one without the other. Scoped to the partner: two partners may use the same key.
--
-- No personal field is kept here: the request is kept only as the SHA-256 of its bytes, and the
-- response bodies are the contract's fixed outcome and validation texts and lead ids.

CREATE TABLE idempotency_keys (
    partner_id      INTEGER NOT NULL REFERENCES partners(partner_id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256  TEXT NOT NULL CHECK (length(request_sha256) = 64), -- hex
    status          INTEGER NOT NULL,
    body            TEXT NOT NULL,
    lead_ids        TEXT NOT NULL,                 -- the saved leads' ids, comma-separated, in order
    created_at      TEXT NOT NULL,
    UNIQUE (partner_id, idempotency_key)
) STRICT;

-- The worker purges expired keys, oldest first, in bounded chunks through this index.
CREATE INDEX idempotency_keys_by_created ON idempotency_keys(created_at);
