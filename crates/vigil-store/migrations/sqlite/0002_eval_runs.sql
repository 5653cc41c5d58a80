-- Evaluation runs: what was measured (model, policy, data digests), the full
-- report, and per-category headline figures for trends across model versions.
CREATE TABLE eval_runs (
    id                 TEXT    PRIMARY KEY,
    created_at         TEXT    NOT NULL,
    created_at_unix_ms INTEGER NOT NULL,
    model_name         TEXT    NOT NULL,
    model_version      TEXT    NOT NULL,
    policy_name        TEXT    NOT NULL,
    policy_version     TEXT    NOT NULL,
    split              TEXT    NOT NULL,
    datasets           TEXT    NOT NULL,
    report             TEXT    NOT NULL
);

CREATE INDEX eval_runs_by_time ON eval_runs (created_at_unix_ms, id);

CREATE TABLE eval_metrics (
    run_id     TEXT    NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    category   TEXT    NOT NULL,
    n_known    INTEGER NOT NULL,
    positives  INTEGER NOT NULL,
    auprc      REAL,
    auprc_low  REAL,
    auprc_high REAL,
    roc_auc    REAL,
    PRIMARY KEY (run_id, category)
);
