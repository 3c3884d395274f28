import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../server/scoring/backend.ts';
import { LABELS } from '../../server/scoring/labels.ts';
import {
  isCompleteToxicityFolder,
  loadToxicityModel,
  missingToxicityFiles,
  TOXICITY_MODEL_ID,
  toWindows,
  WINDOW_CHARS,
} from '../../server/scoring/toxicity-model.ts';
import type { Scorer } from '../../server/scoring/types.ts';
import { assembleStandinToxicityDir, hasSharedToxicity, SHARED_TOXICITY_DIR, SKIP_NO_SHARED } from './toxicity-standin.ts';

// The six encoder shards are STAND-INS (shared/models/SOURCES.md): the graph,
// shard 7 and the vocabulary are Google's, the rest is filler. The model's
// OUTPUTS ARE MEANINGLESS here, so these tests check only loading, shapes,
// label names, valid probabilities and order, never what a score says.

describe('isCompleteToxicityFolder', () => {
  it.skipIf(!hasSharedToxicity)(`names the missing shards of the shared folder (${hasSharedToxicity ? 'runs' : SKIP_NO_SHARED})`, () => {
    expect(isCompleteToxicityFolder(SHARED_TOXICITY_DIR)).toBe(false);
    expect(missingToxicityFiles(SHARED_TOXICITY_DIR)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `group1-shard${i}of7`));
  });

  it('lists every file for a folder that does not exist', () => {
    expect(missingToxicityFiles('/nonexistent/toxicity')).toHaveLength(9);
  });
});

describe('toWindows', () => {
  it('keeps short texts whole and cuts long ones without splitting surrogate pairs', () => {
    expect(toWindows('short')).toEqual(['short']);
    const long = '🎉'.repeat(WINDOW_CHARS * 2 + 5);
    const windows = toWindows(long);
    expect(windows).toHaveLength(3);
    expect(windows.join('')).toBe(long);
    expect(windows.every((w) => Array.from(w).length <= WINDOW_CHARS && !w.includes('\uFFFD'))).toBe(true);
  });
});

describe.skipIf(!hasSharedToxicity)(`Google's toxicity adapter on wasm with STAND-IN shards: outputs meaningless, shapes only${hasSharedToxicity ? '' : ` (${SKIP_NO_SHARED})`}`, () => {
  let folder: ReturnType<typeof assembleStandinToxicityDir>;
  let scorer: Scorer;

  beforeAll(async () => {
    process.env.TRIAGE_TF_BACKEND = 'wasm';
    folder = assembleStandinToxicityDir();
    expect(isCompleteToxicityFolder(folder.dir)).toBe(true);
    expect(await initBackend()).toBe('wasm');
    scorer = await loadToxicityModel(folder.dir);
  });

  afterAll(async () => {
    await scorer?.dispose();
    folder?.remove();
  });

  it('returns all seven labels as probabilities in [0, 1], one result per text, with the model id', async () => {
    const texts = ['first comment', 'a somewhat longer second comment with more words in it', 'third'];
    const results = await scorer.scoreBatch(texts);
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result.model).toBe(TOXICITY_MODEL_ID);
      expect(Object.keys(result.scores).sort()).toEqual([...LABELS].sort());
      for (const p of Object.values(result.scores)) {
        expect(typeof p).toBe('number');
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps input order although it sorts each batch by length', async () => {
    const texts = ['a much longer text than the others, so that sorting moves it', 'mid-length text', 'x'];
    const batch = await scorer.scoreBatch(texts);
    // Alone, a text is not padded; padding is masked, so its numbers match to float precision.
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await scorer.scoreBatch([texts[i]!]);
      for (const label of LABELS) expect(batch[i]!.scores[label]).toBeCloseTo(alone!.scores[label]!, 5);
    }
  });

  it('frees every tensor it creates while scoring', async () => {
    const before = tf.memory().numTensors;
    await scorer.scoreBatch(['one', 'two', 'three']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
