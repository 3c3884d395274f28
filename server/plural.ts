/**
 * A count and its noun, agreeing: "1 thread", "2 threads". `many` for nouns
 * whose plural is not `one` + s. The web has its twin in web/src/lib/format.ts.
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
