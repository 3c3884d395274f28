-- A comment's earlier versions: when an import brings a comment with new
-- text, author, time or parent, the comment is updated and what it said
-- before is kept here, oldest first. Only ever added to, like decisions.
CREATE TABLE comment_edits (
  id         INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL REFERENCES comments(id),
  -- The import that brought the change (and can take it back if it fails).
  import_id  INTEGER REFERENCES imports(id),
  -- The comment as it was before this edit (an id derived from the text changes with it).
  external_id TEXT NOT NULL,
  author     TEXT,
  body       TEXT NOT NULL,
  posted_at  INTEGER,
  parent_id  INTEGER REFERENCES comments(id),
  depth      INTEGER NOT NULL,
  -- JSON: the scores the earlier text had (model and labels), as they were; null when unscored.
  scores     TEXT,
  edited_at  INTEGER NOT NULL
);
CREATE INDEX comment_edits_comment ON comment_edits(comment_id, id);
CREATE INDEX comment_edits_import ON comment_edits(import_id) WHERE import_id IS NOT NULL;

-- What an import changed in threads and comments it found already stored.
ALTER TABLE imports ADD COLUMN comments_edited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN threads_updated INTEGER NOT NULL DEFAULT 0;
