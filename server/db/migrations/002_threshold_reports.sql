-- Indexes for threshold re-evaluation, analysis and moderation reports.
-- IF NOT EXISTS: 001 may already hold one of them (decisions_undoes is also wanted by moderation).

-- "Is this decision undone?" is asked for every decision in analyses and reports.
CREATE INDEX IF NOT EXISTS decisions_undoes ON decisions(undoes_id) WHERE undoes_id IS NOT NULL;

-- Reports select comments by import time.
CREATE INDEX IF NOT EXISTS comments_imported ON comments(imported_at);

-- Finding the model in force without a scan of every score.
CREATE INDEX IF NOT EXISTS scores_scored_at ON scores(scored_at);
