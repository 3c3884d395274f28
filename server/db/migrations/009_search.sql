-- Search and what the model missed (issue 12, section 4): a full-text index of
-- comments and thread titles, and the missed-abuse samples.

-- Full-text index of each comment's text and author. External content: the
-- index holds only the tokens, the text stays in `comments` (no second copy of
-- a million bodies), and triggers below keep it in step.
--
-- Tokenizer: unicode61 with remove_diacritics 2, not trigram. Moderators look
-- for words ("idiot", a name), and unicode61 matches whole words whatever
-- their case or accents ("cafe" finds "Café", "jose" finds "José"). A trigram
-- index matches any substring, but it is about three times the size, finds
-- "ass" inside "class" (noise for exactly the words moderators look for) and
-- cannot use the index for terms under three characters. What unicode61 gives
-- up: substrings, and scripts written without spaces (Chinese, Japanese),
-- where a run of characters is one token.
CREATE VIRTUAL TABLE comments_fts USING fts5(
  body, author,
  content = 'comments', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

-- An external-content index must be told the old values to remove them: the
-- delete command takes exactly what was indexed.
CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments
BEGIN
  INSERT INTO comments_fts (rowid, body, author) VALUES (NEW.id, NEW.body, NEW.author);
END;

CREATE TRIGGER comments_fts_update AFTER UPDATE OF body, author ON comments
WHEN OLD.body IS NOT NEW.body OR OLD.author IS NOT NEW.author
BEGIN
  INSERT INTO comments_fts (comments_fts, rowid, body, author) VALUES ('delete', OLD.id, OLD.body, OLD.author);
  INSERT INTO comments_fts (rowid, body, author) VALUES (NEW.id, NEW.body, NEW.author);
END;

CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments
BEGIN
  INSERT INTO comments_fts (comments_fts, rowid, body, author) VALUES ('delete', OLD.id, OLD.body, OLD.author);
END;

-- Thread titles, for `thread=` in a search: threads are few, so a search by
-- title finds the threads first and then their comments.
CREATE VIRTUAL TABLE threads_fts USING fts5(
  title,
  content = 'threads', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER threads_fts_insert AFTER INSERT ON threads
BEGIN
  INSERT INTO threads_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER threads_fts_update AFTER UPDATE OF title ON threads
WHEN OLD.title IS NOT NEW.title
BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
  INSERT INTO threads_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER threads_fts_delete AFTER DELETE ON threads
BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
END;

-- The comments already stored.
INSERT INTO comments_fts (comments_fts) VALUES ('rebuild');
INSERT INTO threads_fts (threads_fts) VALUES ('rebuild');

-- The all-comments list with a status filter, newest (highest id) first:
-- within one status the index keeps rowid order.
CREATE INDEX comments_status_id ON comments(status);

-- Missed-abuse samples: a seeded random draw of comments the model did not
-- flag, for moderators to decide, so Triage can estimate what it misses.
CREATE TABLE samples (
  id          INTEGER PRIMARY KEY,
  created_by  INTEGER NOT NULL REFERENCES moderators(id),
  created_at  INTEGER NOT NULL,
  -- Comments drawn (fewer than asked when fewer were eligible).
  size        INTEGER NOT NULL,
  -- What was asked for, the seed of the draw, and how many comments were
  -- eligible then (unflagged, pending or approved, not deleted on the site):
  -- the population the estimate extends to.
  requested   INTEGER NOT NULL,
  seed        INTEGER NOT NULL,
  population  INTEGER NOT NULL
);

-- The comments of a sample, in draw order, and what the moderator who
-- reviewed each one in the sample decided (null until then).
CREATE TABLE sample_items (
  sample_id   INTEGER NOT NULL REFERENCES samples(id),
  comment_id  INTEGER NOT NULL REFERENCES comments(id),
  position    INTEGER NOT NULL,
  verdict     TEXT CHECK (verdict IN ('approve', 'hide', 'escalate')),
  decided_by  INTEGER REFERENCES moderators(id),
  decided_at  INTEGER,
  PRIMARY KEY (sample_id, comment_id)
) WITHOUT ROWID;
CREATE INDEX sample_items_position ON sample_items(sample_id, position);
