-- Authors (issue 12): who wrote what across threads, and what moderators did about them.

-- Who wrote a comment, within its thread's source: the site's author id when
-- it sends one, else `name:` and the name as written. NULL for anonymous comments.
ALTER TABLE comments ADD COLUMN author_key TEXT;
UPDATE comments SET author_key = CASE WHEN author_id IS NOT NULL THEN author_id WHEN author IS NOT NULL THEN 'name:' || author END;
CREATE INDEX comments_author ON comments(author_key, id) WHERE author_key IS NOT NULL;

-- The author's standing, copied onto each of their comments so the flag
-- rules (and their SQL twin over a million comments) read it without a join:
-- kept by server/authors/ whenever a standing starts or ends.
ALTER TABLE comments ADD COLUMN author_watched INTEGER NOT NULL DEFAULT 0 CHECK (author_watched IN (0, 1));
ALTER TABLE comments ADD COLUMN author_trusted INTEGER NOT NULL DEFAULT 0 CHECK (author_trusted IN (0, 1));

-- Every action on an author, only ever added to: an undo is a new row.
CREATE TABLE author_actions (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL,
  author_key   TEXT NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('watch', 'trust', 'ban', 'unwatch', 'untrust', 'unban', 'note', 'undo')),
  reason       TEXT,
  -- When the standing lapses by itself; null: until undone.
  expires_at   INTEGER,
  -- Null when a rule acted (the repeat-offender rule).
  moderator_id INTEGER REFERENCES moderators(id),
  rule         TEXT,
  undoes_id    INTEGER REFERENCES author_actions(id),
  created_at   INTEGER NOT NULL
);
CREATE INDEX author_actions_author ON author_actions(source, author_key, id);

CREATE TRIGGER author_actions_no_update BEFORE UPDATE ON author_actions
BEGIN
  SELECT RAISE(ABORT, 'author actions are append-only');
END;

-- Where each author stands now: one row per author with a standing, derived
-- from author_actions by server/authors/ in the same transaction.
CREATE TABLE author_standings (
  source        TEXT NOT NULL,
  author_key    TEXT NOT NULL,
  watched_until INTEGER,
  trusted_until INTEGER,
  banned_until  INTEGER,
  PRIMARY KEY (source, author_key)
) WITHOUT ROWID;

-- Decisions a rule made (a banned author's comment hidden on arrival) name the rule; moderator_id is then the system account.
ALTER TABLE decisions ADD COLUMN rule TEXT;

-- Comments get their author's key and standing as they arrive (or their author changes), whatever the path.
-- The import and the site API write the key with the row; these fill it in for any other writer, and copy
-- a standing only when the author has one, so a plain insert costs no second write.
CREATE TRIGGER comments_author_key AFTER INSERT ON comments
WHEN NEW.author_key IS NULL AND (NEW.author_id IS NOT NULL OR NEW.author IS NOT NULL)
BEGIN
  UPDATE comments SET author_key = CASE WHEN NEW.author_id IS NOT NULL THEN NEW.author_id ELSE 'name:' || NEW.author END
  WHERE id = NEW.id;
END;

CREATE TRIGGER comments_author_standing AFTER INSERT ON comments
WHEN EXISTS (SELECT 1 FROM author_standings s JOIN threads t ON t.id = NEW.thread_id
             WHERE s.source = t.source AND s.author_key = CASE WHEN NEW.author_id IS NOT NULL THEN NEW.author_id ELSE 'name:' || NEW.author END)
BEGIN
  UPDATE comments SET
    author_watched = (SELECT s.watched_until IS NOT NULL FROM author_standings s JOIN threads t ON t.id = NEW.thread_id
                      WHERE s.source = t.source AND s.author_key = CASE WHEN NEW.author_id IS NOT NULL THEN NEW.author_id ELSE 'name:' || NEW.author END),
    author_trusted = (SELECT s.trusted_until IS NOT NULL FROM author_standings s JOIN threads t ON t.id = NEW.thread_id
                      WHERE s.source = t.source AND s.author_key = CASE WHEN NEW.author_id IS NOT NULL THEN NEW.author_id ELSE 'name:' || NEW.author END)
  WHERE id = NEW.id;
END;

CREATE TRIGGER comments_author_update AFTER UPDATE OF author, author_id ON comments
WHEN OLD.author IS NOT NEW.author OR OLD.author_id IS NOT NEW.author_id
BEGIN
  UPDATE comments SET
    author_key = k.author_key,
    author_watched = coalesce((SELECT s.watched_until IS NOT NULL FROM author_standings s JOIN threads t ON t.id = NEW.thread_id
                               WHERE s.source = t.source AND s.author_key = k.author_key), 0),
    author_trusted = coalesce((SELECT s.trusted_until IS NOT NULL FROM author_standings s JOIN threads t ON t.id = NEW.thread_id
                               WHERE s.source = t.source AND s.author_key = k.author_key), 0)
  FROM (SELECT CASE WHEN NEW.author_id IS NOT NULL THEN NEW.author_id WHEN NEW.author IS NOT NULL THEN 'name:' || NEW.author END AS author_key) k
  WHERE comments.id = NEW.id;
END;
