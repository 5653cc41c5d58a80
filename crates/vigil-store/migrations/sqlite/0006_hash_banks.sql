-- Hash banks: named lists of PDQ hashes with their provenance. A positive
-- bank holds known-bad content (a match is a signal); a negative bank holds
-- known-benign content (a match can suppress positive matches). The policy
-- names which banks apply and how; the store only keeps them.
CREATE TABLE banks (
    name        TEXT NOT NULL PRIMARY KEY       -- 1 to 64 of a-z, 0-9, `_`, `-`
        CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^a-z0-9_-]*'),
    kind        TEXT NOT NULL
        CHECK (kind IN ('positive', 'negative')),
    description TEXT NOT NULL,                  -- free text; may be empty
    created_at  TEXT NOT NULL                   -- RFC 3339, UTC, whole seconds
);

CREATE TABLE bank_entries (
    id       INTEGER PRIMARY KEY,               -- stable; named in match evidence
    bank     TEXT    NOT NULL REFERENCES banks (name),
    hash     TEXT    NOT NULL                   -- 64 lower-case hex digits
        CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
    source   TEXT    NOT NULL,                  -- where the hash came from; may be empty
    label    TEXT    NOT NULL,                  -- what it is; may be empty
    added_at TEXT    NOT NULL,                  -- RFC 3339, UTC, whole seconds
    enabled  INTEGER NOT NULL DEFAULT 1
        CHECK (enabled IN (0, 1)),
    UNIQUE (bank, hash)
);

-- Every enabled entry of every bank, in id order, is what a match index is
-- built from.
CREATE INDEX bank_entries_enabled ON bank_entries (enabled, id);

-- One row: a counter that every write to the banks raises in the same
-- transaction, so that a server can tell cheaply whether its index is stale.
CREATE TABLE banks_changes (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    counter INTEGER NOT NULL
);
INSERT INTO banks_changes (id, counter) VALUES (1, 0);
