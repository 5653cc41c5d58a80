-- Human review: the queue of items waiting for reviewers, who holds which,
-- what each reviewer answered, and the appeals that put decisions back in
-- front of a person (docs/review.md).
--
-- Unlike the decision log, the queue keeps the content: reviewers must see
-- what they judge. An item keeps it while open and, once done, until the
-- retention purge clears it.
CREATE TABLE review_items (
    id               TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7, hyphenated lower-case
    -- The decision that queued it; NULL for gold items. Not a foreign key:
    -- retention may delete the decision while the review stays.
    decision_id      TEXT,
    item_id          TEXT    NOT NULL,              -- the caller's item id
    reason           TEXT    NOT NULL
        CHECK (reason IN ('appeal', 'policy', 'active_learning', 'prevalence', 'gold')),
    priority         REAL    NOT NULL,              -- served highest first
    required_reviews INTEGER NOT NULL CHECK (required_reviews >= 1),
    reviews_done     INTEGER NOT NULL DEFAULT 0
        CHECK (reviews_done >= 0 AND reviews_done <= required_reviews),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'done')),
    item             TEXT,                          -- the Item as JSON, media inline
    gold_labels      TEXT,                          -- Labels as JSON, gold items only
    created_at       TEXT    NOT NULL,              -- RFC 3339, UTC
    done_at          TEXT,                          -- RFC 3339, UTC
    CHECK ((status = 'done') = (done_at IS NOT NULL)),
    CHECK ((status = 'done') = (reviews_done = required_reviews)),
    CHECK (status = 'done' OR item IS NOT NULL),
    CHECK ((reason = 'gold') = (gold_labels IS NOT NULL)),
    CHECK ((reason = 'gold') = (decision_id IS NULL))
);

-- The next item to claim: open items, highest priority, then oldest.
CREATE INDEX review_items_next ON review_items (status, priority DESC, id);
-- Training-data export and retention: done items by when they were done.
CREATE INDEX review_items_done ON review_items (status, done_at);

-- Who holds which item. The item is the key, so an item has one claim row
-- at most: a claim is taken by inserting it, or by taking over a row whose
-- lease ran out, in one statement. A verdict or a release deletes it.
CREATE TABLE review_claims (
    item_id     TEXT    NOT NULL PRIMARY KEY REFERENCES review_items (id),
    reviewer    TEXT    NOT NULL,              -- the reviewer's API key id
    claimed_at  BIGINT  NOT NULL,              -- unix ms; when this reviewer took it
    lease_until BIGINT  NOT NULL,              -- unix ms; another may take it after
    CHECK (lease_until >= claimed_at)
);

-- One reviewer's verdict on one item; a reviewer reviews an item once.
CREATE TABLE reviews (
    id            TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7
    item_id       TEXT    NOT NULL REFERENCES review_items (id),
    reviewer      TEXT    NOT NULL,              -- the reviewer's API key id
    verdict       TEXT    NOT NULL,              -- the Verdict as JSON
    action        TEXT    NOT NULL,              -- the verdict's action, for queries
    outcome       TEXT CHECK (outcome IN ('upheld', 'overturned')),  -- appeals only
    seconds_spent INTEGER NOT NULL CHECK (seconds_spent >= 0),  -- from claim to verdict
    created_at    TEXT    NOT NULL,              -- RFC 3339, UTC
    UNIQUE (item_id, reviewer)
);

-- The verdict's labels, one row per judged category, for agreement
-- queries (reviewer against reviewer, reviewer against gold).
CREATE TABLE review_labels (
    review_id TEXT    NOT NULL REFERENCES reviews (id),
    category  TEXT    NOT NULL,
    positive  INTEGER NOT NULL CHECK (positive IN (0, 1)),
    PRIMARY KEY (review_id, category)
);

-- A user's appeal of a decision; reviewed as the review item it names.
CREATE TABLE appeals (
    id             TEXT NOT NULL PRIMARY KEY,   -- UUIDv7
    -- One appeal per decision. Not a foreign key, as review_items.
    decision_id    TEXT NOT NULL UNIQUE,
    statement      TEXT NOT NULL,               -- the user's words
    review_item_id TEXT NOT NULL UNIQUE REFERENCES review_items (id),
    submitted_at   TEXT NOT NULL,               -- RFC 3339, UTC
    outcome        TEXT CHECK (outcome IN ('upheld', 'overturned')),
    decided_at     TEXT,                        -- RFC 3339, UTC
    CHECK ((outcome IS NULL) = (decided_at IS NULL))
);
