import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadImport } from '../../server/errors.ts';
import { IMPORT_FORMATS } from '../../server/ingest/formats.ts';
import { parseImport } from '../../server/ingest/parse.ts';
import { parse as parseJson } from '../../server/ingest/parsers/json.ts';
import type { ParsedImport } from '../../server/ingest/types.ts';
import { SEED } from '../helpers/hostile-text.ts';
import { expectedImport, fileStyle, modelFile, modelImport } from './json-model.ts';
import { FIXTURES, linesSoup, mutated, mutatedFixture } from './mutate.ts';

const FORMATS = ['auto', ...IMPORT_FORMATS] as const;

/** What every successful parse must hold, whatever the file: the ingest service relies on it. */
function expectWellFormed(parsed: ParsedImport): void {
  expect(parsed.threads.length).toBeGreaterThan(0);
  expect(parsed.threads.some((t) => t.comments.length > 0)).toBe(true);
  for (const t of parsed.threads) {
    expect(t.title.trim()).not.toBe('');
    const seen = new Set<string>();
    for (const c of t.comments) {
      expect(typeof c.body).toBe('string');
      expect(c.postedAt === null || Number.isSafeInteger(c.postedAt)).toBe(true);
      // Display order: a reply's parent comes before it.
      if (c.parentExternalId !== null) expect(seen.has(c.parentExternalId)).toBe(true);
      expect(seen.has(c.externalId)).toBe(false);
      seen.add(c.externalId);
    }
  }
}

/** Parses or refuses with BadImport; nothing else may come out. */
function parseOrRefuse(text: string, format: (typeof FORMATS)[number]): ParsedImport | BadImport {
  try {
    const parsed = parseImport(text, format);
    expectWellFormed(parsed);
    return parsed;
  } catch (error) {
    if (error instanceof BadImport) {
      expect(error.message).toMatch(/^(line \d+|threads[^:]*|format): \S/);
      return error;
    }
    throw error;
  }
}

const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary-ascii', maxLength: 200 }));

describe('import parsers on random input (fast-check)', () => {
  it('refuse any text with a BadImport or parse it well formed, in every format', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, linesSoup), fc.constantFrom(...FORMATS), (text, format) => {
        parseOrRefuse(text, format);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('refuse or parse the seed pages and the JSON, WordPress, Disqus and CSV fixtures after random edits', () => {
    fc.assert(
      fc.property(mutatedFixture, fc.constantFrom(...FORMATS), (text, format) => {
        parseOrRefuse(text, format);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('refuse or parse the WordPress, Disqus and CSV fixtures after random edits, never quoting a comment in a refusal', () => {
    const exports = [FIXTURES.wordpress, FIXTURES.disqus, FIXTURES.csv];
    // Comment texts long enough not to turn up in a message by chance (ids, titles and element names are short).
    const texts = exports.flatMap((text) => parseImport(text).threads.flatMap((t) => t.comments.map((c) => c.body))).filter((b) => b.length >= 16);
    expect(texts.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(mutated(fc.constantFrom(...exports)), fc.constantFrom('auto', 'wordpress', 'disqus', 'csv'), (text, format) => {
        const outcome = parseOrRefuse(text, format);
        if (outcome instanceof BadImport) for (const body of texts) expect(outcome.message).not.toContain(body);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('refuse or parse random JSON values, and generated import files after random edits', () => {
    const edited = mutated(fc.tuple(modelImport, fileStyle).map(([threads, style]) => modelFile(threads, style)));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), edited), (text) => {
        parseOrRefuse(text, 'json');
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('never quote comment text in a refusal of an edited JSON file', () => {
    // Comment texts carry a mark that nothing else in the file has.
    const marked = modelImport.map((threads) =>
      threads.map((t) => ({ ...t, comments: t.comments.map((c) => ({ ...c, text: `\u00a7${c.text.replace(/\u00a7/g, '')}\u00a7` })) })),
    );
    const edited = mutated(fc.tuple(marked, fileStyle).map(([threads, style]) => modelFile(threads, style)));
    fc.assert(
      fc.property(edited, (text) => {
        const outcome = parseOrRefuse(text, 'json');
        if (outcome instanceof BadImport) expect(outcome.message).not.toContain('\u00a7');
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe('JSON import round trip (fast-check)', () => {
  it('reads back exactly the threads and comments a generated file holds, hostile text included', () => {
    fc.assert(
      fc.property(modelImport, fileStyle, (threads, style) => {
        const text = modelFile(threads, style);
        const expected = expectedImport(threads);
        expect(parseJson(text)).toEqual(expected);
        expect(parseImport(text)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
