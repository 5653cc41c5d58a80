-- Scan jobs: items too long to scan inside a request (large audio and
-- video), queued by the server and scanned by a worker (in the server's
-- process or `vigil worker`) that holds a lease on the job while it works.
--
-- A worker claims the oldest job that is queued, or running under a lease
-- that has run out (its worker crashed or stalled); each claim counts an
-- attempt, and a job whose lease runs out after its last attempt fails.
-- The item, media inline, is kept only while the job can still run: it is
-- cleared when the job is done or failed, so raw content does not stay.
CREATE TABLE scan_jobs (
    id            TEXT    NOT NULL PRIMARY KEY,  -- JobId (UUIDv7), hyphenated lower-case
    item          TEXT,                          -- the Item as JSON, media inline; NULL once finished
    status        TEXT    NOT NULL
        CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner   TEXT,                          -- the worker holding a running job
    lease_until   BIGINT,                        -- unix ms; another worker may take it after
    -- The decision of a done job. Not a foreign key: retention may delete
    -- the decision while the job's record stays.
    decision_id   TEXT,
    error_kind    TEXT,                          -- a failed job: the scan error's stable kind
    error_message TEXT,                          -- and its message
    created_at    TEXT    NOT NULL,              -- RFC 3339, UTC
    updated_at    TEXT    NOT NULL,              -- RFC 3339, UTC
    CHECK ((status IN ('queued', 'running')) = (item IS NOT NULL)),
    CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_until IS NOT NULL)),
    CHECK ((status = 'done') = (decision_id IS NOT NULL)),
    CHECK ((status = 'failed') = (error_kind IS NOT NULL AND error_message IS NOT NULL))
);

-- The next job to claim: queued or running jobs, oldest (lowest id) first.
CREATE INDEX scan_jobs_by_status ON scan_jobs (status, id);
