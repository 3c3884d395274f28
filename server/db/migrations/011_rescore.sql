-- Rescoring when the model changes (issue 10): every stored comment gets a
-- score of the model in force, in the background. Those jobs wait behind
-- jobs for new comments, so a site's fresh comments are scored and flagged
-- within seconds even while a million old ones are rescored.
-- 0: a comment without any score yet; 1: a rescore (the comment has a score
-- of another model).
ALTER TABLE scoring_jobs ADD COLUMN background INTEGER NOT NULL DEFAULT 0 CHECK (background IN (0, 1));
DROP INDEX scoring_jobs_state;
CREATE INDEX scoring_jobs_next ON scoring_jobs(model, state, background, comment_id);
