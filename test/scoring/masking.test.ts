import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskedBinaryCrossEntropy, maskedBinaryCrossEntropyGrad } from '../../scripts/lib/loss.ts';

const LN2 = Math.log(2);

function loss(logits: number[][], targets: number[][], mask: number[][]): number {
  return tf.tidy(() => maskedBinaryCrossEntropy(tf.tensor2d(logits), tf.tensor2d(targets), tf.tensor2d(mask)).dataSync()[0]!);
}

function grad(logits: number[][], targets: number[][], mask: number[][]): number[][] {
  return tf.tidy(() => maskedBinaryCrossEntropyGrad(tf.tensor2d(logits), tf.tensor2d(targets), tf.tensor2d(mask)).arraySync());
}

describe('masked binary cross-entropy', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches hand-computed values on known entries', () => {
    // logit 0 -> ln 2 whatever the target; logit ln 3 with target 1 -> -ln(3/4).
    expect(loss([[0, 0]], [[1, 0]], [[1, 1]])).toBeCloseTo(LN2, 6);
    expect(loss([[Math.log(3)]], [[1]], [[1]])).toBeCloseTo(-Math.log(0.75), 6);
    // Mean of the two: (ln 2 + -ln(1/4)) / 2 for logit ln 3 with target 0 -> -ln(1 - 3/4).
    expect(loss([[0, Math.log(3)]], [[1, 0]], [[1, 1]])).toBeCloseTo((LN2 - Math.log(0.25)) / 2, 6);
  });

  it('ignores unknown labels entirely, whatever their logits and targets', () => {
    const known = loss([[0]], [[1]], [[1]]);
    // A second, unknown label with a huge wrong logit changes nothing.
    expect(loss([[0, 50]], [[1, 0]], [[1, 0]])).toBeCloseTo(known, 6);
    expect(loss([[0, -50]], [[1, 1]], [[1, 0]])).toBeCloseTo(known, 6);
  });

  it('averages over known entries only, across rows', () => {
    // Row 1 knows label 0 (logit 0 -> ln 2); row 2 knows label 1 (logit ln 3, target 1 -> -ln 0.75).
    const value = loss(
      [
        [0, 9],
        [-9, Math.log(3)],
      ],
      [
        [1, 1],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(value).toBeCloseTo((LN2 - Math.log(0.75)) / 2, 6);
  });

  it('is 0, not NaN, when nothing is known', () => {
    expect(loss([[3, -2]], [[1, 0]], [[0, 0]])).toBe(0);
  });

  it('stays finite for extreme logits', () => {
    const v = loss([[200, -200]], [[0, 1]], [[1, 1]]);
    expect(v).toBeCloseTo(200, 3);
  });

  it('has gradient mask * (sigmoid(x) - y) / known, zero on unknown labels', () => {
    // Known: (0, y=1) -> (0.5 - 1)/2; (ln 3, y=0) -> (0.75 - 0)/2; unknown -> 0.
    const g = grad([[0, Math.log(3), 7]], [[1, 0, 1]], [[1, 1, 0]]);
    expect(g[0]![0]).toBeCloseTo(-0.25, 6);
    expect(g[0]![1]).toBeCloseTo(0.375, 6);
    expect(Math.abs(g[0]![2]!)).toBe(0);
  });

  it('agrees with a finite-difference derivative of the loss', () => {
    const logits = [[0.3, -1.2, 2]];
    const targets = [[1, 0, 1]];
    const mask = [[1, 1, 0]];
    const g = grad(logits, targets, mask)[0]!;
    const h = 1e-3;
    for (let j = 0; j < 3; j++) {
      const up = logits.map((r) => r.map((v, c) => (c === j ? v + h : v)));
      const down = logits.map((r) => r.map((v, c) => (c === j ? v - h : v)));
      expect(g[j]!).toBeCloseTo((loss(up, targets, mask) - loss(down, targets, mask)) / (2 * h), 3);
    }
  });
});
