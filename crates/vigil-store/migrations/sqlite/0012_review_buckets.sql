-- Active-learning buckets: an item queued by active learning names its
-- bucket (category/language); the queue takes a new one only while the
-- bucket has fewer open items than the policy's cap, so the queue is not one
-- cluster. NULL for every other reason.
ALTER TABLE review_items ADD COLUMN bucket TEXT;

CREATE INDEX review_items_open_bucket ON review_items (bucket, status)
    WHERE bucket IS NOT NULL;
