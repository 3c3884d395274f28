-- Triage beside a live site (issue 9): comments pushed through the API,
-- readers' reports, closed threads, and one event log that feeds webhooks
-- and the decisions feed.

-- A closed thread takes no more comments on the site (the news seed's
-- "This discussion is now closed").
ALTER TABLE threads ADD COLUMN closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1));

-- The platform's own verdict from an export (WordPress approved/pending/spam/trash, Disqus
-- spam/deleted): a note beside the comment, never its text, never a decision.
ALTER TABLE comments ADD COLUMN source_status TEXT;
-- The author's id on the site (comments.author is their name), for sites that send one.
ALTER TABLE comments ADD COLUMN author_id TEXT;
-- Removed on the site (`"deleted": true`): it leaves the review queue, its decisions stay.
ALTER TABLE comments ADD COLUMN deleted_at INTEGER;
-- Distinct readers who reported it; kept with reader_reports, for the queue's sort and the flag rule.
ALTER TABLE comments ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
-- The site changed the text of a comment a moderator had approved: it needs a human again.
ALTER TABLE comments ADD COLUMN edited_after_approval INTEGER NOT NULL DEFAULT 0 CHECK (edited_after_approval IN (0, 1));
-- The site API finds a comment by (source, its id on the site); threads carry the source.
CREATE INDEX comments_external ON comments(external_id);
CREATE INDEX comments_reported ON comments(report_count, id) WHERE report_count > 0;
CREATE INDEX comments_queue_reports ON comments(report_count, id) WHERE flagged = 1 AND status = 'pending';

-- The status an edit found: an approved comment edited on the site returns to pending.
ALTER TABLE comment_edits ADD COLUMN status_before TEXT;

-- One row per reader and comment: the same reader reporting twice counts once.
CREATE TABLE reader_reports (
  comment_id  INTEGER NOT NULL REFERENCES comments(id),
  -- Opaque id of the reader on the site.
  reporter_id TEXT NOT NULL,
  reason      TEXT NOT NULL,
  reported_at INTEGER NOT NULL,
  -- The API key that sent it.
  api_key_id  INTEGER REFERENCES api_keys(id),
  PRIMARY KEY (comment_id, reporter_id)
) WITHOUT ROWID;
CREATE INDEX reader_reports_time ON reader_reports(reported_at);

-- The outbox: what happened, appended in the transaction that made it happen.
-- Webhook endpoints and the decisions feed read it, each with its own cursor.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  type       TEXT NOT NULL,
  -- The site it concerns (threads.source); endpoints and keys see only their own.
  source     TEXT NOT NULL,
  -- No foreign key: the log outlives what it mentions.
  comment_id INTEGER,
  -- JSON: ids and facts, never more than the source's own site may see.
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX events_source ON events(source, type, id);
CREATE INDEX events_time ON events(created_at);

CREATE TABLE webhook_endpoints (
  id             INTEGER PRIMARY KEY,
  source         TEXT NOT NULL,
  url            TEXT NOT NULL,
  -- JSON array of event types.
  events         TEXT NOT NULL,
  -- Standard Webhooks secret, "whsec_" + base64 of 32 random bytes. Needed in clear to sign.
  secret         TEXT NOT NULL,
  -- Whether comment.decided names the moderator (off: only their role).
  include_moderator INTEGER NOT NULL DEFAULT 0 CHECK (include_moderator IN (0, 1)),
  created_by     INTEGER REFERENCES moderators(id),
  created_at     INTEGER NOT NULL,
  -- Events after this id are still to be turned into deliveries.
  cursor         INTEGER NOT NULL,
  disabled_at    INTEGER,
  disabled_reason TEXT,
  -- When its attempts started failing with no success since; null while it succeeds.
  failing_since  INTEGER,
  last_success_at INTEGER,
  deleted_at     INTEGER
);

-- One row per event and endpoint: its attempts, its outcome.
CREATE TABLE webhook_deliveries (
  id            INTEGER PRIMARY KEY,
  endpoint_id   INTEGER NOT NULL REFERENCES webhook_endpoints(id),
  -- Null for a test event. No foreign key: old events are pruned, the delivery keeps its body.
  event_id      INTEGER,
  -- The webhook-id header: the same on every attempt, so receivers can deduplicate.
  message_id    TEXT NOT NULL,
  type          TEXT NOT NULL,
  -- The exact body sent (signed), kept for retries and redelivery.
  body          TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status   INTEGER,
  last_latency_ms INTEGER,
  last_error    TEXT,
  -- The first characters of the last response, as text.
  last_response TEXT,
  created_at    INTEGER NOT NULL,
  finished_at   INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
