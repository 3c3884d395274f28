/**
 * Drawing a seeded random sample, as pure functions: the same seed over the
 * same comments draws the same sample, so a sample can be checked later.
 */


/**
 * `k` items drawn uniformly without replacement from `items`, read once in
 * order (reservoir sampling, Algorithm R), then shuffled so the order says
 * nothing about where an item came from. Holds only `k` items in memory, so a
 * million comment ids stream through. Fewer than `k` items: all of them.
 */
export function reservoirSample<T>(items: Iterable<T>, k: number, random: () => number): T[] {
  const reservoir: T[] = [];
  let seen = 0;
  for (const item of items) {
    seen++;
    if (reservoir.length < k) reservoir.push(item);
    else {
      const j = Math.floor(random() * seen);
      if (j < k) reservoir[j] = item;
    }
  }
  for (let i = reservoir.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [reservoir[i], reservoir[j]] = [reservoir[j], reservoir[i]];
  }
  return reservoir;
}
