import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenFeatures, readFrozenModel, type FrozenModel } from '../../server/adaptation/features.ts';
import { ANCHOR_LAMBDA, decisionWeights, DISTILL_ROW_MAX, distillWeight, SAMPLE_WEIGHT, splitUndecided } from '../../server/adaptation/guards.ts';
import { predictHead } from '../../server/adaptation/head.ts';
import { adaptRows, type AdaptationResult } from '../../server/adaptation/service.ts';
import { SITE_LABEL } from '../../server/adaptation/site-scores.ts';
import { decisionsForTraining, type UndecidedComment } from '../../server/adaptation/store.ts';
import { seededRandom } from '../../server/random.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import { buildSiteFixture, type SiteFixture } from './fixture.ts';

describe('the guards (pure)', () => {
  it('weighs a sample decision SAMPLE_WEIGHT times its moderator weight', () => {
    expect([...decisionWeights([{ sampled: false }, { sampled: true }], [0.5, 2])]).toEqual([0.5, 2 * SAMPLE_WEIGHT]);
  });

  it('gives every other undecided comment to distillation (up to the cap) and the rest to the comparison, never a decided one', () => {
    const u = (commentId: number): UndecidedComment => ({ commentId, text: `c${commentId}` });
    const { distill, compare } = splitUndecided([u(9), u(8), u(7), u(6), u(5), u(4), u(3)], new Set([8]), 2);
    expect(distill.map((x) => x.commentId)).toEqual([9, 6]);
    expect(compare.map((x) => x.commentId)).toEqual([7, 5, 4, 3]);
  });

  it('makes the distillation rows weigh, together, a share of the decisions, none more than a quarter of a decision', () => {
    // Decisions weigh 6 in all, 2 on average: 40 rows share 3, 0.075 each.
    expect(distillWeight([1, 2, 3], 40, 0.5)).toBe(0.075);
    // 4 rows sharing 3 would weigh 0.75 each; capped at a quarter of the mean decision, 0.5.
    expect(DISTILL_ROW_MAX).toBe(0.25);
    expect(distillWeight([1, 2, 3], 4, 0.5)).toBe(0.5);
    expect(distillWeight([1, 2, 3], 0, 0.5)).toBe(0);
  });
});

// Comments unlike any decision of the fixture's site (town matters): sport and
// cooking chat, some of it abusive in ways the shipped model knows. Moderators
// never saw these; the site head should keep the shipped model's view of them.
const SUBJECTS = ['the referee', 'the striker', 'this recipe', 'the new coach', 'my sourdough', 'the away fans', 'that goalkeeper', 'the chef'];
const REMARKS = [
  'was brilliant tonight',
  'needs more salt',
  'played the whole second half',
  'is a worthless piece of garbage',
  'should be beaten until he cries',
  'is a disgusting pig and everyone hates him',
  'came out perfect at 220 degrees',
  'scored twice before the break',
];
function unlike(n: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: n }, () => `${pick(SUBJECTS)} ${pick(REMARKS)}${random() < 0.5 ? '!' : ', honestly.'}`);
}

describe('distillation keeps the head near the model in force where the decisions say nothing', () => {
  let site: SiteFixture;
  let frozen: FrozenModel;
  let guarded: AdaptationResult;
  let unguarded: AdaptationResult;
  /** Mean |head − shipped toxicity| on unlike comments neither run trained on. */
  let anchored: AdaptationResult;
  let drift: (r: AdaptationResult) => number;

  beforeAll(async () => {
    site = await buildSiteFixture(400);
    frozen = await readFrozenModel();
    const rows = decisionsForTraining(site.triage.db);
    const undecided = unlike(400, 1).map((text, i) => ({ commentId: 100_000 + i, text }));
    // Distillation alone (no anchor rows), as measured before the anchor; `anchored` is the product's default.
    const options = { thresholds: DEFAULT_THRESHOLDS, undecided, anchorLambda: 0 };
    guarded = await adaptRows(rows, options);
    unguarded = await adaptRows(rows, { ...options, distillShare: 0 });
    anchored = await adaptRows(rows, { thresholds: DEFAULT_THRESHOLDS, undecided });
    const probe = frozenFeatures(frozen, unlike(300, 2));
    const toxicity = frozen.manifest.labels[SITE_LABEL]!;
    drift = ({ head }) => {
      const p = predictHead(head, probe);
      let sum = 0;
      for (let i = 0; i < probe.n; i++) sum += Math.abs(p[i]! - probe.probs[i * probe.outputs + toxicity]!);
      return sum / probe.n;
    };
  }, 120_000);
  afterAll(async () => {
    frozen?.dispose();
    await site.close();
  });

  it('reports the rows used', () => {
    // 200 rows at a quarter of a decision each, beside 320 decisions: 50 / 320 of their weight.
    expect(guarded.report.distillation).toMatchObject({ rows: 200, target: 'toxicity' });
    expect(guarded.report.distillation.share).toBeCloseTo(50 / 320, 3);
    expect(unguarded.report.distillation.rows).toBe(0);
    expect(guarded.report.samples).toEqual({ trained: 0, weight: SAMPLE_WEIGHT });
  });

  it('counts the training decisions made on missed-abuse sample items', async () => {
    const rows = decisionsForTraining(site.triage.db).map((r, i) => ({ ...r, sampled: i % 10 === 0 }));
    const { report } = await adaptRows(rows, { distillShare: 0 });
    expect(report.samples).toEqual({ trained: 32, weight: SAMPLE_WEIGHT });
  }, 60_000);

  it('drifts less from the shipped model on comments unlike the decisions, without losing the held-out gain', () => {
    const g = drift(guarded);
    const u = drift(unguarded);
    console.log(
      `unlike comments, mean |head - shipped toxicity|: guarded ${g.toFixed(3)}, unguarded ${u.toFixed(3)}; ` +
        `held-out ROC AUC: shipped ${guarded.report.comparison.shipped.rocAuc!.toFixed(3)}, guarded ${guarded.report.comparison.adapted.rocAuc!.toFixed(3)}, unguarded ${unguarded.report.comparison.adapted.rocAuc!.toFixed(3)}`,
    );
    expect(g).toBeLessThan(u * 0.7);
    const c = guarded.report.comparison;
    expect(c.adapted.rocAuc!).toBeGreaterThan(c.shipped.rocAuc! + 0.1);
    expect(c.adapted.rocAuc!).toBeGreaterThan(unguarded.report.comparison.adapted.rocAuc! - 0.02);
  });

  it("the anchor (the shipped model's own training rows) holds the head closer still, keeping the held-out gain", () => {
    const a = drift(anchored);
    console.log(`unlike comments, mean |head - shipped toxicity|: anchor + distillation ${a.toFixed(3)}, distillation only ${drift(guarded).toFixed(3)}; held-out ROC AUC ${anchored.report.comparison.adapted.rocAuc!.toFixed(3)}`);
    expect(anchored.report.anchor).toEqual({ rows: 4000, weight: ANCHOR_LAMBDA });
    expect(guarded.report.anchor).toEqual({ rows: 0, weight: 0 });
    expect(a).toBeLessThan(drift(guarded));
    const c = anchored.report.comparison;
    expect(c.adapted.rocAuc!).toBeGreaterThan(c.shipped.rocAuc! + 0.1);
  });
});
