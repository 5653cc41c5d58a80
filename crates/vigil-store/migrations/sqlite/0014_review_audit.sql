-- The audit sample (docs/review.md): a random share of restricted and
-- blocked decisions goes to reviewers with reason 'audit', so that the
-- online report can estimate the precision of automated restrictions
-- without the bias of appeals and policy reviews (docs/online-report.md).
--
-- review_items gains the reason 'audit'. SQLite cannot alter a CHECK, so
-- the table is rebuilt as 0013_notices.sql rebuilt it: the rows that point
-- at review_items (claims, reviews and their labels, appeals, and now
-- notices) are set aside and deleted first, so dropping the old table
-- breaks no reference, and put back once the new table has its name, every
-- reference checked as it is inserted.
CREATE TEMP TABLE saved_claims AS SELECT * FROM review_claims;
CREATE TEMP TABLE saved_reviews AS SELECT * FROM reviews;
CREATE TEMP TABLE saved_labels AS SELECT * FROM review_labels;
CREATE TEMP TABLE saved_appeals AS SELECT * FROM appeals;
CREATE TEMP TABLE saved_notices AS SELECT * FROM notices;
DELETE FROM notices;
DELETE FROM review_labels;
DELETE FROM review_claims;
DELETE FROM appeals;
DELETE FROM reviews;

CREATE TABLE review_items_0014 (
    id               TEXT    NOT NULL PRIMARY KEY,
    decision_id      TEXT,
    item_id          TEXT    NOT NULL,
    reason           TEXT    NOT NULL
        CHECK (reason IN ('appeal', 'notice', 'policy', 'active_learning', 'prevalence',
                          'audit', 'gold')),
    priority         REAL    NOT NULL,
    required_reviews INTEGER NOT NULL CHECK (required_reviews >= 1),
    reviews_done     INTEGER NOT NULL DEFAULT 0
        CHECK (reviews_done >= 0 AND reviews_done <= required_reviews),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'done')),
    item             TEXT,
    gold_labels      TEXT,
    created_at       TEXT    NOT NULL,
    done_at          TEXT,
    bucket           TEXT,
    CHECK ((status = 'done') = (done_at IS NOT NULL)),
    CHECK ((status = 'done') = (reviews_done = required_reviews)),
    CHECK (status = 'done' OR item IS NOT NULL),
    CHECK ((reason = 'gold') = (gold_labels IS NOT NULL)),
    -- Gold items have no decision; notices may or may not; the rest do.
    CHECK (reason = 'notice' OR (reason = 'gold') = (decision_id IS NULL))
);

INSERT INTO review_items_0014 (id, decision_id, item_id, reason, priority, required_reviews,
        reviews_done, status, item, gold_labels, created_at, done_at, bucket)
    SELECT id, decision_id, item_id, reason, priority, required_reviews,
        reviews_done, status, item, gold_labels, created_at, done_at, bucket
    FROM review_items;

DROP TABLE review_items;
ALTER TABLE review_items_0014 RENAME TO review_items;

CREATE INDEX review_items_next ON review_items (status, priority DESC, id);
CREATE INDEX review_items_done ON review_items (status, done_at);
CREATE INDEX review_items_open_bucket ON review_items (bucket, status)
    WHERE bucket IS NOT NULL;

INSERT INTO review_claims SELECT * FROM saved_claims;
INSERT INTO reviews SELECT * FROM saved_reviews;
INSERT INTO review_labels SELECT * FROM saved_labels;
INSERT INTO appeals SELECT * FROM saved_appeals;
INSERT INTO notices SELECT * FROM saved_notices;
DROP TABLE saved_claims;
DROP TABLE saved_reviews;
DROP TABLE saved_labels;
DROP TABLE saved_appeals;
DROP TABLE saved_notices;
