import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { scoreJsonLines } from '../../server/scoring/cli.ts';
import { LABELS, scoresProblem, type LabelScores } from '../../server/scoring/labels.ts';
import type { ScoredText, Scorer } from '../../server/scoring/types.ts';
import { createTriage } from '../../server/triage.ts';
import { buildTestApp, insertThreads, makeComment, makeThread } from '../helpers/app.ts';

/**
 * A real scorer whose arithmetic goes wrong on some texts, as a model with
 * corrupted weights does: the share of the letter "z" among the letters, so
 * a text without letters divides 0 by 0 (NaN), and "louder" texts are scaled
 * past 1.
 */
class LetterShareScorer implements Scorer {
  readonly model = 'letter-share@1';

  async scoreBatch(texts: string[]): Promise<ScoredText[]> {
    return texts.map((text) => {
      const letters = text.replace(/[^a-z]/gi, '');
      const share = (letters.match(/z/gi)?.length ?? 0) / letters.length;
      const scale = text.endsWith('!') ? 4 : 1;
      const scores = Object.fromEntries(LABELS.map((l) => [l, l === 'severe_toxicity' ? null : share * scale])) as LabelScores;
      return { scores, model: this.model };
    });
  }

  async dispose(): Promise<void> {}
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('scores that are not probabilities', () => {
  it('fail their job with a message and are never stored; the rest of the batch is scored', async () => {
    app = await buildTestApp({ scoring: false });
    const ids = insertThreads(app, [
      makeThread({
        comments: [
          makeComment({ externalId: 'fine', body: 'a lazy zebra' }),
          makeComment({ externalId: 'nan', body: '12345 ... 678' }),
          makeComment({ externalId: 'loud', body: 'zz!' }),
        ],
      }),
    ]);
    const scorer = new LetterShareScorer();
    const { pipeline, stores } = createTriage({ db: app.triage.db, scorer, pipeline: { maxAttempts: 2 } });
    await pipeline!.drain();

    expect(stores.scoring.counts(scorer.model)).toEqual({ total: 3, pending: 0, done: 1, failed: 2 });
    const failed = new Map(stores.scoring.listFailed(scorer.model).map((f) => [f.commentId, f]));
    expect(failed.get(ids.get('nan')!)).toMatchObject({
      attempts: 2,
      error: 'letter-share@1 gave an invalid score: toxicity = NaN, not a probability in [0, 1]',
    });
    expect(failed.get(ids.get('loud')!)?.error).toBe('letter-share@1 gave an invalid score: toxicity = 4, not a probability in [0, 1]');

    const stored = app.triage.db.prepare('SELECT comment_id, toxicity, threat FROM scores').all();
    expect(stored).toEqual([{ comment_id: ids.get('fine'), toxicity: 0.2, threat: 0.2 }]);
  });

  it('scoresProblem accepts probabilities and null, and names the first label that is neither', () => {
    const ok = Object.fromEntries(LABELS.map((l) => [l, 0.5])) as LabelScores;
    expect(scoresProblem(ok)).toBeNull();
    expect(scoresProblem({ ...ok, obscene: null, toxicity: 0, insult: 1 })).toBeNull();
    expect(scoresProblem({ ...ok, threat: -0.01 })).toBe('threat = -0.01, not a probability in [0, 1]');
    expect(scoresProblem({ ...ok, threat: Infinity })).toBe('threat = Infinity, not a probability in [0, 1]');
    expect(scoresProblem({ ...ok, insult: undefined })).toBe('insult = undefined, not a probability in [0, 1]');
    expect(scoresProblem({ ...ok, insult: '0.3' })).toBe('insult = "0.3", not a probability in [0, 1]');
    expect(scoresProblem(undefined)).toBe('no scores');
  });
});

describe('npx triage score with a scorer that gives no probability', () => {
  it('writes an error line for that text instead of printing NaN as null, and scores the others', async () => {
    const input = Readable.from(['{"id":1,"text":"zzz buzz"}\n', '{"id":2,"text":"123 456"}\n']);
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    const counts = await scoreJsonLines(input, output, new LetterShareScorer(), 8);
    const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(counts).toEqual({ scored: 1, errors: 1 });
    expect(lines[0]).toMatchObject({ id: 1, model: 'letter-share@1' });
    expect(lines[1]).toEqual({ line: 2, id: 2, error: 'letter-share@1 gave an invalid score: toxicity = NaN, not a probability in [0, 1]' });
  });
});
