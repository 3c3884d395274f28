import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURIZER,
  featurize,
  featurizeBatch,
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
