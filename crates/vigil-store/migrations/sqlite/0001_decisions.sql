-- Decisions: one row per Decision, the full Decision as JSON in `body`.
-- The other columns are copies of body fields, kept for filtering and
-- aggregation without parsing JSON. Raw content is never stored here.
CREATE TABLE decisions (
    id                 TEXT    NOT NULL PRIMARY KEY,  -- DecisionId (UUIDv7), hyphenated lower-case
    item_id            TEXT    NOT NULL,
    action             TEXT    NOT NULL
        CHECK (action IN ('allow', 'review', 'restrict', 'block')),
    decided_at         TEXT    NOT NULL,              -- RFC 3339, UTC
    decided_at_unix_ms BIGINT  NOT NULL,              -- the same instant, for range queries
    policy_name        TEXT    NOT NULL,
    policy_version     TEXT    NOT NULL,
    policy_digest      TEXT,
    models             TEXT    NOT NULL,              -- JSON array of VersionRef
    input_digest       TEXT    NOT NULL,
    latency_us         BIGINT  NOT NULL CHECK (latency_us >= 0),
    body               TEXT    NOT NULL               -- the full Decision, JSON
);

-- Time windows, in time order (id breaks ties, so the order is total).
CREATE INDEX decisions_by_time ON decisions (decided_at_unix_ms, id);
-- Time windows of one action, and counts per action.
CREATE INDEX decisions_by_action_time ON decisions (action, decided_at_unix_ms, id);

-- One row per category a decision scored, for per-category metrics.
CREATE TABLE decision_scores (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    category    TEXT NOT NULL,
    score       REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    action      TEXT NOT NULL
        CHECK (action IN ('allow', 'review', 'restrict', 'block')),
    PRIMARY KEY (decision_id, category)
);

CREATE INDEX decision_scores_by_category ON decision_scores (category);
