-- What changed in the hash banks since a version, so that a server applies
-- only that to its match index instead of re-reading every entry.
--
-- Every write that touches an entry raises `banks_changes.counter` first and
-- stamps the entry with the new value; a removal leaves a row in
-- `bank_entry_removals` stamped the same way. "Changed since version V" is
-- then `change_seq > V` in both tables.

ALTER TABLE bank_entries ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;

-- Entries present before change tracking count as changed at the current
-- version: asking for the changes since an earlier version lists them
-- again, which is harmless, rather than leaving them out. Removals made
-- before this migration were not recorded.
UPDATE bank_entries SET change_seq = (SELECT counter FROM banks_changes WHERE id = 1);

CREATE INDEX bank_entries_change_seq ON bank_entries (change_seq);

-- One row per removal: the entry is gone from `bank_entries` (its hash is
-- no longer kept), only its id, bank and the version that removed it stay.
CREATE TABLE bank_entry_removals (
    entry_id   INTEGER NOT NULL,               -- the removed entry's id
    bank       TEXT    NOT NULL REFERENCES banks (name),
    change_seq INTEGER NOT NULL                -- the banks version of the removal
);

CREATE INDEX bank_entry_removals_change_seq ON bank_entry_removals (change_seq);
