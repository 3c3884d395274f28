import fc from 'fast-check';
import type { ParsedComment, ParsedImport, ParsedThread } from '../../server/ingest/types.ts';
import { hostileText, hostileWord } from '../helpers/hostile-text.ts';

/**
 * Random threads for the JSON import format (docs/import-formats.md), with
 * the file that writes them and what the parser must read back from it.
 */

type Id = string | number;

interface ModelComment {
  id: Id;
  /** As written: undefined leaves the field out; "" counts as no author. */
  author: string | null | undefined;
  text: string;
  /** As written in the file, and the epoch milliseconds it means. */
  postedAt: { written: unknown; ms: number | null };
  /** Index of the parent among the thread's comments (always lower), or -1 for a top-level comment. */
  parent: number;
  /** Written with a `parent` link at the top level rather than nested in the parent's `replies`. */
  linked: boolean;
}

interface ModelThread {
  source: string | undefined;
  id: Id;
  title: string;
  url: string | null | undefined;
  body: string | undefined;
  comments: ModelComment[];
  /** How the top-level items (roots and linked replies) interleave in the file: true takes the next root. */
  interleave: boolean[];
}

const id: fc.Arbitrary<Id> = fc.oneof(hostileWord(4), fc.integer({ min: -1e9, max: 1e12 }));

const DAY = 86_400_000;
const postedAt: fc.Arbitrary<ModelComment['postedAt']> = fc.oneof(
  fc.constant({ written: undefined, ms: null }),
  fc.constant({ written: null, ms: null }),
  fc.nat({ max: 8.64e15 }).map((ms) => ({ written: ms, ms })),
  // 1971 to 9998, so an offset never moves the year out of four digits.
  fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(9998, 0, 1) }).chain((ms) =>
    fc.oneof(
      fc.constant({ written: new Date(ms).toISOString(), ms }),
      fc.constant({ written: new Date(ms).toISOString().slice(0, 10), ms: ms - (ms % DAY) }),
      fc.integer({ min: -12 * 60, max: 14 * 60 }).map((offset) => {
        const wall = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
        const abs = Math.abs(offset);
        const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        return { written: `${wall}${zone}`, ms: ms - (ms % 1000) };
      }),
    ),
  ),
);

const comments = (minLength: number): fc.Arbitrary<ModelComment[]> =>
  fc
    .uniqueArray(id, { minLength, maxLength: 8, selector: (v) => String(v) })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((commentId, i) =>
          fc.record({
            id: fc.constant(commentId),
            author: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), hostileText(4)),
            text: hostileText(),
            postedAt,
            parent: fc.integer({ min: -1, max: i - 1 }),
            linked: fc.boolean(),
          }),
        ),
      ),
    );

const thread = (minComments: number): fc.Arbitrary<ModelThread> =>
  fc.record({
    source: fc.oneof(fc.constant(undefined), hostileWord(3)),
    id,
    title: hostileWord(),
    url: fc.oneof(fc.constant(undefined), fc.constant(null), hostileText(3)),
    body: fc.oneof(fc.constant(undefined), hostileText(12)),
    comments: comments(minComments),
    interleave: fc.array(fc.boolean(), { maxLength: 16 }),
  });

/** One to three threads, unique by source and id, with a comment in the first. */
export const modelImport: fc.Arbitrary<ModelThread[]> = fc
  .tuple(thread(1), fc.array(thread(0), { maxLength: 2 }))
  .map(([first, rest]) => [first, ...rest])
  .filter((threads) => new Set(threads.map((t) => JSON.stringify([t.source ?? 'json', String(t.id)]))).size === threads.length);

function commentObject(c: ModelComment): Record<string, unknown> {
  const o: Record<string, unknown> = { id: c.id };
  if (c.author !== undefined) o.author = c.author;
  o.text = c.text;
  if (c.postedAt.written !== undefined) o.postedAt = c.postedAt.written;
  return o;
}

/** The thread as the file writes it: nested replies inside their parent, linked ones at the top level with `parent`. */
function threadObject(t: ModelThread): Record<string, unknown> {
  const objects = t.comments.map(commentObject);
  const roots: Record<string, unknown>[] = [];
  const linked: Record<string, unknown>[] = [];
  t.comments.forEach((c, i) => {
    const o = objects[i]!;
    if (c.parent < 0) roots.push(o);
    else if (c.linked) linked.push(Object.assign(o, { parent: t.comments[c.parent]!.id }));
    else ((objects[c.parent]!.replies ??= []) as unknown[]).push(o);
  });
  // Linked items go anywhere among the roots, even before their parent; each kind keeps its own order.
  const top: Record<string, unknown>[] = [];
  let r = 0;
  let l = 0;
  for (const takeRoot of t.interleave) {
    if (takeRoot && r < roots.length) top.push(roots[r++]!);
    else if (!takeRoot && l < linked.length) top.push(linked[l++]!);
  }
  top.push(...roots.slice(r), ...linked.slice(l));
  const o: Record<string, unknown> = {};
  if (t.source !== undefined) o.source = t.source;
  o.id = t.id;
  o.title = t.title;
  if (t.url !== undefined) o.url = t.url;
  if (t.body !== undefined) o.body = t.body;
  o.comments = top;
  return o;
}

/** The import file: one thread object or an array, any indentation and line ending, maybe a BOM. */
export const modelFile = (threads: ModelThread[], style: { array: boolean; indent: 0 | 2 | '\t'; eol: '\n' | '\r\n' | '\r'; bom: boolean }): string => {
  const doc = style.array || threads.length > 1 ? threads.map(threadObject) : threadObject(threads[0]!);
  // JSON.stringify escapes line breaks inside strings, so every raw one is white space between tokens.
  const text = JSON.stringify(doc, null, style.indent).replace(/\n/g, style.eol);
  return (style.bom ? '\ufeff' : '') + text;
};

export const fileStyle = fc.record({
  array: fc.boolean(),
  indent: fc.constantFrom(0 as const, 2 as const, '\t' as const),
  eol: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const),
  bom: fc.boolean(),
});

/**
 * What the parser must return: threads in file order, comments in display
 * order (each parent before its replies). Among siblings, the replies nested
 * in the parent come first, then those linked to it, each in file order.
 */
export function expectedImport(threads: ModelThread[]): ParsedImport {
  return {
    format: 'json',
    threads: threads.map((t): ParsedThread => {
      const children = t.comments.map(() => [] as number[]);
      const roots: number[] = [];
      t.comments.forEach((c, i) => (c.parent < 0 ? roots : children[c.parent]!).push(i));
      for (const list of children) list.sort((a, b) => Number(t.comments[a]!.linked) - Number(t.comments[b]!.linked) || a - b);
      const ordered: ParsedComment[] = [];
      const visit = (i: number): void => {
        const c = t.comments[i]!;
        ordered.push({
          externalId: String(c.id),
          parentExternalId: c.parent < 0 ? null : String(t.comments[c.parent]!.id),
          author: c.author === undefined || c.author === '' ? null : c.author,
          body: c.text,
          postedAt: c.postedAt.ms,
        });
        children[i]!.forEach(visit);
      };
      roots.forEach(visit);
      return { source: t.source ?? 'json', externalId: String(t.id), title: t.title, url: t.url ?? null, body: t.body ?? '', comments: ordered };
    }),
  };
}
