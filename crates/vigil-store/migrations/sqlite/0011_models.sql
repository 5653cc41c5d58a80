-- The model registry: every text model Vigil may serve, the folder the
-- registry owns its files in, the digest of that folder (checked again
-- before the model is loaded: a changed folder is refused), the data it was
-- trained on, and where it stands. `vigil promote` moves a candidate to
-- active (retiring the one it replaces, in the same transaction) or to
-- refused, and keeps the gate's report either way.
CREATE TABLE models (
    name                TEXT    NOT NULL,            -- the model's name, as decisions record it
    version             TEXT    NOT NULL,            -- its version, as decisions record it
    kind                TEXT    NOT NULL
        CHECK (kind IN ('text-linear')),             -- a transformer head will be a second kind
    path                TEXT    NOT NULL,            -- the artifact folder the registry owns
    digest              TEXT    NOT NULL,            -- sha256: over the folder's files, names and bytes
    training_data       TEXT    NOT NULL,            -- JSON: [{name, version, items_sha256}] from the manifest
    status              TEXT    NOT NULL
        CHECK (status IN ('candidate', 'active', 'retired', 'refused')),
    report              TEXT,                        -- the gate's report as JSON, once judged
    reason              TEXT,                        -- why a refused model was refused
    created_at          TEXT    NOT NULL,            -- RFC 3339, UTC: registered
    decided_at          TEXT,                        -- RFC 3339, UTC: promoted, refused or retired
    decided_at_unix_ms  BIGINT,                      -- the same, for ordering
    PRIMARY KEY (name, version),
    CHECK ((status = 'refused') = (reason IS NOT NULL)),
    CHECK ((status = 'candidate') = (decided_at IS NULL))
);

-- At most one active model per name: a second promotion must retire the
-- first in the same transaction, or it fails here.
CREATE UNIQUE INDEX models_one_active ON models (name) WHERE status = 'active';

-- Shadow mode: a candidate scored beside the active model on live traffic.
-- One row per decision and category: the score the decision took and the
-- candidate's score of the same text. Not a foreign key on decisions:
-- retention may delete the decision while the comparison stays.
CREATE TABLE shadow_scores (
    decision_id      TEXT NOT NULL,   -- the decision the active model's score belongs to
    model_name       TEXT NOT NULL,   -- the candidate
    model_version    TEXT NOT NULL,
    category         TEXT NOT NULL,
    active_score     REAL NOT NULL,   -- the decision's score for the category
    candidate_score  REAL NOT NULL,   -- the candidate's text score for it
    PRIMARY KEY (model_name, model_version, decision_id, category)
);
