-- Partners' webhook signing secrets sealed at rest. 0006 kept them in clear, so anyone holding the
-- file, a backup, the replica or the supervisors' view could sign webhooks partners would accept.
-- From now on each secret is stored sealed (AES-256-GCM) with a key kept in a file outside the
-- database (`serve --secrets-key-file`), and the id of that key beside it, so that a key can be
-- changed (`secrets rotate`) and a wrong key file is refused by name.
--
-- The clear columns stay, nullable, for the rows 0006 made: the server seals them the first time
-- it starts with a key (or `secrets init` runs), in one writer job, and they are NULL from then on.
-- SQLite cannot make a column nullable, so the table is rebuilt as sqlite.org/lang_altertable.html
-- describes; no view or trigger reads it. secure_delete zeroes the old table's pages as it is
-- dropped, so they keep no copy of the clear secrets in the file's free space.
PRAGMA secure_delete = ON;

CREATE TABLE webhook_endpoints_rebuilt (
    partner_id             INTEGER PRIMARY KEY REFERENCES partners(partner_id),
    url                    TEXT NOT NULL CHECK (url GLOB 'http://*' OR url GLOB 'https://*'),
    -- Comma-separated event types this endpoint receives ('call.finished,call.cancelled').
    events                 TEXT NOT NULL CHECK (length(events) > 0 AND events NOT GLOB '*[^a-z.,]*'),
    -- Only until the first start with a secrets key: the secret as 0006 kept it.
    secret                 TEXT CHECK (secret IS NULL OR secret GLOB 'whsec_*'),
    -- The secret sealed: AES-GCM's 12-byte nonce, the ciphertext and the 16-byte tag.
    sealed_secret          BLOB CHECK (sealed_secret IS NULL OR length(sealed_secret) > 28),
    -- Which key sealed it (a fingerprint of the key, which it does not help to find).
    secret_key_id          TEXT,
    -- After a rotation the old secret still signs, as a second signature, until it expires.
    previous_secret        TEXT CHECK (previous_secret IS NULL OR previous_secret GLOB 'whsec_*'),
    sealed_previous_secret BLOB CHECK (sealed_previous_secret IS NULL OR length(sealed_previous_secret) > 28),
    previous_key_id        TEXT,
    previous_expires_at    TEXT,
    disabled_at            TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CHECK ((secret IS NULL) <> (sealed_secret IS NULL)),
    CHECK ((sealed_secret IS NULL) = (secret_key_id IS NULL)),
    CHECK (previous_secret IS NULL OR sealed_previous_secret IS NULL),
    CHECK ((sealed_previous_secret IS NULL) = (previous_key_id IS NULL)),
    CHECK ((previous_secret IS NULL AND sealed_previous_secret IS NULL) = (previous_expires_at IS NULL))
) STRICT;
INSERT INTO webhook_endpoints_rebuilt(partner_id, url, events, secret, previous_secret, previous_expires_at,
                                      disabled_at, created_at, updated_at)
SELECT partner_id, url, events, secret, previous_secret, previous_expires_at, disabled_at, created_at, updated_at
FROM webhook_endpoints;
DROP TABLE webhook_endpoints;
ALTER TABLE webhook_endpoints_rebuilt RENAME TO webhook_endpoints;

PRAGMA secure_delete = OFF;

-- Supervisors' view of the endpoints: where each partner's events go, which, and whether they are
-- sent. No secret, sealed or not: supervisors/plugins also refuses every read of those columns.
CREATE VIEW webhook_endpoints_report AS
SELECT p.name AS partner,
       e.url,
       e.events,
       CASE WHEN e.disabled_at IS NULL THEN 'enabled' ELSE 'disabled' END AS state
FROM webhook_endpoints e
JOIN partners p ON p.partner_id = e.partner_id;
