-- API keys for the sites Triage moderates (server/integrations/). A key is
-- shown once; only its SHA-256 hash is kept, with a short prefix that is no
-- secret, to tell keys apart in lists. Revoking keeps the row.
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  -- The site the key speaks for.
  source       TEXT NOT NULL,
  -- The key's first characters ("trk_" and 8 more): shown in lists, never enough to use it.
  prefix       TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  created_by   INTEGER REFERENCES moderators(id),
  created_at   INTEGER NOT NULL,
  -- Updated at most once a minute per key.
  last_used_at INTEGER,
  revoked_at   INTEGER
);
