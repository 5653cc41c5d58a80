-- Hash banks for video and audio: a bank now says which media its entries
-- hash. Banks made before this migration hold PDQ hashes of images.
--
-- A video bank holds vPDQ hashes (one PDQ hash per frame) and an audio bank
-- Chromaprint fingerprints. Their entries are too long and too variable for
-- `bank_entries.hash`, and a video or audio entry is matched as a whole, not
-- looked up by its hash, so they have a table of their own.
ALTER TABLE banks ADD COLUMN media TEXT NOT NULL DEFAULT 'image'
    CHECK (media IN ('image', 'video', 'audio'));

CREATE TABLE media_bank_entries (
    id             INTEGER PRIMARY KEY,         -- stable; named in match evidence with its bank
    bank           TEXT    NOT NULL REFERENCES banks (name),
    -- Opaque to the store. Video: vPDQ text, one `frame,quality,hex64,time`
    -- line a frame. Audio: Chromaprint's raw fingerprint, comma-separated
    -- unsigned 32-bit integers.
    content        TEXT    NOT NULL CHECK (length(content) > 0),
    content_digest TEXT    NOT NULL             -- SHA-256 of `content`, 64 lower-case hex digits
        CHECK (length(content_digest) = 64 AND content_digest NOT GLOB '*[^0-9a-f]*'),
    duration_s     REAL    NOT NULL CHECK (duration_s >= 0),  -- of the video or audio hashed
    source         TEXT    NOT NULL,            -- where it came from; may be empty
    label          TEXT    NOT NULL,            -- what it is; may be empty
    added_at       TEXT    NOT NULL,            -- RFC 3339, UTC, whole seconds
    enabled        INTEGER NOT NULL DEFAULT 1
        CHECK (enabled IN (0, 1)),
    -- The banks version of the last write that touched the entry, as in
    -- `bank_entries` (migration 0007). Every write to this table raises
    -- `banks_changes.counter` in the same transaction.
    change_seq     INTEGER NOT NULL,
    UNIQUE (bank, content_digest)               -- a bank holds a file's hash once
);

-- Every enabled entry of every media bank, in id order, is what a server
-- loads. Removals are plain deletes, not recorded in `bank_entry_removals`
-- (whose ids are image entries' ids): a server reloads the media banks
-- whole whenever the version moves; they are small.
CREATE INDEX media_bank_entries_enabled ON media_bank_entries (enabled, id);
