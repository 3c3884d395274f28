/**
 * Text -> hashed feature ids for the local model (pure, no I/O).
 *
 * Normalisation undoes the usual dodges of filters: NFKC folds look-alike
 * letters (fullwidth, math bold), spaced letters are joined ("f u c k"),
 * symbols and digits inside words read as letters ("sh!t", "a55", "@ss",
 * "$hit"), and letter runs shrink ("stuuupid"). Where a rewrite might be wrong
 * the raw form is kept too, so both feed the model.
 *
 * Features (fastText style) are hashed into `buckets`: word unigrams, word
 * bigrams, character 2-5-grams of each word with boundary marks, and
 * negation-marked unigrams for the few words after "not", "no", "never"...
 * so that "is not ok" and "ok" differ.
 *
 * Long texts: only the first `maxChars` characters are read, and the scorer
 * splits them into windows of about `windowChars` (see splitWindows) scored
 * separately and combined by taking each label's maximum, so one slur late in
 * a long post is not averaged away.
 */

export interface FeaturizerParams {
  /** Number of hash buckets (a power of two). */
  buckets: number;
  /** Smallest and largest character n-gram. */
  minN: number;
  maxN: number;
  /** Characters of a word that feed character n-grams (cost bound on very long "words"). */
  maxWordChars: number;
  /** Text beyond this many characters is ignored. */
  maxChars: number;
  /** Long texts are scored in windows of about this many characters. */
  windowChars: number;
}

export const DEFAULT_FEATURIZER: FeaturizerParams = {
  buckets: 1 << 16,
  minN: 2,
  maxN: 5,
  maxWordChars: 24,
  maxChars: 20_000,
  windowChars: 2_000,
};

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '|': 'i',
  '0': 'o',
  '5': 's',
  $: 's',
  '7': 't',
  '*': '',
};
const LEET_CHARS = /[@4310!|5$7*]/;
const HAS_LETTER = /\p{L}/u;
const ONLY_LETTERS = /^\p{L}+$/u;
/** Two or more letters then only digits: model numbers and years (win10, ps4, covid19), not leetspeak. */
const NAME_AND_NUMBER = /^\p{L}{2,}\d+$/u;

const NEGATORS = new Set([
  'not', 'no', 'never', 'nor', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'cant', 'cannot',
  'wont', 'wouldnt', 'shouldnt', 'aint', 'nobody', 'nothing', 'stop', 'without',
]);
/** Words that reach across a negation scope and carry no meaning of their own. */
const NEGATION_SCOPE = 3;

const URL = /\bhttps?:\/\/\S+|\bwww\.\S+/gu;
const MENTION = /@[\p{L}\p{N}_]{4,}/gu;
const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
/** Three or more single letters separated by one space, dot, dash, underscore or star: "f u c k", "f.u.c.k". */
const SPACED = /(?<![\p{L}\p{N}])\p{L}(?:[ .\-_*]\p{L}){2,}(?![\p{L}\p{N}])/gu;
const SPACED_SEP = /[ .\-_*]/g;
const RUN3 = /(.)\1{2,}/gu;
const RUN2 = /(.)\1+/gu;
/** Word characters, or one pictograph (emoji) as a token of its own. */
const TOKEN = /[\p{L}\p{M}\p{N}@$!|*']+|\p{Extended_Pictographic}|[.?;:,]/gu;
const EDGE_PUNCT = /^[!|*']+|[!|*']+$/g;

/** A token as the model reads it, with the raw spelling when de-obfuscation changed it. */
export interface Token {
  word: string;
  raw?: string;
}

/**
 * NFKC, lowercase, URLs and @mentions replaced by placeholders, HTML entities
 * decoded, spaced-out letters joined. Token-level rewrites happen in tokenize.
 */
export function normalizeText(text: string, maxChars = DEFAULT_FEATURIZER.maxChars): string {
  let t = text.length > maxChars ? text.slice(0, maxChars) : text;
  t = t.normalize('NFKC').toLowerCase();
  t = t.replace(URL, ' xurlx ').replace(MENTION, ' xuserx ').replace(ENTITY, (_, e: string) => ENTITIES[e] ?? _);
  return t.replace(SPACED, (m) => m.replace(SPACED_SEP, ''));
}

function deobfuscate(token: string): string {
  let t = token;
  if (HAS_LETTER.test(t) && LEET_CHARS.test(t) && !NAME_AND_NUMBER.test(t)) {
    let mapped = '';
    for (const ch of t) mapped += LEET[ch] ?? ch;
    // Only when the result is a plain word: "win10" or "mp3" stay as they are.
    if (ONLY_LETTERS.test(mapped)) t = mapped;
  }
  return t.replace(RUN3, '$1$1');
}

/** Splits normalised text into tokens; "." "?" etc. come back as "." to mark clause ends. */
export function tokenize(normalized: string): Token[] {
  const out: Token[] = [];
  for (const m of normalized.matchAll(TOKEN)) {
    let raw = m[0];
    if (raw.length === 1 && '.?;:,'.includes(raw)) {
      out.push({ word: '.' });
      continue;
    }
    raw = raw.replace(EDGE_PUNCT, '');
    if (raw.includes("'")) raw = raw.replace(/'/g, '');
    if (raw === '' || raw === 'rt') continue; // "rt" marks retweets: a Twitter artefact, not language.
    const word = deobfuscate(raw);
    if (word.replace(/[@$!|*]/g, '') === '') continue;
    out.push(word === raw ? { word } : { word, raw });
  }
  return out;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca6b;
const SEED_NEG = 0xc2b2ae35;
const SEED_CHAR = 0x27d4eb2f;

function hashString(seed: number, s: string): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function hashStep(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME);
}

/** Appends into a growable Int32Array-backed buffer. */
class IdBuffer {
  ids = new Int32Array(256);
  length = 0;
  push(id: number): void {
    if (this.length === this.ids.length) {
      const next = new Int32Array(this.ids.length * 2);
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[this.length++] = id;
  }
}

function pushCharNgrams(buf: IdBuffer, word: string, p: FeaturizerParams, mask: number): void {
  // Boundary marks as in fastText: "<" + word + ">", so prefixes and suffixes are their own n-grams.
  if (p.minN > p.maxN) return; // character n-grams switched off
  const len = Math.min(word.length, p.maxWordChars) + 2;
  const code = (i: number): number => (i === 0 ? 60 : i === len - 1 ? 62 : word.charCodeAt(i - 1));
  for (let i = 0; i + p.minN <= len; i++) {
    let h = (FNV_OFFSET ^ SEED_CHAR) >>> 0;
    for (let n = 1; n <= p.maxN && i + n <= len; n++) {
      h = hashStep(h, code(i + n - 1));
      if (n >= p.minN) buf.push((h >>> 0) & mask);
    }
  }
}

function collectIds(text: string, p: FeaturizerParams, buf: IdBuffer): void {
  const mask = p.buckets - 1;
  const tokens = tokenize(normalizeText(text, p.maxChars));
  // Every text, even an empty one, has this id: the model's per-text bias, and
  // it keeps segment sums free of empty rows.
  buf.push(hashString(SEED_WORD, '\u0002') & mask);
  let prev = '';
  let negation = 0;
  for (const { word, raw } of tokens) {
    if (word === '.') {
      prev = '';
      negation = 0;
      continue;
    }
    buf.push(hashString(SEED_WORD, word) & mask);
    pushCharNgrams(buf, word, p, mask);
    if (raw !== undefined) {
      buf.push(hashString(SEED_WORD, raw) & mask);
      // Shorter runs too: "stuupid" also reads as "stupid".
      const single = word.replace(RUN2, '$1');
      if (single !== word) buf.push(hashString(SEED_WORD, single) & mask);
    }
    if (prev !== '') buf.push(hashString(SEED_BIGRAM, `${prev} ${word}`) & mask);
    if (negation > 0) {
      buf.push(hashString(SEED_NEG, word) & mask);
      negation--;
    }
    if (NEGATORS.has(word)) negation = NEGATION_SCOPE;
    prev = word;
  }
}

/** Hashed feature ids of one text (repeats allowed: they count twice). Never empty: see collectIds. */
export function featurize(text: string, p: FeaturizerParams = DEFAULT_FEATURIZER): Int32Array {
  const buf = new IdBuffer();
  collectIds(text, p, buf);
  return buf.ids.slice(0, buf.length);
}

/** Feature ids of many texts packed for a segment sum: ids, and for each id the index of its text. */
export interface FeatureBatch {
  ids: Int32Array;
  segments: Int32Array;
  /** Number of ids per text. */
  counts: Int32Array;
}

export function featurizeBatch(texts: readonly string[], p: FeaturizerParams = DEFAULT_FEATURIZER): FeatureBatch {
  const buf = new IdBuffer();
  const counts = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const before = buf.length;
    collectIds(texts[i]!, p, buf);
    counts[i] = buf.length - before;
  }
  const ids = buf.ids.slice(0, buf.length);
  const segments = new Int32Array(ids.length);
  let k = 0;
  for (let i = 0; i < counts.length; i++) segments.fill(i, k, (k += counts[i]!));
  return { ids, segments, counts };
}

/**
 * The long-text rule: the first `maxChars` characters, cut into windows of
 * about `windowChars`, each ending at whitespace where one is near, so words
 * are not split. Short texts come back as one window.
 */
export function splitWindows(text: string, p: FeaturizerParams = DEFAULT_FEATURIZER): string[] {
  const t = text.length > p.maxChars ? text.slice(0, p.maxChars) : text;
  if (t.length <= p.windowChars) return [t];
  const out: string[] = [];
  let start = 0;
  while (start < t.length) {
    let end = Math.min(start + p.windowChars, t.length);
    if (end < t.length) {
      const space = t.lastIndexOf(' ', end);
      if (space > start + p.windowChars / 2) end = space;
    }
    out.push(t.slice(start, end));
    start = end;
  }
  return out;
}
