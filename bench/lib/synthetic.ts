/**
 * The synthetic database of bench:api and bench:team: threads of comments
 * written through the ingest store, scored with made-up scores through the
 * same write and flagging the scoring pipeline uses. Seeded: every run builds
 * the same database.
 */
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { seededRandom } from '../../server/random.ts';
import type { Triage } from '../../server/triage.ts';

/** The model the synthetic scores are recorded under. */
export const MODEL = 'bench-synthetic@1';

const WORDS = (
  'the a this that people article comment agree disagree idiot stupid great point really think vote city council ' +
  'never always why because you your they government tax school road park news report source wrong right awful ' +
  'moron love hate terrible brilliant clown liar truth facts read again sure whatever'
).split(' ');


export function sentence(rand: () => number): string {
  const n = 8 + Math.floor(rand() * 30);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  return words.join(' ');
}

/**
 * Most scores are mild (below 0.6); about one comment in ten has some labels
 * at 0.8 or more. Labels whose threshold sits below 0.6 flag far more than that.
 */
function syntheticScores(rand: () => number): LabelScores {
  const hot = rand() < 0.1;
  const scores = {} as LabelScores;
  for (const label of LABELS) scores[label] = Math.round((hot && rand() < 0.4 ? 0.8 + rand() * 0.2 : rand() * 0.6) * 1e4) / 1e4;
  return scores;
}

/** Inserts threads and comments through the ingest store and records their scores as the scoring pipeline does. */
export function generate(triage: Triage, threads: number, comments: number, log: (msg: string) => void): void {
  const { db, stores: { ingest, scoring } } = triage;
  const rand = seededRandom(42);
  const perThread = Math.max(1, Math.floor(comments / threads));
  const started = Date.now();
  const base = Date.now() - 30 * 24 * 3600 * 1000;

  const insertThreads = db.transaction((from: number, to: number) => {
    for (let t = from; t < to; t++) {
      const threadId = ingest.insertThread({
        importId: null,
        source: 'bench',
        externalId: `t${t}`,
        title: `Synthetic thread ${t}: ${sentence(rand).slice(0, 60)}`,
        url: null,
        body: sentence(rand),
        importedAt: base + t * 1000,
      });
      const ids: { id: number; depth: number }[] = [];
      for (let i = 0; i < perThread; i++) {
        // Half the comments answer an earlier one, so threads have real depth.
        const parent = ids.length > 0 && rand() < 0.5 ? ids[Math.floor(rand() * ids.length)] : undefined;
        const id = ingest.insertComment({
          importId: null,
          threadId,
          parentId: parent?.id ?? null,
          externalId: `c${i}`,
          position: i,
          depth: parent ? parent.depth + 1 : 0,
          author: `user${Math.floor(rand() * 5000)}`,
          body: sentence(rand),
          postedAt: base + t * 1000 + i,
          importedAt: base + t * 1000,
        });
        ids.push({ id, depth: parent ? parent.depth + 1 : 0 });
        scoring.enqueue(id, MODEL, base);
      }
    }
  });
  const STEP = 200;
  for (let t = 0; t < threads; t += STEP) {
    insertThreads(t, Math.min(threads, t + STEP));
    if ((t / STEP) % 10 === 0) log(`  inserted ${(Math.min(threads, t + STEP) * perThread).toLocaleString('en')} comments (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }

  // Scores go through the same write and flagging the pipeline uses.
  const t0 = Date.now();
  for (;;) {
    const jobs = scoring.listPending(MODEL, 5000);
    if (jobs.length === 0) break;
    triage.scoring.record(jobs.map((j) => ({ commentId: j.commentId, scores: syntheticScores(rand) })), { model: MODEL, now: Date.now() });
  }
  log(`  scored in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  db.pragma('optimize');
}

