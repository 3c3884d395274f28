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
  /**
   * 2 (models from 2.0.0): strip direction controls and zero-width characters,
   * undo right-to-left overrides, fold homoglyphs, strip diacritics and read
   * spaced letters more widely (see normalizeText, deobfuscate). Absent = 1, as
   * 1.x models were trained, so their scores stay what they were.
   */
  normalization?: 1 | 2;
  /**
   * Slurs and obscenities, normalised and baked into model.json at training
   * time (scripts/lib/lexicon.ts): each hit adds a shared "lexicon" feature, so
   * a word rare in the training rows still counts. Needs normalization 2.
   */
  lexicon?: string[];
  /**
   * Marks each word of a clause that holds a negator or a word about speech
   * ("calling", "saying", "word"), so "calling people idiots is not ok" can
   * differ from "you idiots".
   */
  clauseMarks?: boolean;
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

/**
 * Direction controls and zero-width characters: invisible, so the reader sees
 * the word they split ("id\u200Biot") as one. U+00AD (soft hyphen) too.
 */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u200B-\u200D\u2060\uFEFF\u00AD]/g;
/**
 * Text after a right-to-left override (U+202E) is shown reversed up to a pop
 * (U+202C) or the end of the line: "\u202Etoidi na era uoy" reads "you are an
 * idiot". The model should read what the reader sees.
 */
const RLO_RUN = /\u202E([^\u202C\n\r\u2029]*)/g;
/** Cyrillic and Greek letters that look like Latin ones (after lowercasing), and a few Latin look-alikes. */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ı: 'i', ł: 'l', ø: 'o',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
};
const HOMOGLYPH_CHARS = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'u');
const ASCII_LETTER = /[a-z]/;
const NON_ASCII = /[^ -~\t\n\r]/;
const MARKS = /\p{M}/gu;
const HAS_MARK = /\p{M}/u;
const LATIN_ONLY = /^[a-z\p{M}@$!|*0-9]+$/u;
/**
 * Version 2 of spaced letters: single letters (or leet symbols) split by up to
 * three spaces, dots, dashes, underscores, stars, pluses or tildes: "f  u  c  k",
 * "s-h-1-t". At least two of them must be letters (see normalizeText).
 */
const SPACED2 = /(?<![\p{L}\p{N}])[\p{L}@$!013457](?:[ .\-_*+~]{1,3}[\p{L}@$!013457]){2,}(?![\p{L}\p{N}])/gu;
const SPACED2_SEP = /[ .\-_*+~]/g;
const LETTER_G = /\p{L}/gu;

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
 * Version 2 first shows the text as a reader sees it: overridden runs
 * reversed, invisible characters gone.
 */
export function normalizeText(text: string, maxChars = DEFAULT_FEATURIZER.maxChars, version: 1 | 2 = 1): string {
  let t = text.length > maxChars ? text.slice(0, maxChars) : text;
  if (version === 2) {
    if (t.includes('\u202E')) t = t.replace(RLO_RUN, (_, run: string) => [...run].reverse().join(''));
    t = t.replace(INVISIBLE, '');
  }
  t = t.normalize('NFKC').toLowerCase();
  t = t.replace(URL, ' xurlx ').replace(MENTION, ' xuserx ').replace(ENTITY, (_, e: string) => ENTITIES[e] ?? _);
  if (version === 2) {
    return t.replace(SPACED2, (m) => ((m.match(LETTER_G)?.length ?? 0) >= 2 ? m.replace(SPACED2_SEP, '') : m));
  }
  return t.replace(SPACED, (m) => m.replace(SPACED_SEP, ''));
}

/**
 * Version 2's extra rewrites, before leetspeak: look-alike letters in a word
 * that also has Latin ones ("іdіоt" with Cyrillic і and о) become Latin, and
 * accents and stacked marks on Latin words go ("fück", Zalgo text). Words all
 * in another script stay as they are.
 */
function foldLookAlikes(token: string): string {
  let t = token;
  // Most tokens are plain ASCII: nothing to fold, and NFD per token would cost more than the rest of tokenize.
  if (!NON_ASCII.test(t)) return t;
  if (ASCII_LETTER.test(t) && HOMOGLYPH_CHARS.test(t)) {
    let mapped = '';
    for (const ch of t) mapped += HOMOGLYPHS[ch] ?? ch;
    t = mapped;
  }
  const decomposed = t.normalize('NFD');
  if (HAS_MARK.test(decomposed) && LATIN_ONLY.test(decomposed)) {
    const bare = decomposed.replace(MARKS, '');
    if (bare !== '') t = bare;
  }
  return t;
}

function deobfuscate(token: string, version: 1 | 2 = 1): string {
  let t = version === 2 ? foldLookAlikes(token) : token;
  if (HAS_LETTER.test(t) && LEET_CHARS.test(t) && !NAME_AND_NUMBER.test(t)) {
    let mapped = '';
    for (const ch of t) mapped += LEET[ch] ?? ch;
    // Only when the result is a plain word: "win10" or "mp3" stay as they are.
    if (ONLY_LETTERS.test(mapped)) t = mapped;
  }
  return t.replace(RUN3, '$1$1');
}

/** Splits normalised text into tokens; "." "?" etc. come back as "." to mark clause ends. */
export function tokenize(normalized: string, version: 1 | 2 = 1): Token[] {
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
    const word = deobfuscate(raw, version);
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
const SEED_LEX = 0x165667b1;
const SEED_CLAUSE = 0xd3a2646c;

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
  const last = len - 1;
  // Inline, not a helper closure: this loop is most of featurisation's time.
  for (let i = 0; i + p.minN <= len; i++) {
    let h = (FNV_OFFSET ^ SEED_CHAR) >>> 0;
    for (let n = 1; n <= p.maxN && i + n <= len; n++) {
      const j = i + n - 1;
      h = hashStep(h, j === 0 ? 60 : j === last ? 62 : word.charCodeAt(j - 1));
      if (n >= p.minN) buf.push((h >>> 0) & mask);
    }
  }
}

/** hashString(seed, `${a} ${b}`) without building the string. */
function hashPair(seed: number, a: string, b: string): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), FNV_PRIME);
  h = Math.imul(h ^ 32, FNV_PRIME);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** A model's lexicon, ready to match: built once per params object. */
interface Lexicon {
  /** Single-word terms. */
  words: Set<string>;
  /** Multi-word terms by their last word, each as its words: checked only when a text's word ends one. */
  byLastWord: Map<string, string[][]>;
  /** Single-word terms by length, for starred spellings ("f**k", "sh*t"). */
  byLength: Map<number, string[]>;
}
const lexicons = new WeakMap<FeaturizerParams, Lexicon>();

function lexiconOf(p: FeaturizerParams): Lexicon | null {
  if (!p.lexicon || p.lexicon.length === 0) return null;
  let lex = lexicons.get(p);
  if (!lex) {
    lex = { words: new Set(), byLastWord: new Map(), byLength: new Map() };
    for (const term of p.lexicon) {
      const parts = term.split(' ');
      if (parts.length === 1) {
        lex.words.add(term);
        const list = lex.byLength.get(term.length) ?? [];
        list.push(term);
        lex.byLength.set(term.length, list);
      } else {
        const last = parts.at(-1)!;
        lex.byLastWord.set(last, [...(lex.byLastWord.get(last) ?? []), parts]);
      }
    }
    lexicons.set(p, lex);
  }
  return lex;
}

/** "f**k" -> "fuck" when exactly one lexicon word of that length fits the visible letters (first one included). */
function unstar(raw: string, lex: Lexicon): string | null {
  if (!raw.includes('*') || raw.length < 3 || raw[0] === '*') return null;
  let found: string | null = null;
  for (const term of lex.byLength.get(raw.length) ?? []) {
    let fits = true;
    for (let i = 0; i < raw.length && fits; i++) fits = raw[i] === '*' || raw[i] === term[i];
    if (fits) {
      if (found !== null) return null; // ambiguous: leave it to the character n-grams
      found = term;
    }
  }
  return found;
}

/** Whether the clause's last words are one of these terms (given as words). */
function endsTerm(clause: string[], terms: string[][] | undefined): boolean {
  if (!terms) return false;
  return terms.some((t) => t.length <= clause.length && t.every((w, i) => clause[clause.length - t.length + i] === w));
}

/** Words that make a clause talk about speech rather than do it (with negators: see clauseMarks). */
const SPEECH_WORDS = new Set([
  'call', 'calling', 'called', 'calls', 'say', 'saying', 'said', 'says', 'word', 'words', 'term', 'slur', 'slurs',
  'quote', 'quoted', 'quoting', 'insult', 'insulting', 'insults', 'threatening', 'hateful', 'racist', 'sexist', 'unacceptable',
]);

/** Clause marks: each word of a clause that holds a negator or a word about speech, again under its own hash. */
function markClause(buf: IdBuffer, clause: string[], mask: number): void {
  for (const w of clause) buf.push(hashString(SEED_CLAUSE, w) & mask);
}

function collectIds(text: string, p: FeaturizerParams, buf: IdBuffer): void {
  const mask = p.buckets - 1;
  const version = p.normalization ?? 1;
  const tokens = tokenize(normalizeText(text, p.maxChars, version), version);
  const lex = version === 2 ? lexiconOf(p) : null;
  const marks = p.clauseMarks === true;
  // Every text, even an empty one, has this id: the model's per-text bias, and
  // it keeps segment sums free of empty rows.
  buf.push(hashString(SEED_WORD, '\u0002') & mask);
  let prev = '';
  let negation = 0;
  // Clause state for lexicon hits and clause marks: words since the last ".".
  const clause: string[] = [];
  let clauseHasCue = false;
  for (const token of tokens) {
    const raw = token.raw;
    let word = token.word;
    if (word === '.') {
      prev = '';
      negation = 0;
      if (marks && clauseHasCue) markClause(buf, clause, mask);
      clause.length = 0;
      clauseHasCue = false;
      continue;
    }
    if (lex && raw !== undefined) word = unstar(raw, lex) ?? word;
    buf.push(hashString(SEED_WORD, word) & mask);
    pushCharNgrams(buf, word, p, mask);
    const single = raw !== undefined ? word.replace(RUN2, '$1') : word;
    if (raw !== undefined) {
      buf.push(hashString(SEED_WORD, raw) & mask);
      // Shorter runs too: "stuupid" also reads as "stupid".
      if (single !== word) buf.push(hashString(SEED_WORD, single) & mask);
    }
    if (prev !== '') buf.push(hashPair(SEED_BIGRAM, prev, word) & mask);
    if (negation > 0) {
      buf.push(hashString(SEED_NEG, word) & mask);
      negation--;
    }
    const negator = NEGATORS.has(word);
    if (negator) negation = NEGATION_SCOPE;
    if (lex || marks) {
      clause.push(word);
      if (lex) {
        // Terms ending at this word; "." resets the clause, so a term never spans one.
        const hit = lex.words.has(word) || (single !== word && lex.words.has(single)) || endsTerm(clause, lex.byLastWord.get(word));
        if (hit) buf.push(hashString(SEED_LEX, negation > 0 || clauseHasCue ? 'lexicon negated' : 'lexicon') & mask);
      }
      if (negator || SPEECH_WORDS.has(word)) clauseHasCue = true;
    }
    prev = word;
  }
  if (marks && clauseHasCue) markClause(buf, clause, mask);
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
