import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURIZER,
  featurize,
  featurizeBatch,
  type FeaturizerParams,
  normalizeText,
  splitWindows,
  tokenize,
} from '../../server/scoring/featurize.ts';

const words = (text: string): string[] => tokenize(normalizeText(text)).map((t) => t.word);
const has = (ids: Int32Array, subset: Int32Array): boolean => {
  const set = new Set(ids);
  return [...subset].every((id) => set.has(id));
};

describe('normalizeText', () => {
  it('folds look-alike letters with NFKC and lowercases', () => {
    expect(normalizeText('ＦＵＣＫ 𝐟𝐮𝐜𝐤 Idiot')).toBe('fuck fuck idiot');
  });

  it('joins spaced-out letters', () => {
    expect(normalizeText('you f u c k i n g idiot')).toBe('you fucking idiot');
    expect(normalizeText('f.u.c.k off')).toBe('fuck off');
    // Two single letters are left alone: "a b" is too common to rewrite.
    expect(normalizeText('plan a b')).toBe('plan a b');
  });

  it('replaces links and @mentions by placeholders and decodes HTML entities', () => {
    expect(words('@mayasolovely see https://example.com/x?y=1 &amp; www.foo.org')).toEqual(['xuserx', 'see', 'xurlx', 'xurlx']);
    expect(normalizeText('a &amp; b &lt;3')).toBe('a & b <3');
  });
});

describe('tokenize', () => {
  it('reads symbols and digits inside words as letters, keeping the raw spelling', () => {
    const tokens = tokenize(normalizeText('sh!t a55 @ss $hit b!tch'));
    expect(tokens.map((t) => t.word)).toEqual(['shit', 'ass', 'ass', 'shit', 'bitch']);
    expect(tokens[0]!.raw).toBe('sh!t');
    expect(tokens[1]!.raw).toBe('a55');
  });

  it('leaves real words with digits alone', () => {
    expect(words('win10 covid19 2019 ps4 mp3')).toEqual(['win10', 'covid19', '2019', 'ps4', 'mp3']);
  });

  it('shrinks letter runs of three or more to two', () => {
    const [t] = tokenize(normalizeText('stuuuupid'));
    expect(t).toEqual({ word: 'stuupid', raw: 'stuuuupid' });
    expect(words('good')).toEqual(['good']);
  });

  it('strips edge punctuation, apostrophes and the retweet marker', () => {
    expect(words("RT idiot!!! don't *wow*")).toEqual(['idiot', 'dont', 'wow']);
  });

  it('keeps emoji and non-Latin scripts as tokens', () => {
    expect(words('🖕🖕 你好世界 مرحبا Привет')).toEqual(['🖕', '🖕', '你好世界', 'مرحبا', 'привет']);
  });

  it('marks clause ends with "."', () => {
    expect(words('no. ok')).toEqual(['no', '.', 'ok']);
  });
});

describe('featurize', () => {
  it('gives the empty text just the per-text bias id', () => {
    expect(featurize('')).toHaveLength(1);
    expect(featurize('   ')).toEqual(featurize(''));
    expect(featurize('')[0]).toBe(featurize('anything')[0]);
  });

  it('is deterministic and stays inside the buckets', () => {
    const a = featurize('You are a sh!t 🖕 مرحبا');
    expect(a).toEqual(featurize('You are a sh!t 🖕 مرحبا'));
    for (const id of a) {
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(DEFAULT_FEATURIZER.buckets);
    }
  });

  it('gives obfuscated spellings the features of the plain word', () => {
    expect(has(featurize('you sh!t'), featurize('you shit'))).toBe(true);
    expect(has(featurize('you f u c k i n g idiot'), featurize('you fucking idiot'))).toBe(true);
    expect(has(featurize('ＩＤＩＯＴ'), featurize('idiot'))).toBe(true);
  });

  it('adds negation-marked and bigram features, so "not ok" differs from "ok"', () => {
    const negated = new Set(featurize('calling people idiots is not ok'));
    const plain = featurize('calling people idiots is ok');
    const extra = featurize('calling people idiots is not ok').filter((id) => !new Set(plain).has(id));
    // "not", its n-grams, "is not", "not ok" and the negation mark on "ok".
    expect(extra.length).toBeGreaterThan(5);
    expect(negated.size).toBeGreaterThan(new Set(plain).size);
  });

  it('reads only the first maxChars characters of a huge text', () => {
    const huge = 'abc def '.repeat(200_000); // 1.6 MB
    const cut = huge.slice(0, DEFAULT_FEATURIZER.maxChars);
    expect(featurize(huge)).toEqual(featurize(cut));
  });

  it('caps character n-grams of very long "words"', () => {
    const long = 'x'.repeat(10_000).replace(/x/g, (_, i: number) => String.fromCharCode(97 + (i % 26)));
    const p = DEFAULT_FEATURIZER;
    // One word: its unigram, the bias id, and n-grams of at most maxWordChars + 2 boundary characters.
    expect(featurize(long).length).toBeLessThanOrEqual(2 + (p.maxWordChars + 2) * (p.maxN - p.minN + 1));
  });

  it('packs a batch with segments and counts that match per-text featurize', () => {
    const texts = ['one idiot', '', 'two 🖕'];
    const batch = featurizeBatch(texts);
    let k = 0;
    texts.forEach((text, i) => {
      const own = featurize(text);
      expect(batch.counts[i]).toBe(own.length);
      expect(batch.ids.slice(k, k + own.length)).toEqual(own);
      expect([...batch.segments.slice(k, k + own.length)].every((s) => s === i)).toBe(true);
      k += own.length;
    });
    expect(batch.ids.length).toBe(k);
  });
});

describe('splitWindows', () => {
  it('keeps a short text whole', () => {
    expect(splitWindows('short text')).toEqual(['short text']);
    expect(splitWindows('')).toEqual(['']);
  });

  it('cuts a long text into windows at spaces, covering the first maxChars characters', () => {
    const text = 'lorem ipsum dolor '.repeat(3_000); // 54,000 chars
    const windows = splitWindows(text);
    expect(windows.join('')).toBe(text.slice(0, DEFAULT_FEATURIZER.maxChars));
    for (const w of windows) expect(w.length).toBeLessThanOrEqual(DEFAULT_FEATURIZER.windowChars);
    for (const w of windows.slice(1)) expect(w.startsWith(' ')).toBe(true);
  });
});

describe('normalisation 2 (models from 2.0.0)', () => {
  const V2: FeaturizerParams = { ...DEFAULT_FEATURIZER, normalization: 2 };
  const norm = (text: string): string => normalizeText(text, DEFAULT_FEATURIZER.maxChars, 2);
  const words2 = (text: string): string[] => tokenize(norm(text), 2).map((t) => t.word);

  it('strips direction controls and zero-width characters', () => {
    expect(norm('id\u200Biot')).toBe('idiot');
    expect(norm('st\u200Cup\u200Did \u2060mo\uFEFFron')).toBe('stupid moron');
    expect(norm('\u202Aa\u202Bb\u202Cc\u202Dd \u2066e\u2067f\u2068g\u2069h \u200Ei\u200Fj')).toBe('abcd efgh ij');
    expect(norm('soft\u00ADhyphen')).toBe('softhyphen');
  });

  it('reads text behind a right-to-left override the way it is shown', () => {
    // Shown as "you are an idiot": the override reverses the run up to U+202C or the line end.
    expect(norm('\u202Etoidi na era uoy')).toBe('you are an idiot');
    expect(norm('you are an \u202Etoidi\u202C, ok')).toBe('you are an idiot, ok');
    expect(norm('\u202Eeno\nowt')).toBe('one\nowt');
  });

  it('gives a hidden or reversed insult the features of the plain one', () => {
    expect(featurize('you are an \u202Etoidi\u202C', V2)).toEqual(featurize('you are an idiot', V2));
    expect(featurize('you are an i\u200Bd\u200Bi\u200Bo\u200Bt', V2)).toEqual(featurize('you are an idiot', V2));
  });

  it('folds look-alike letters in words that mix scripts, keeping the raw spelling', () => {
    const [t] = tokenize(norm('іdіоt'), 2); // Cyrillic і and о
    expect(t!.word).toBe('idiot');
    expect(t!.raw).toBe('іdіоt');
    expect(words2('рussу ѕlut')).toEqual(['pussy', 'ѕlut'.replace('ѕ', 's')]);
    // All one other script: a real word, left alone.
    expect(words2('Привет сука')).toEqual(['привет', 'сука']);
    expect(words2('ωhοre')).toEqual(['whore']);
  });

  it('strips accents and stacked marks from Latin words', () => {
    expect(words2('fück ïdïót')).toEqual(['fuck', 'idiot']);
    expect(words2('i\u0336d\u0336i\u0336o\u0336t\u0336')).toEqual(['idiot']);
    // Scripts that need their marks keep them.
    expect(words2('नमस्ते')).toEqual(['नमस्ते']);
  });

  it('joins letters spaced by several separators and leet symbols', () => {
    expect(norm('f  u  c  k you')).toBe('fuck you');
    expect(norm('s-h-1-t')).toBe('sh1t');
    expect(words2('s-h-1-t')).toEqual(['shit']);
    expect(norm('f * u * c * k')).toBe('fuck');
    // Mostly digits: a list of numbers, not a word.
    expect(norm('1 3 5 a')).toBe('1 3 5 a');
    expect(norm('plan a b')).toBe('plan a b');
  });

  it('leaves version 1 as it was, so 1.x models score what they scored', () => {
    expect(normalizeText('id\u200Biot')).toBe('id\u200Biot');
    expect(featurize('іdіоt')).toEqual(featurize('іdіоt', { ...DEFAULT_FEATURIZER, normalization: 1 }));
  });
});

describe('lexicon features', () => {
  const LEX: FeaturizerParams = { ...DEFAULT_FEATURIZER, normalization: 2, lexicon: ['fuck', 'shit', 'cunt', 'whore', 'piece of shit', 'blow job'] };
  const extra = (text: string, base: string, p = LEX): number => featurize(text, p).length - featurize(base, p).length;

  it('adds one shared feature per word that ends a lexicon term, multi-word terms included', () => {
    const lexId = featurize('whore', LEX).filter((id) => !new Set(featurize('whore', { ...LEX, lexicon: [] })).has(id));
    expect(lexId).toHaveLength(1);
    expect(featurize('cunt', LEX)).toContain(lexId[0]);
    expect(featurize('you piece of shit', LEX).filter((id) => id === lexId[0])).toHaveLength(1);
    expect(featurize('shit, you cunt', LEX).filter((id) => id === lexId[0])).toHaveLength(2);
    expect(featurize('a blow job', LEX)).toContain(lexId[0]);
    expect(featurize('a blow. job', LEX)).not.toContain(lexId[0]);
    expect(featurize('nice day', LEX)).not.toContain(lexId[0]);
  });

  it('matches obfuscated spellings, starred ones included', () => {
    const lexId = featurize('whore', LEX).at(-1)!;
    for (const t of ['wh0re', 'w h o r e', 'whoooore', 'f**k', 'sh*t', 'c*nt', 'ｗｈｏｒｅ', 'wh\u200Bore']) expect(featurize(t, LEX), t).toContain(lexId);
    // Unstarring needs one fitting word: "*" alone or a star first says nothing.
    expect(featurize('**** you', LEX)).not.toContain(lexId);
  });

  it('marks hits in a negated or reported clause apart from plain ones', () => {
    const plain = featurize('you whore', LEX).at(-1)!;
    const negated = featurize('do not say whore', LEX).at(-1)!;
    expect(negated).not.toBe(plain);
    expect(featurize('calling her a whore is wrong', LEX)).toContain(negated);
    expect(extra('you whore', 'you whxre')).toBe(1);
  });

  it('marks the words of clauses with a negator or a word about speech (clauseMarks)', () => {
    const p: FeaturizerParams = { ...DEFAULT_FEATURIZER, normalization: 2, clauseMarks: true };
    // 4 words in the cued clause get a mark each; the uncued clause gets none.
    expect(featurize('calling people idiots. is wrong', p).length - featurize('calling people idiots. is wrong', { ...p, clauseMarks: false }).length).toBe(3);
    expect(featurize('you are idiots', p)).toEqual(featurize('you are idiots', { ...p, clauseMarks: false }));
  });
});
