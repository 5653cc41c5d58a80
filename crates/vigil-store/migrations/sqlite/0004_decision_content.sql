-- The scanned item beside its decision, only when the policy asks for it
-- (`[log] store_content = true`): for review and audit. By default this
-- table stays empty and the log holds digests, scores and reasons only.
CREATE TABLE decision_content (
    decision_id TEXT NOT NULL PRIMARY KEY REFERENCES decisions (id),
    item        TEXT NOT NULL              -- the Item as JSON (text, media base64, meta)
);
