/**
 * `npm run demo:site [-- --db PATH]`: a database that shows, from a fresh
 * clone, the whole loop of site models (issue 11): decided comments to train
 * on, comments waiting to be decided, and an admin to train, shadow, promote
 * and roll back. Needs nothing outside the repository.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSiteFixture } from './lib/synthetic-site.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'data/demo-site.db' },
    decided: { type: 'string', default: '1200' },
    waiting: { type: 'string', default: '300' },
  },
});
const path = values.db;
const decided = Number(values.decided);
const waiting = Number(values.waiting);
if (!Number.isInteger(decided) || decided < 200 || !Number.isInteger(waiting) || waiting < 0) {
  console.error('demo:site: --decided must be a whole number of at least 200 (a site model needs 200 decisions), --waiting a whole number');
  process.exit(1);
}
if (existsSync(path)) {
  console.error(`demo:site: ${path} exists; remove it or choose another --db`);
  process.exit(1);
}
mkdirSync(dirname(path), { recursive: true });
const PASSWORD = 'correct horse battery';
const site = await buildSiteFixture(decided, 11, path, waiting);
await site.triage.auth.addUser({ username: 'admin', password: PASSWORD, role: 'admin' });
await site.close();

console.log(`Wrote ${path}: a town news thread of ${decided + waiting} comments, ${decided} decided by alice (lead), bob and carol, ${waiting} waiting.
Its moderators hide comments that tout crypto (a word the shipped model has no reason to weigh) and plain insults.

  TRIAGE_DB=${path} npm start

Sign in as admin (or alice, bob, carol), password "${PASSWORD}" (a demo password), and open Model:
  1. Train a site model: watch its progress, then its comparison with the model in force on the most recent 20% of decisions.
  2. Run in shadow: new comments get its scores beside the model in force, flagging nothing.
  3. Promote it, with a reason: every comment is rescored, and the queue gains the waiting comments that tout crypto.
  4. Roll back: the shipped model is in force again, and the queue is as it was.`);
