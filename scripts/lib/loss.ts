import * as tf from '@tensorflow/tfjs-core';

/**
 * Binary cross-entropy on logits where `mask` is 1 for labels a row really
 * carries and 0 for unknown ones. Unknown labels add nothing to the loss or
 * its gradient: a set that never annotates `threat` must not teach the model
 * that its rows are non-threats. The mean is over known entries only.
 *
 * Per entry: max(x, 0) - x*y + log(1 + exp(-|x|)), the stable form of
 * -y*log(sigmoid(x)) - (1-y)*log(1-sigmoid(x)).
 */
export function maskedBinaryCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    // Functional ops only: chained methods (x.mul) need a side-effect import tfjs-core does not do itself.
    const perEntry = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.div(tf.sum(tf.mul(perEntry, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * d loss / d logits of maskedBinaryCrossEntropy: mask * (sigmoid(x) - y) / known.
 * Written out because tfjs-core registers no gradients by itself (they ship in
 * the @tensorflow/tfjs union package, whose ESM files Node cannot load here).
 */
export function maskedBinaryCrossEntropyGrad(logits: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.mul(tf.sub(tf.sigmoid(logits), targets), mask), tf.maximum(tf.sum(mask), 1)) as tf.Tensor2D);
}
