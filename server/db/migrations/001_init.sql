-- Initial schema. Times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE moderators (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('moderator', 'lead', 'admin')),
  created_at    INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  moderator_id INTEGER NOT NULL REFERENCES moderators(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_moderator ON sessions(moderator_id);

CREATE TABLE threads (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  title       TEXT NOT NULL,
  url         TEXT,
  body        TEXT NOT NULL DEFAULT '',
  imported_at INTEGER NOT NULL,
  UNIQUE (source, external_id)
);

-- status is the moderation state; flagged says whether any label's score
-- reached its threshold. The review queue is flagged AND status = 'pending'.
CREATE TABLE comments (
  id          INTEGER PRIMARY KEY,
  thread_id   INTEGER NOT NULL REFERENCES threads(id),
  parent_id   INTEGER REFERENCES comments(id),
  external_id TEXT NOT NULL,
  position    INTEGER NOT NULL,
  -- 0 for a top-level comment; fixed at import since parents never change.
  depth       INTEGER NOT NULL DEFAULT 0,
  author      TEXT,
  body        TEXT NOT NULL,
  posted_at   INTEGER,
  imported_at INTEGER NOT NULL,
  status      TEXT NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'approved', 'hidden', 'escalated')),
  flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  -- Highest label score of the current model: the queue's default sort key.
  max_score   REAL,
  UNIQUE (thread_id, external_id)
);
CREATE INDEX comments_thread ON comments(thread_id, position);
CREATE INDEX comments_parent ON comments(parent_id);
-- Siblings of a comment; top-level comments (parent_id NULL) are siblings within their thread.
CREATE INDEX comments_siblings ON comments(thread_id, parent_id, position);
-- Queue pages are read newest key first with row-value keyset cursors: (max_score, id) < (?, ?).
-- Partial: they hold only the review queue (flagged and undecided), so a
-- threshold change that flips a million comments' flags touches them only for
-- the comments that enter or leave the queue.
CREATE INDEX comments_queue_score ON comments(max_score, id) WHERE flagged = 1 AND status = 'pending';
CREATE INDEX comments_queue_time ON comments(imported_at, id) WHERE flagged = 1 AND status = 'pending';
CREATE INDEX comments_queue_thread ON comments(thread_id, position) WHERE flagged = 1 AND status = 'pending';
-- The decided queues (approved, hidden, escalated) list flagged and unflagged comments alike.
CREATE INDEX comments_status_score ON comments(status, max_score, id);
CREATE INDEX comments_status_time ON comments(status, imported_at, id);
CREATE INDEX comments_status_thread ON comments(status, thread_id, position);

-- Comment counts by status and flag, kept by triggers: counting a million
-- rows for every stats request would block the server for a tenth of a second.
CREATE TABLE comment_counts (
  status  TEXT NOT NULL,
  flagged INTEGER NOT NULL,
  n       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (status, flagged)
) WITHOUT ROWID;
INSERT INTO comment_counts (status, flagged) VALUES
  ('pending', 0), ('pending', 1), ('approved', 0), ('approved', 1),
  ('hidden', 0), ('hidden', 1), ('escalated', 0), ('escalated', 1);

CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
BEGIN
  UPDATE comment_counts SET n = n + 1 WHERE status = NEW.status AND flagged = NEW.flagged;
END;

CREATE TRIGGER comments_count_update AFTER UPDATE OF status, flagged ON comments
WHEN OLD.status IS NOT NEW.status OR OLD.flagged IS NOT NEW.flagged
BEGIN
  UPDATE comment_counts SET n = n - 1 WHERE status = OLD.status AND flagged = OLD.flagged;
  UPDATE comment_counts SET n = n + 1 WHERE status = NEW.status AND flagged = NEW.flagged;
END;

CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
BEGIN
  UPDATE comment_counts SET n = n - 1 WHERE status = OLD.status AND flagged = OLD.flagged;
END;

-- One row per comment and model version (`<model id>@<version>`).
CREATE TABLE scores (
  comment_id      INTEGER NOT NULL REFERENCES comments(id),
  model           TEXT NOT NULL,
  toxicity        REAL,
  severe_toxicity REAL,
  identity_attack REAL,
  insult          REAL,
  threat          REAL,
  sexual_explicit REAL,
  obscene         REAL,
  scored_at       INTEGER NOT NULL,
  PRIMARY KEY (comment_id, model)
) WITHOUT ROWID;

-- Persistent scoring work: a row per comment and model version, so a crash
-- or restart resumes where it stopped and scores nothing twice.
CREATE TABLE scoring_jobs (
  comment_id INTEGER NOT NULL REFERENCES comments(id),
  model      TEXT NOT NULL,
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  error      TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (comment_id, model)
) WITHOUT ROWID;
CREATE INDEX scoring_jobs_state ON scoring_jobs(model, state);

-- Thresholds are versioned: every change writes a new version holding the
-- full set, so any flag or decision can name the version in force.
CREATE TABLE threshold_versions (
  id           INTEGER PRIMARY KEY,
  moderator_id INTEGER REFERENCES moderators(id),
  reason       TEXT,
  created_at   INTEGER NOT NULL
);

CREATE TABLE thresholds (
  version_id INTEGER NOT NULL REFERENCES threshold_versions(id),
  label      TEXT NOT NULL,
  -- NULL switches the label off: it never flags.
  value      REAL CHECK (value IS NULL OR (value >= 0 AND value <= 1)),
  PRIMARY KEY (version_id, label)
) WITHOUT ROWID;

-- Which labels of a comment crossed which threshold, and which version raised it.
CREATE TABLE flags (
  comment_id        INTEGER NOT NULL REFERENCES comments(id),
  label             TEXT NOT NULL,
  score             REAL NOT NULL,
  threshold         REAL NOT NULL,
  threshold_version INTEGER NOT NULL REFERENCES threshold_versions(id),
  model             TEXT NOT NULL,
  flagged_at        INTEGER NOT NULL,
  PRIMARY KEY (comment_id, label)
) WITHOUT ROWID;
CREATE INDEX flags_label ON flags(label, comment_id);

-- The audit log. Rows are only ever added: an undo is a new row.
CREATE TABLE decisions (
  id                INTEGER PRIMARY KEY,
  comment_id        INTEGER NOT NULL REFERENCES comments(id),
  moderator_id      INTEGER NOT NULL REFERENCES moderators(id),
  action            TEXT NOT NULL CHECK (action IN ('approve', 'hide', 'escalate', 'undo')),
  status_before     TEXT NOT NULL,
  status_after      TEXT NOT NULL,
  note              TEXT,
  -- For an undo: the decision it reverses.
  undoes_id         INTEGER REFERENCES decisions(id),
  threshold_version INTEGER REFERENCES threshold_versions(id),
  model             TEXT,
  decided_at        INTEGER NOT NULL
);
CREATE INDEX decisions_comment ON decisions(comment_id, id);
CREATE INDEX decisions_time ON decisions(decided_at);
CREATE INDEX decisions_moderator ON decisions(moderator_id, decided_at);
CREATE INDEX decisions_undoes ON decisions(undoes_id) WHERE undoes_id IS NOT NULL;

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
  SELECT RAISE(ABORT, 'decisions are append-only');
END;

CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
  SELECT RAISE(ABORT, 'decisions are append-only');
END;

-- One row per import, for reports and re-import checks.
CREATE TABLE imports (
  id           INTEGER PRIMARY KEY,
  format       TEXT NOT NULL,
  source       TEXT NOT NULL,
  moderator_id INTEGER REFERENCES moderators(id),
  threads      INTEGER NOT NULL,
  comments_new INTEGER NOT NULL,
  comments_seen INTEGER NOT NULL,
  imported_at  INTEGER NOT NULL
);
