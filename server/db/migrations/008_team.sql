-- A team works one queue (issue 12): versions for conditional decisions, claims.

-- Bumped on each change of status, text or flagged state, by the trigger
-- below, so no writer can forget it: a decision that names the version it
-- saw is refused when the comment has changed since.
ALTER TABLE comments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER comments_version AFTER UPDATE OF status, body, flagged, deleted_at ON comments
WHEN OLD.status IS NOT NEW.status OR OLD.body IS NOT NEW.body OR OLD.flagged IS NOT NEW.flagged OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
  UPDATE comments SET version = OLD.version + 1 WHERE id = NEW.id;
END;

-- Who is looking at a comment now. A claim lapses at expires_at unless its
-- moderator renews it; one row per comment.
CREATE TABLE claims (
  comment_id   INTEGER PRIMARY KEY REFERENCES comments(id),
  moderator_id INTEGER NOT NULL REFERENCES moderators(id),
  claimed_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX claims_moderator ON claims(moderator_id);
