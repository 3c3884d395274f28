-- A threshold change re-flags stored comments in chunks of comment ids, each
-- its own short transaction, so the server keeps answering while a million
-- comments are re-evaluated. A row is the unfinished part of one change: a
-- restart picks it up where it stopped. The row goes when the job is done.
CREATE TABLE reflag_jobs (
  version_id   INTEGER PRIMARY KEY REFERENCES threshold_versions(id),
  -- JSON [{ "label": …, "value": … }]: the labels whose threshold changed.
  changes      TEXT NOT NULL,
  -- The model whose scores the job re-evaluates.
  model        TEXT NOT NULL,
  -- Comments with ids below this are done; the job ends past `last_comment`.
  next_comment INTEGER NOT NULL,
  last_comment INTEGER NOT NULL,
  -- JSON running totals of the re-evaluation (flags raised, removed, …).
  totals       TEXT NOT NULL,
  started_at   INTEGER NOT NULL
) WITHOUT ROWID;
