-- Large imports are written in chunks, each its own short transaction, so the
-- server keeps answering. Every thread and comment an import creates names
-- it, so an import that fails half way (or a server stopped in the middle of
-- one) can be taken back out; `state` says whether it finished.
ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('running', 'done', 'failed'));
-- Written with every chunk: a running import whose process stopped goes quiet,
-- and only then is it taken back (another process may be importing meanwhile).
ALTER TABLE imports ADD COLUMN heartbeat_at INTEGER;
ALTER TABLE threads ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE comments ADD COLUMN import_id INTEGER REFERENCES imports(id);
CREATE INDEX comments_import ON comments(import_id, id) WHERE import_id IS NOT NULL;
CREATE INDEX threads_import ON threads(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX imports_running ON imports(state) WHERE state = 'running';
