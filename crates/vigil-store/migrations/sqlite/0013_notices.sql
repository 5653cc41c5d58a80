-- Notices (EU DSA Art. 16, docs/notices.md): someone reports an item; it
-- goes to a reviewer with reason 'notice' (or is scanned again), and the
-- outcome and the time to act are recorded.
--
-- review_items gains the reason 'notice', and a notice item may have no
-- decision (an item never scanned). SQLite cannot alter a CHECK, so the
-- table is rebuilt: new table, copy, drop, rename (sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"). That procedure turns
-- foreign keys off, which cannot be done inside the transaction a migration
-- runs in; instead the rows that point at review_items (claims, reviews
-- and their labels, appeals) are set aside and deleted first, so dropping
-- the old table breaks no reference, and put back once the new table has
-- its name, every reference checked as it is inserted.
CREATE TEMP TABLE saved_claims AS SELECT * FROM review_claims;
CREATE TEMP TABLE saved_reviews AS SELECT * FROM reviews;
CREATE TEMP TABLE saved_labels AS SELECT * FROM review_labels;
CREATE TEMP TABLE saved_appeals AS SELECT * FROM appeals;
DELETE FROM review_labels;
DELETE FROM review_claims;
DELETE FROM appeals;
DELETE FROM reviews;

CREATE TABLE review_items_0013 (
    id               TEXT    NOT NULL PRIMARY KEY,
    decision_id      TEXT,
    item_id          TEXT    NOT NULL,
    reason           TEXT    NOT NULL
        CHECK (reason IN ('appeal', 'notice', 'policy', 'active_learning', 'prevalence', 'gold')),
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

INSERT INTO review_items_0013 (id, decision_id, item_id, reason, priority, required_reviews,
        reviews_done, status, item, gold_labels, created_at, done_at, bucket)
    SELECT id, decision_id, item_id, reason, priority, required_reviews,
        reviews_done, status, item, gold_labels, created_at, done_at, bucket
    FROM review_items;

DROP TABLE review_items;
ALTER TABLE review_items_0013 RENAME TO review_items;

CREATE INDEX review_items_next ON review_items (status, priority DESC, id);
CREATE INDEX review_items_done ON review_items (status, done_at);
CREATE INDEX review_items_open_bucket ON review_items (bucket, status)
    WHERE bucket IS NOT NULL;

INSERT INTO review_claims SELECT * FROM saved_claims;
INSERT INTO reviews SELECT * FROM saved_reviews;
INSERT INTO review_labels SELECT * FROM saved_labels;
INSERT INTO appeals SELECT * FROM saved_appeals;
DROP TABLE saved_claims;
DROP TABLE saved_reviews;
DROP TABLE saved_labels;
DROP TABLE saved_appeals;

-- One notice about one item.
CREATE TABLE notices (
    id                 TEXT NOT NULL PRIMARY KEY,  -- UUIDv7
    item_id            TEXT NOT NULL,              -- the caller's item id
    -- The decision the notice is about; NULL for an item never scanned.
    -- Not a foreign key: retention may delete the decision.
    decision_id        TEXT,
    reporter_type      TEXT NOT NULL
        CHECK (reporter_type IN ('user', 'trusted_flagger', 'authority_order')),
    reporter_id        TEXT,                       -- the platform's id of the reporter
    reporter_name      TEXT,                       -- a flagger's or authority's name
    category           TEXT NOT NULL,              -- the category the reporter claims
    legal_ground       TEXT,                       -- the law the reporter says is broken
    explanation        TEXT NOT NULL,              -- why, in the reporter's words
    received_at        TEXT NOT NULL,              -- RFC 3339, UTC, milliseconds
    status             TEXT NOT NULL CHECK (status IN ('in_review', 'decided')),
    review_item_id     TEXT UNIQUE REFERENCES review_items (id),
    -- The decision of a rescan, when the policy asked for one.
    rescan_decision_id TEXT,
    outcome            TEXT CHECK (outcome IN ('action_taken', 'no_action')),
    action             TEXT,                       -- the action taken on the item
    acted_at           TEXT,                       -- RFC 3339, UTC, milliseconds
    CHECK ((status = 'decided') = (outcome IS NOT NULL)),
    CHECK ((outcome IS NULL) = (acted_at IS NULL)),
    CHECK ((outcome IS NULL) = (action IS NULL)),
    CHECK (status = 'decided' OR review_item_id IS NOT NULL)
);

CREATE INDEX notices_rescan_decision ON notices (rescan_decision_id)
    WHERE rescan_decision_id IS NOT NULL;
