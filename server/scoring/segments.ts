/**
 * Sparse n-gram batches for training with sparseSegmentSum: what the
 * trainer (scripts/train.ts) and the site head (server/adaptation/) share.
 */

/** Reorders (row, segment) pairs by row with a counting sort: rows are 0..rows-1, all present. */
export function byRow(localIds: Int32Array, segments: Int32Array, rows: number): { ids: Int32Array; segs: Int32Array } {
  const start = new Int32Array(rows + 1);
  for (let i = 0; i < localIds.length; i++) start[localIds[i]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const ids = new Int32Array(localIds.length);
  const segs = new Int32Array(localIds.length);
  for (let i = 0; i < localIds.length; i++) {
    const at = start[localIds[i]!]!++;
    ids[at] = localIds[i]!;
    segs[at] = segments[i]!;
  }
  return { ids, segs };
}
