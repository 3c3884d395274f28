-- Site models (issue 11): heads trained on this site's decisions, over the
-- shipped model's frozen features (server/adaptation/). The head's bytes live
-- here, so a backup of the database keeps them; `npx triage model export`
-- writes one out as a directory like models/local/.
CREATE TABLE site_models (
  id          INTEGER PRIMARY KEY,
  -- 'triage-site@<id>': the name stored with every score, flag and decision it makes.
  model       TEXT NOT NULL UNIQUE,
  -- The shipped model the head sits on, and the SHA-256 of its weights: a head
  -- only means something on the features it was trained on.
  base_model  TEXT NOT NULL,
  base_sha256 TEXT NOT NULL,
  dense_dim   INTEGER NOT NULL,
  ngrams      INTEGER NOT NULL,
  head        BLOB NOT NULL,
  sha256      TEXT NOT NULL,
  -- The comparison on the held-out decisions, as JSON (AdaptationReport without the ids).
  report      TEXT NOT NULL,
  decisions   INTEGER NOT NULL,
  origin      TEXT NOT NULL CHECK (origin IN ('trained', 'imported')),
  -- An imported model's name where it was trained.
  imported_from TEXT,
  created_by  INTEGER REFERENCES moderators(id),
  created_at  INTEGER NOT NULL,
  -- Shadow scoring: comments stored after shadow_from_comment get a score of
  -- this model beside the model in force, flagging nothing; the cursor is the
  -- last comment id scored, so a restart resumes. At most one model shadows.
  shadow_started_at   INTEGER,
  shadow_stopped_at   INTEGER,
  shadow_from_comment INTEGER,
  shadow_cursor       INTEGER
);
CREATE UNIQUE INDEX site_models_one_shadow ON site_models((1)) WHERE shadow_started_at IS NOT NULL AND shadow_stopped_at IS NULL;

-- The model in force is versioned like thresholds: each promotion or rollback
-- writes a row, with who and why. None yet: the shipped model is in force.
CREATE TABLE model_versions (
  id           INTEGER PRIMARY KEY,
  model        TEXT NOT NULL,
  moderator_id INTEGER REFERENCES moderators(id),
  reason       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  -- Comments the model scored before (it was in force once: a rollback) are
  -- flagged again from those scores, in chunks; the last comment id done, and
  -- NULL once finished. The rest are rescored, and flagged as they are.
  reflag_cursor INTEGER DEFAULT 0
);

-- A shadow model's scores: kept apart from `scores`, which hold only what
-- the models in force said, so nothing that reads scores can mistake one.
CREATE TABLE shadow_scores (
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
  PRIMARY KEY (model, comment_id)
) WITHOUT ROWID;
