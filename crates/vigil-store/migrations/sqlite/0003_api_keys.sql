-- API keys: who may call Vigil's server, and for what. The secret itself is
-- shown once, when the key is created, and never stored: only its SHA-256,
-- which is also how a presented secret is looked up.
CREATE TABLE api_keys (
    id            TEXT NOT NULL PRIMARY KEY        -- public key id: `vk_` + 12 hex digits
        CHECK (id LIKE 'vk\_%' ESCAPE '\'),
    name          TEXT NOT NULL,                   -- free text for people; may be empty
    scopes        TEXT NOT NULL                    -- comma-separated, e.g. `scan,review`
        CHECK (scopes <> '' AND
               replace(replace(replace(replace(scopes,
                   'admin', ''), 'review', ''), 'scan', ''), ',', '') = ''),
    secret_sha256 TEXT NOT NULL UNIQUE             -- lower-case hex SHA-256 of the whole secret
        CHECK (length(secret_sha256) = 64),
    created_at    TEXT NOT NULL,                   -- RFC 3339, UTC, whole seconds
    revoked_at    TEXT                             -- RFC 3339, UTC, whole seconds; NULL while active
);
