-- Every policy file the service has decided under, by the digest decisions
-- record, so that a decision can be explained (and its DSA statement of
-- reasons written) under the exact policy that took it, after reloads and
-- restarts.
CREATE TABLE policies (
    digest     TEXT NOT NULL PRIMARY KEY,   -- `sha256:` of the file's bytes, as in decisions.policy_digest
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    text       TEXT NOT NULL,               -- the file as it was
    first_seen TEXT NOT NULL                -- RFC 3339, UTC
);
