-- Indexes for threshold re-evaluation, analysis and moderation reports.

-- Reports select comments by import time.
CREATE INDEX comments_imported ON comments(imported_at);

-- Finding the model in force without a scan of every score.
CREATE INDEX scores_scored_at ON scores(scored_at);
