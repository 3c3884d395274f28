import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../server/scoring/labels.ts';
import { DEFAULT_MODEL_DIR, loadLocalModel, type LocalModelManifest } from '../../server/scoring/local-model.ts';
import type { Scorer } from '../../server/scoring/types.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import { ISSUE_EXAMPLES, flaggedLabels } from '../../scripts/lib/probes.ts';

/** The committed model's manifest, read afresh each time: tests edit their copy. */
const readManifest = (): LocalModelManifest => JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'model.json'), 'utf8'));

// Runs against the committed weights in models/local: no training data needed.
// The loader never picks a backend itself; both that Triage falls back to must work.
describe.each(['cpu', 'wasm'])('loadLocalModel on %s', (backend) => {
  let scorer: Scorer;

  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    scorer = await loadLocalModel();
  });
  afterAll(async () => {
    await scorer.dispose();
  });

  it('names itself <id>@<version>', () => {
    expect(scorer.model).toMatch(/^triage-local@\d+\.\d+\.\d+$/);
  });

  it('keeps the committed model folder within 16 MB (the limit of the issue; weights and the site models\' anchor)', () => {
    const total = readdirSync(DEFAULT_MODEL_DIR).reduce((sum, f) => sum + statSync(join(DEFAULT_MODEL_DIR, f)).size, 0);
    expect(total).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('returns one result per text, in order, with all seven labels and nulls where the model has no signal', async () => {
    const texts = ['You are a disgusting idiot', 'Thanks for the helpful article', 'You are a disgusting idiot'];
    const out = await scorer.scoreBatch(texts);
    expect(out).toHaveLength(3);
    for (const r of out) {
      expect(Object.keys(r.scores).sort()).toEqual([...LABELS].sort());
      // A label is null exactly where model.json maps it to no output (severe_toxicity: no data anywhere).
      const manifest = readManifest();
      expect(r.scores.severe_toxicity).toBeNull();
      for (const label of LABELS.filter((l) => manifest.labels[l] === null)) expect(r.scores[label]).toBeNull();
      expect(r.model).toBe(scorer.model);
      for (const label of LABELS.filter((l) => manifest.labels[l] !== null)) {
        const v = r.scores[label];
        expect(v).not.toBeNull();
        expect(v!).toBeGreaterThanOrEqual(0);
        expect(v!).toBeLessThanOrEqual(1);
      }
    }
    // Same text, same place in the batch or not: same score.
    expect(out[2]!.scores).toEqual(out[0]!.scores);
    const alone = await scorer.scoreBatch([texts[1]!]);
    expect(alone[0]!.scores.toxicity!).toBeCloseTo(out[1]!.scores.toxicity!, 5);
  });

  it('scores clearly toxic text above clearly benign text', async () => {
    const toxic = ['You are a stupid fucking idiot', 'Shut up you worthless piece of shit', 'I hope you die, moron'];
    const benign = ['Thank you for the thoughtful reply', 'The meeting is moved to Tuesday at noon', 'I disagree with the second point, but good article'];
    const t = (await scorer.scoreBatch(toxic)).map((r) => r.scores.toxicity!);
    const b = (await scorer.scoreBatch(benign)).map((r) => r.scores.toxicity!);
    expect(Math.min(...t)).toBeGreaterThan(Math.max(...b));
  });

  it('scores a reversed (U+202E), zero-width-split or look-alike insult as the plain one', async () => {
    const [plain, reversed, zeroWidth, homoglyph] = await scorer.scoreBatch([
      'you are an idiot',
      '\u202Etoidi na era uoy',
      'you are an i\u200Bd\u200Bi\u200Bo\u200Bt',
      'you are an іdіоt', // Cyrillic і and о
    ]);
    expect(reversed!.scores.toxicity).toBeCloseTo(plain!.scores.toxicity!, 5);
    expect(zeroWidth!.scores.toxicity).toBeCloseTo(plain!.scores.toxicity!, 5);
    // The look-alike spelling keeps its raw unigram too, so close but not equal.
    expect(Math.abs(homoglyph!.scores.toxicity! - plain!.scores.toxicity!)).toBeLessThan(0.1);
  });

  it('flags at the default thresholds what issue 10 quotes as it does in the model card, and not the identity statement', async () => {
    const out = await scorer.scoreBatch(ISSUE_EXAMPLES.map((e) => e.text));
    const flagged = out.map((r) => flaggedLabels(r.scores, DEFAULT_THRESHOLDS).length > 0);
    // The identity statement stays out of the queue.
    expect(flagged[ISSUE_EXAMPLES.findIndex((e) => !e.flag)]).toBe(false);
    // 2.1.0, like 2.0.0, catches one of the six ("I will kill you and your family", by its threat score); the
    // other five are its known misses (models/README.md, "Known weaknesses").
    expect(ISSUE_EXAMPLES.filter((e, i) => e.flag && flagged[i]).length).toBeGreaterThanOrEqual(1);
    expect(flagged[ISSUE_EXAMPLES.findIndex((e) => e.text === 'I will kill you and your family')]).toBe(true);
  });

  it('carries its lexicon in model.json, so scoring needs no word-list package', () => {
    const { featurizer } = readManifest();
    expect(featurizer.normalization).toBe(2);
    expect(featurizer.lexicon!.length).toBeGreaterThan(200);
    expect(featurizer.lexicon).toContain('fuck');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('naughty-words');
  });

  it('handles empty, emoji-only, Arabic, Chinese and 1 MB texts', async () => {
    const huge = 'lorem ipsum dolor sit amet '.repeat(40_000).slice(0, 1_000_000);
    const out = await scorer.scoreBatch(['', '🙂🙂🎉', 'مرحبا كيف حالك', '你好，今天天气很好', huge, '   ']);
    expect(out).toHaveLength(6);
    for (const r of out) {
      for (const v of [r.scores.toxicity, r.scores.insult, r.scores.obscene]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v!).toBeGreaterThanOrEqual(0);
        expect(v!).toBeLessThanOrEqual(1);
      }
    }
  });

  it('takes the worst window of a long text, so a late insult is not averaged away', async () => {
    const filler = 'The committee reviewed the budget and the schedule for the spring term. '.repeat(60);
    const [plain, late] = await scorer.scoreBatch([filler, `${filler} You are a stupid fucking idiot.`]);
    expect(late!.scores.toxicity!).toBeGreaterThan(plain!.scores.toxicity! + 0.2);
  });

  it('scores an empty batch as an empty list', async () => {
    expect(await scorer.scoreBatch([])).toEqual([]);
  });

  it('leaks no tensors across repeated calls', async () => {
    await scorer.scoreBatch(['warm up']);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await scorer.scoreBatch(['one', 'two idiots', '', 'x'.repeat(5000)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same scores as on the cpu backend', async () => {
    const texts = ['you absolute moron', 'lovely weather today', ''];
    const here = await scorer.scoreBatch(texts);
    await tf.setBackend('cpu');
    const cpu = await loadLocalModel();
    const there = await cpu.scoreBatch(texts);
    await cpu.dispose();
    await tf.setBackend(backend);
    here.forEach((r, i) => expect(r.scores.toxicity!).toBeCloseTo(there[i]!.scores.toxicity!, 5));
  });

  it('frees its weights on dispose', async () => {
    const other = await loadLocalModel();
    const before = tf.memory().numTensors;
    await other.dispose();
    // Five tensors (embedding, w1, b1, w2, b2) per ensemble member.
    const members = readManifest().architecture.members ?? 1;
    expect(tf.memory().numTensors).toBe(before - 5 * members);
    await expect(other.scoreBatch(['x'])).rejects.toThrow(/disposed/);
  });
});

describe('loadLocalModel with a broken model folder', () => {
  const dirs: string[] = [];
  const brokenCopy = (edit: (manifest: LocalModelManifest) => void, withWeights = true): string => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-local-'));
    dirs.push(dir);
    const manifest = readManifest();
    edit(manifest);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
    if (withWeights) copyFileSync(join(DEFAULT_MODEL_DIR, 'weights.bin'), join(dir, 'weights.bin'));
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('names the missing manifest', async () => {
    await expect(loadLocalModel(join(tmpdir(), 'no-such-triage-model'))).rejects.toThrow(/cannot read the local model manifest .*model\.json/);
  });

  it('names the missing weights file', async () => {
    await expect(loadLocalModel(brokenCopy(() => {}, false))).rejects.toThrow(/cannot read the local model weights .*weights\.bin/);
  });

  it('names a missing ensemble member', async () => {
    const before = tf.memory().numTensors;
    const members = readManifest().architecture.members ?? 1;
    await expect(loadLocalModel(brokenCopy((m) => (m.architecture.members = members + 1)))).rejects.toThrow(new RegExp(`weights\\.tensors lacks embedding of member ${members}`));
    // The members read before the fault are freed.
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadLocalModel(brokenCopy((m) => (m.architecture.members = 0)))).rejects.toThrow(/field architecture\.members must be a positive integer/);
  });

  it('scores with the mean of its members\' probabilities', async () => {
    const members = readManifest().architecture.members ?? 1;
    // One single-model folder per member: its tensors relabelled as member 0, same weights file.
    const singles = Array.from({ length: members }, (_, m) =>
      brokenCopy((x) => {
        x.architecture.members = 1;
        x.weights.tensors = x.weights.tensors.filter((t) => (t.member ?? 0) === m).map((t) => ({ ...t, member: 0 }));
      }),
    );
    const texts = ['you absolute moron', 'lovely weather today', 'I will find you and hurt you'];
    const whole = await loadLocalModel();
    const expected = await whole.scoreBatch(texts);
    await whole.dispose();
    const parts = await Promise.all(singles.map(async (dir) => {
      const s = await loadLocalModel(dir);
      const out = await s.scoreBatch(texts);
      await s.dispose();
      return out;
    }));
    texts.forEach((_, i) => {
      for (const label of ['toxicity', 'insult', 'threat'] as const) {
        const mean = parts.reduce((a, p) => a + p[i]!.scores[label]!, 0) / members;
        expect(expected[i]!.scores[label]!).toBeCloseTo(mean, 5);
      }
    });
  });

  it('refuses weights whose SHA-256 differs from the manifest, naming the file and both hashes', async () => {
    const expected = readManifest().weights.sha256;
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    // Random bytes of the right size: before the checksum they loaded and scored NaN under the same model id.
    const dir = brokenCopy(() => {});
    const weights = join(dir, 'weights.bin');
    writeFileSync(weights, randomBytes(statSync(weights).size));
    const actual = createHash('sha256').update(readFileSync(weights)).digest('hex');
    const before = tf.memory().numTensors;
    await expect(loadLocalModel(dir)).rejects.toThrow(
      `the local model weights ${weights} are corrupt or from another model: SHA-256 ${actual}, expected ${expected} (weights.sha256 in ${join(dir, 'model.json')})`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a manifest without the weights checksum', async () => {
    await expect(loadLocalModel(brokenCopy((m) => delete (m.weights as Partial<LocalModelManifest['weights']>).sha256))).rejects.toThrow(
      /field weights\.sha256 must be the SHA-256 of the weights file/,
    );
  });

  it('names the manifest field at fault', async () => {
    await expect(loadLocalModel(brokenCopy((m) => (m.labels.threat = 9)))).rejects.toThrow(/field labels\.threat must be null or an output index/);
    await expect(loadLocalModel(brokenCopy((m) => (m.featurizer.buckets = 1000)))).rejects.toThrow(/featurizer\.buckets must be a power of two/);
    await expect(loadLocalModel(brokenCopy((m) => (m.featurizer.buckets = 1024)))).rejects.toThrow(/embedding shape .* does not match/);
  });
});
