import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScorerUnavailable } from '../../server/errors.ts';
import { createScorer, resolveModel } from '../../server/scoring/index.ts';
import { LABELS } from '../../server/scoring/labels.ts';
import { MAX_WINDOWS, WINDOW_CHARS } from '../../server/scoring/toxicity-model.ts';
import type { Scorer } from '../../server/scoring/types.ts';
import { assembleStandinToxicityDir, hasSharedToxicity, SKIP_NO_SHARED } from './toxicity-standin.ts';

// Odd input every scorer must survive, through createScorer in a worker thread.
const EDGE_TEXTS = [
  '',
  '   \n\t  ',
  'plain comment',
  'ß Ω 日本語のコメント عربى עברית 😀🔥👍🏽 e\u0301 \u200b\u200d \uFEFF',
  '\u0000\u0007 control characters',
  '\uD800 lone surrogate \uDFFF',
  'long '.repeat(WINDOW_CHARS * MAX_WINDOWS), // far beyond the windows that are scored
  'x'.repeat(50_000), // one word, no space to break at
];

function expectValidResults(results: Awaited<ReturnType<Scorer['scoreBatch']>>, model: string, count: number): void {
  expect(results).toHaveLength(count);
  for (const result of results) {
    expect(result.model).toBe(model);
    expect(Object.keys(result.scores).sort()).toEqual([...LABELS].sort());
    for (const p of Object.values(result.scores)) {
      if (p === null) continue;
      expect(Number.isFinite(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  }
}

describe('resolveModel', () => {
  it('refuses Google\'s model from an incomplete folder, naming the files and the fetch command', () => {
    expect(() => resolveModel('toxicity', '/nonexistent/toxicity')).toThrow(ScorerUnavailable);
    expect(() => resolveModel('toxicity', '/nonexistent/toxicity')).toThrow(/missing model\.json, group1-shard1of7.*vocab\.json.*npm run model:fetch/);
  });

  it('falls back to ours on auto when Google\'s folder is incomplete', () => {
    expect(resolveModel('auto', '/nonexistent/toxicity')).toBe('local');
    expect(resolveModel('local', '/nonexistent/toxicity')).toBe('local');
  });

  it('createScorer rejects before starting a worker when the folder is incomplete', async () => {
    await expect(createScorer({ model: 'toxicity', toxicityDir: '/nonexistent/toxicity' })).rejects.toThrow(ScorerUnavailable);
  });
});

describe('our model in a worker thread', () => {
  let scorer: Scorer;
  beforeAll(async () => {
    scorer = await createScorer({ model: 'local' });
  });
  afterAll(() => scorer?.dispose());

  it('scores empty, blank, Unicode, control, broken and huge texts in order without crashing', async () => {
    const results = await scorer.scoreBatch(EDGE_TEXTS);
    expectValidResults(results, scorer.model, EDGE_TEXTS.length);
  });

  it('answers a batch of 0 texts with 0 results', async () => {
    expect(await scorer.scoreBatch([])).toEqual([]);
  });

  it('gives each text the same scores alone as in a batch', async () => {
    const batch = await scorer.scoreBatch(['you are wonderful', 'EDGE', '']);
    const alone = await scorer.scoreBatch(['EDGE']);
    for (const label of LABELS) {
      const a = alone[0]!.scores[label];
      const b = batch[1]!.scores[label];
      if (a === null) expect(b).toBeNull();
      else expect(b).toBeCloseTo(a, 5);
    }
  });

  it('answers concurrent requests each with its own results', async () => {
    const [a, b] = await Promise.all([scorer.scoreBatch(['one', 'two']), scorer.scoreBatch(['three'])]);
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(1);
  });

  it('rejects calls after dispose instead of hanging', async () => {
    const other = await createScorer({ model: 'local' });
    await other.dispose();
    await expect(other.scoreBatch(['late'])).rejects.toThrow(/disposed/);
  });
});

describe.skipIf(!hasSharedToxicity)(`Google's model in a worker thread with STAND-IN shards (outputs meaningless; checks only that nothing crashes)${hasSharedToxicity ? '' : ` (${SKIP_NO_SHARED})`}`, () => {
  let folder: ReturnType<typeof assembleStandinToxicityDir>;
  let scorer: Scorer;
  beforeAll(async () => {
    folder = assembleStandinToxicityDir();
    scorer = await createScorer({ model: 'toxicity', toxicityDir: folder.dir });
  });
  afterAll(async () => {
    await scorer?.dispose();
    folder?.remove();
  });

  it('scores the edge cases in order, seven labels each', async () => {
    const results = await scorer.scoreBatch(EDGE_TEXTS);
    expectValidResults(results, 'google-toxicity@1', EDGE_TEXTS.length);
    for (const result of results) expect(Object.values(result.scores).every((p) => p !== null)).toBe(true);
  });

  it('answers a batch of 0 texts with 0 results', async () => {
    expect(await scorer.scoreBatch([])).toEqual([]);
  });

  it('auto picks Google\'s model when the folder is complete', () => {
    expect(resolveModel('auto', folder.dir)).toBe('toxicity');
  });
});
