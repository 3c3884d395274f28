import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anchorChecksum, decodeAnchor, encodeAnchor, readAnchor } from '../../server/adaptation/anchor.ts';
import { frozenFeatures, readFrozenModel, type FrozenFeatures } from '../../server/adaptation/features.ts';
import { ANCHOR_LAMBDA, decisionWeights } from '../../server/adaptation/guards.ts';
import { adaptRows } from '../../server/adaptation/service.ts';
import { HELD_OUT_SHARE, moderatorWeights, timeSplit } from '../../server/adaptation/split.ts';
import { decisionsForTraining, type TrainingDecision } from '../../server/adaptation/store.ts';
import { DEFAULT_MODEL_DIR, type LocalModelManifest } from '../../server/scoring/local-model.ts';
import { buildSiteFixture, type SiteFixture } from './fixture.ts';

// Records what adaptRows hands the trainer, then trains as usual.
const calls: { f: FrozenFeatures; labels: Float32Array; weights: Float32Array }[] = [];
vi.mock('../../server/adaptation/head.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/adaptation/head.ts')>();
  return {
    ...real,
    trainHead: (f: FrozenFeatures, labels: ArrayLike<number>, weights: ArrayLike<number>, options?: Parameters<typeof real.trainHead>[3]) => {
      calls.push({ f, labels: Float32Array.from(labels), weights: Float32Array.from(weights) });
      return real.trainHead(f, labels, weights, options);
    },
  };
});

const SHIPPED = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'model.json'), 'utf8')) as LocalModelManifest;

/** A model folder like models/local in a temporary directory, with `manifest` and, when given, anchor bytes. */
function modelFolder(manifest: LocalModelManifest, anchor: Uint8Array | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'triage-anchor-'));
  copyFileSync(join(DEFAULT_MODEL_DIR, 'weights.bin'), join(dir, 'weights.bin'));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  if (anchor) writeFileSync(join(dir, 'anchor.bin'), anchor);
  return dir;
}

describe('the anchor file', () => {
  it('round-trips features and targets; each row keeps its own n-gram ids', async () => {
    const frozen = await readFrozenModel();
    try {
      const texts = ['you are a wonderful person', 'go back where you came from, idiot', 'the council meets on tuesday about the new bridge', 'x'.repeat(4500)];
      const f = frozenFeatures(frozen, texts);
      const target = Float32Array.from({ length: f.n }, (_, i) => f.probs[i * f.outputs + SHIPPED.labels.toxicity!]!);
      const back = decodeAnchor(encodeAnchor(f, target));
      expect(back.target).toEqual(target);
      expect(back.features.n).toBe(f.n);
      expect(back.features.dense).toEqual(f.dense);
      expect(back.features.scale).toEqual(f.scale);
      expect(back.features.segments).toEqual(f.segments);
      const idsOf = (g: FrozenFeatures, row: number) => [...g.ids].filter((_, k) => g.segments[k] === row).sort((a, b) => a - b);
      for (let row = 0; row < f.n; row++) expect(idsOf(back.features, row)).toEqual(idsOf(f, row));
    } finally {
      frozen.dispose();
    }
  });

  it('ships with models/local: its rows and checksum are those of the manifest, and it holds no text', async () => {
    expect(SHIPPED.anchor).toMatchObject({ file: 'anchor.bin', target: 'toxicity' });
    const bytes = readFileSync(join(DEFAULT_MODEL_DIR, SHIPPED.anchor!.file));
    expect(anchorChecksum(bytes)).toBe(SHIPPED.anchor!.sha256);
    const anchor = (await readAnchor(DEFAULT_MODEL_DIR, SHIPPED))!;
    expect(anchor.features.n).toBe(SHIPPED.anchor!.rows);
    expect(Object.values(SHIPPED.anchor!.sets).reduce((s, n) => s + n, 0)).toBe(SHIPPED.anchor!.rows);
    // Every byte is accounted for by the header, features, targets, scales, id counts and ids: there is no room for text.
    const { n, denseDim, ids } = anchor.features;
    expect(bytes.byteLength).toBe(28 + 4 * n * (denseDim + 3) + 2 * ids.length);
  });

  it('is refused when its bytes differ from the checksum in model.json, or when it is missing', async () => {
    const bytes = Buffer.from(readFileSync(join(DEFAULT_MODEL_DIR, 'anchor.bin')));
    bytes[bytes.length - 1]! ^= 1;
    const corrupt = modelFolder(SHIPPED, bytes);
    const missing = modelFolder(SHIPPED, null);
    try {
      await expect(readAnchor(corrupt, SHIPPED)).rejects.toThrow(/anchor.*corrupt or from another model.*anchor\.sha256/);
      await expect(readAnchor(missing, SHIPPED)).rejects.toThrow(/anchor.*is missing/);
    } finally {
      rmSync(corrupt, { recursive: true, force: true });
      rmSync(missing, { recursive: true, force: true });
    }
  });
});

describe('adapting with the anchor', () => {
  let site: SiteFixture;
  let rows: TrainingDecision[];
  beforeAll(async () => {
    site = await buildSiteFixture(400);
    rows = decisionsForTraining(site.triage.db);
  }, 120_000);
  afterAll(async () => {
    await site.close();
  });

  it('adds the anchor rows to training with their soft targets, together weighing lambda times the decisions', async () => {
    const anchor = (await readAnchor(DEFAULT_MODEL_DIR, SHIPPED))!;
    const { train } = timeSplit(rows, HELD_OUT_SHARE);
    const decided = decisionWeights(train, moderatorWeights(train).perRow).reduce((s, w) => s + w, 0);
    for (const lambda of [ANCHOR_LAMBDA, 4]) {
      calls.length = 0;
      const { report } = await adaptRows(rows, { anchorLambda: lambda, distillShare: 0 });
      expect(report.anchor).toEqual({ rows: anchor.features.n, weight: lambda });
      const { f, labels, weights } = calls[0]!;
      expect(f.n).toBe(train.length + anchor.features.n);
      expect(labels.subarray(train.length)).toEqual(anchor.target);
      expect(f.dense.subarray(train.length * f.denseDim)).toEqual(anchor.features.dense);
      const anchorTotal = weights.subarray(train.length).reduce((s, w) => s + w, 0);
      expect(anchorTotal / decided).toBeCloseTo(lambda, 3);
      // The anchor rows are not site comments: none is trained on as a decision, held out or distilled.
      expect(report.commentIds.trained).toHaveLength(train.length);
    }
    calls.length = 0;
    const { report } = await adaptRows(rows, { anchorLambda: 0, distillShare: 0 });
    expect(report.anchor).toEqual({ rows: 0, weight: 0 });
    expect(calls[0]!.f.n).toBe(train.length);
  }, 120_000);

  it('a model folder without an anchor (from before anchors) still adapts, without anchor rows', async () => {
    const older: LocalModelManifest = { ...SHIPPED };
    delete older.anchor;
    const dir = modelFolder(older, null);
    try {
      const { report } = await adaptRows(rows, { modelDir: dir });
      expect(report.anchor).toEqual({ rows: 0, weight: 0 });
      expect(report.comparison.adapted.rocAuc!).toBeGreaterThan(report.comparison.shipped.rocAuc!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to adapt on a corrupt anchor, naming it', async () => {
    const bytes = Buffer.from(readFileSync(join(DEFAULT_MODEL_DIR, 'anchor.bin')));
    bytes[100]! ^= 0xff;
    const dir = modelFolder(SHIPPED, bytes);
    try {
      await expect(adaptRows(rows, { modelDir: dir })).rejects.toThrow(/anchor\.bin are corrupt|anchor\.bin is corrupt|corrupt or from another model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
